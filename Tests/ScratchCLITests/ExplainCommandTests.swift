import Foundation
import TestSupport
import XCTest

/// `scratchnet explain`: the course's im2col example and the output-size quiz.
final class ExplainCommandTests: XCTestCase {
    func testIm2colPrintsTheCoursesWorkedExample() throws {
        let result = try ScratchNetBinary.run(["explain", "im2col"])
        XCTAssertEqual(result.exitCode, 0, result.output)
        let out = result.standardOutput
        for expected in [
            "im2col: input 2×1×4×4 (N×C×H×W), filter 3×3, stride 1, pad 0",
            "OH = (4 + 2·0 − 3)/1 + 1 = 2, OW = 2 → 2×2",
            "col has N·OH·OW = 2·2·2 = 8 rows",
            "C·FH·FW = 1·3·3 = 9 columns",
            // The notes' random integers, first image, first and last window.
            "36 81 79 54",
            "(0, 0, 0)  [36 81 79  6 72  5 57  4 37]",
            "(1, 1, 1)  [72 53 34 18 52 31 38 10 93]",
            "(×1 at a corner, ×2 on an edge, ×4 in the centre)",
            // col2im(col): 72 is covered by all four windows, 81 by two, 36 by one.
            "36 162 158  54",
            "12 288  20 174",
            "1 2 2 1",
            "2 4 4 2",
        ] {
            XCTAssertTrue(out.contains(expected), "explain im2col lacks \"\(expected)\":\n\(out)")
        }
        XCTAssertEqual(out.components(separatedBy: "(0, ").count - 1, 4, "8 rows, 4 for image 0")
    }

    func testIm2colForAGivenShape() throws {
        let result = try ScratchNetBinary.run(["explain", "im2col", "--shape", "1x2x3x3", "--filter", "2x2", "--stride", "1", "--pad", "0"])
        XCTAssertEqual(result.exitCode, 0, result.output)
        let out = result.standardOutput
        XCTAssertTrue(out.contains("im2col: input 1×2×3×3 (N×C×H×W), filter 2×2, stride 1, pad 0"), out)
        XCTAssertTrue(out.contains("C·FH·FW = 2·2·2 = 8 columns"), out)
        // Input 0…17: the first window reads 0 1 3 4 from channel 0 and 9 10 12 13 from channel 1.
        XCTAssertTrue(out.contains("(0, 0, 0)  [ 0  1  3  4  9 10 12 13]"), out)
        XCTAssertFalse(out.contains("worked example"), out)

        let padded = try ScratchNetBinary.run(["explain", "im2col", "--shape", "1x1x2x2", "--filter", "3", "--pad", "1"])
        XCTAssertEqual(padded.exitCode, 0, padded.output)
        XCTAssertTrue(padded.standardOutput.contains("(padding reads as 0)"), padded.output)
        XCTAssertTrue(padded.standardOutput.contains("OH = (2 + 2·1 − 3)/1 + 1 = 2"), padded.output)
    }

    func testConvSizeAnswersTheCoursesQuiz() throws {
        let result = try ScratchNetBinary.run(["explain", "conv-size", "6", "6", "--filter", "2x2", "--stride", "1", "--pad", "1"])
        XCTAssertEqual(result.exitCode, 0, result.output)
        XCTAssertTrue(result.standardOutput.contains("OH = (H + 2P − FH)/S + 1,  OW = (W + 2P − FW)/S + 1"), result.output)
        XCTAssertTrue(result.standardOutput.contains("OH = (6 + 2·1 − 2)/1 + 1 = 7, OW = 7 → 7×7"), result.output)

        let square = try ScratchNetBinary.run(["explain", "conv-size", "28", "--filter", "5"])
        XCTAssertEqual(square.exitCode, 0, square.output)
        XCTAssertTrue(square.standardOutput.contains("→ 24×24"), square.output)

        let rectangle = try ScratchNetBinary.run(["explain", "conv-size", "7", "9", "--filter", "3x5", "--stride", "2"])
        XCTAssertEqual(rectangle.exitCode, 0, rectangle.output)
        XCTAssertTrue(rectangle.standardOutput.contains("→ 3×3"), rectangle.output)
    }

    func testSizesThatDoNotFitGiveTheFormulaAndANonZeroExit() throws {
        let uneven = try ScratchNetBinary.run(["explain", "conv-size", "28", "28", "--filter", "5x5", "--stride", "2"])
        XCTAssertNotEqual(uneven.exitCode, 0)
        XCTAssertTrue(uneven.standardError.hasPrefix("error: a 5×5 filter with stride 2 and padding 0 does not fit a 28×28 input evenly: "
                                                     + "(28 + 2·0 − 5)/2 + 1 = 12.5"), uneven.output)
        XCTAssertTrue(uneven.standardError.contains("OH = (H + 2P − FH)/S + 1"), uneven.output)
        XCTAssertEqual(uneven.standardOutput, "")

        let tooLarge = try ScratchNetBinary.run(["explain", "im2col", "--shape", "1x1x4x4", "--filter", "5x5"])
        XCTAssertNotEqual(tooLarge.exitCode, 0)
        XCTAssertTrue(tooLarge.standardError.contains("is larger than a 4×4 input"), tooLarge.output)
        XCTAssertTrue(tooLarge.standardError.contains("(4 + 2·0 − 5)/1 + 1 = 0"), tooLarge.output)

        let cases: [([String], String)] = [
            (["im2col", "--shape", "2x1x4"], "--shape must be 4 positive whole numbers separated by x"),
            (["im2col", "--filter", "0x3"], "--filter must be 2 positive whole numbers"),
            (["im2col", "--shape", "1x1x100x100"], "keep it to 4096 or fewer"),
            (["im2col", "--stride", "0"], "the stride must be at least 1"),
            (["conv-size", "6", "6", "--filter", "2x2", "--pad=-1"], "the padding must be 0 or more"),
            (["conv-size", "6", "6"], "--filter"),
        ]
        for (arguments, message) in cases {
            let result = try ScratchNetBinary.run(["explain"] + arguments)
            XCTAssertNotEqual(result.exitCode, 0, "\(arguments)")
            XCTAssertTrue(result.standardError.contains(message), "\(arguments): \(result.output)")
        }
    }

    func testHelpShowsDefaultsAndExamples() throws {
        let im2col = try ScratchNetBinary.run(["explain", "im2col", "--help"])
        XCTAssertEqual(im2col.exitCode, 0)
        for expected in ["--shape", "(default: the course's 2x1x4x4 batch)", "--filter", "(default: 3x3)", "--stride",
                         "(default: 1)", "--pad", "(default: 0)", "scratchnet explain im2col --shape 1x2x4x4 --filter 2x2 --stride 2"] {
            XCTAssertTrue(flattened(im2col.standardOutput).contains(expected), "explain im2col --help lacks \(expected)")
        }
        let convSize = try ScratchNetBinary.run(["explain", "conv-size", "--help"])
        XCTAssertEqual(convSize.exitCode, 0)
        for expected in ["<height>", "<width>", "--filter", "--stride", "(default: 1)", "--pad", "(default: 0)",
                         "scratchnet explain conv-size 6 6 --filter 2x2 --stride 1 --pad 1", "→ 7×7"] {
            XCTAssertTrue(flattened(convSize.standardOutput).contains(expected), "explain conv-size --help lacks \(expected)")
        }
        let explain = try ScratchNetBinary.run(["explain", "--help"])
        XCTAssertTrue(explain.standardOutput.contains("im2col") && explain.standardOutput.contains("conv-size"), explain.output)
    }
}

/// Help text with every run of spaces and line breaks as one space (the help is wrapped to the terminal).
private func flattened(_ text: String) -> String {
    text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
}
