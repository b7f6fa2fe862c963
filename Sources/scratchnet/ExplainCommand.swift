import ArgumentParser
import Foundation
import ScratchTensor

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Work through the course's convolution examples: im2col and the output-size formula.",
        discussion: """
        Examples:
          scratchnet explain im2col
          scratchnet explain im2col --shape 1x1x5x5 --filter 3x3 --stride 2 --pad 1
          scratchnet explain conv-size 6 6 --filter 2x2 --stride 1 --pad 1
        """,
        subcommands: [Im2colExplanation.self, ConvSizeExplanation.self])
}

/// `explain im2col`: the col matrix and col2im(col) for the course's batch or any shape.
struct Im2colExplanation: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "im2col",
        abstract: "Show im2col's col matrix and col2im(col) with the window counts (course 2_6).",
        discussion: """
        Without --shape this is the course's worked example (2_6, "im2colの処理確認"): a 2×1×4×4 \
        batch of the notes' random integers and a 3×3 filter, stride 1, pad 0. It prints the input, \
        the col matrix (one row per window, ordered (n, oh, ow); one column per (c, fh, fw)), then \
        col2im(col): every pixel multiplied by the number of windows covering it (×1 at a corner, \
        ×2 on an edge, ×4 in the centre), which is why col2im is not the inverse of im2col.
        With --shape the input holds 0, 1, 2, … in row-major order.

        Examples:
          scratchnet explain im2col
          scratchnet explain im2col --shape 1x2x4x4 --filter 2x2 --stride 2
          scratchnet explain im2col --shape 1x1x3x3 --filter 3x3 --pad 1
        """)

    @Option(help: "Input shape N×C×H×W, e.g. 1x1x5x5. (default: the course's 2x1x4x4 batch)",
            transform: { try parseDimensions($0, count: 4, option: "--shape", example: "2x1x4x4") })
    var shape: [Int]?

    @Option(help: "Filter height×width, e.g. 3x3 (or 3). (default: 3x3)",
            transform: { try parseDimensions($0, count: 2, option: "--filter", example: "3x3") })
    var filter: [Int] = [3, 3]

    @Option(help: "Stride S.")
    var stride: Int = 1

    @Option(help: "Zero padding P on every side.")
    var pad: Int = 0

    /// The largest input and col matrix printed (a wall of numbers past this helps nobody).
    static let maxInputElements = 4096
    static let maxColElements = 20_000

    func validate() throws {
        if let shape {
            let elements = shape.reduce(1, *)
            guard elements <= Self.maxInputElements else {
                throw ValidationError("--shape \(shape.map(String.init).joined(separator: "x")) has \(elements) elements; "
                                      + "explain im2col prints every one, so keep it to \(Self.maxInputElements) or fewer (e.g. 1x1x6x6).")
            }
        }
    }

    func run() throws {
        let inputShape = shape ?? ConvolutionExplanation.courseInput.shape
        let geometry: ConvolutionGeometry
        do {
            geometry = try ConvolutionGeometry(inputHeight: inputShape[2], inputWidth: inputShape[3], filterHeight: filter[0],
                                               filterWidth: filter[1], stride: stride, pad: pad)
        } catch {
            Console.error("cannot explain im2col: \(error). The output size is OH = (H + 2P − FH)/S + 1, "
                          + "OW = (W + 2P − FW)/S + 1, and both must be whole numbers of at least 1.")
            throw ExitCode.failure
        }
        let colElements = inputShape[0] * geometry.outputPositions * inputShape[1] * geometry.windowSize
        guard colElements <= Self.maxColElements else {
            Console.error("the col matrix would hold \(colElements) numbers, too many to print; "
                          + "use a smaller --shape or a larger --stride (at most \(Self.maxColElements)).")
            throw ExitCode.failure
        }
        let text: String
        if let shape {
            text = try ConvolutionExplanation.im2col(inputShape: shape, filterHeight: filter[0], filterWidth: filter[1],
                                                     stride: stride, pad: pad)
        } else {
            Console.line("The course's worked example (2_6): x = the notes' 2×1×4×4 batch of random integers")
            Console.line()
            text = try ConvolutionExplanation.im2col(input: ConvolutionExplanation.courseInput, filterHeight: filter[0],
                                                     filterWidth: filter[1], stride: stride, pad: pad)
        }
        Console.line(text)
    }
}

/// `explain conv-size`: the output-size formula for one input, filter, stride and padding.
struct ConvSizeExplanation: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv-size",
        abstract: "Work out a convolution's (or pooling's) output size: OH = (H + 2P − FH)/S + 1.",
        discussion: """
        The course's quiz: a 6×6 input, a 2×2 filter, stride 1 and padding 1 give a 7×7 output:
          scratchnet explain conv-size 6 6 --filter 2x2 --stride 1 --pad 1
          OH = (H + 2P − FH)/S + 1,  OW = (W + 2P − FW)/S + 1
          OH = (6 + 2·1 − 2)/1 + 1 = 7, OW = 7 → 7×7
        Sizes that do not fit (a fraction, or an output below 1×1) are an error that shows the formula.

        Examples:
          scratchnet explain conv-size 28 28 --filter 5x5
          scratchnet explain conv-size 28 --filter 5 --stride 2
        """)

    @Argument(help: "Input height H.")
    var height: Int

    @Argument(help: "Input width W. (default: H)")
    var width: Int?

    @Option(help: "Filter (or pooling window) height×width, e.g. 2x2 (or 2).",
            transform: { try parseDimensions($0, count: 2, option: "--filter", example: "2x2") })
    var filter: [Int]

    @Option(help: "Stride S.")
    var stride: Int = 1

    @Option(help: "Zero padding P on every side.")
    var pad: Int = 0

    func run() throws {
        let w = width ?? height
        do {
            _ = try ConvolutionGeometry(inputHeight: height, inputWidth: w, filterHeight: filter[0],
                                        filterWidth: filter[1], stride: stride, pad: pad)
        } catch {
            Console.error("\(error). The output size is OH = (H + 2P − FH)/S + 1, OW = (W + 2P − FW)/S + 1; "
                          + "both must be whole numbers of at least 1.")
            throw ExitCode.failure
        }
        Console.line("input \(height)×\(w), filter \(filter[0])×\(filter[1]), stride \(stride), pad \(pad)")
        Console.line(ConvolutionExplanation.outputSize(height: height, width: w, filterHeight: filter[0],
                                                       filterWidth: filter[1], stride: stride, pad: pad))
    }
}

/// "2x1x4x4" (or "2×1×4×4") → [2, 1, 4, 4]; a single number is repeated for a 2-D size ("3" → [3, 3]).
func parseDimensions(_ text: String, count: Int, option: String, example: String) throws -> [Int] {
    let parts = text.replacingOccurrences(of: "×", with: "x").lowercased()
        .split(separator: "x", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
    let values = parts.count == 1 && count == 2 ? [parts[0], parts[0]] : parts
    guard values.count == count, values.allSatisfy({ ($0 ?? 0) >= 1 }) else {
        throw ValidationError("\(option) must be \(count) positive whole numbers separated by x, e.g. \(option) \(example) (got \"\(text)\").")
    }
    return values.compactMap { $0 }
}
