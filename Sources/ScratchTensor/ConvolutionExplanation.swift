/// Text renderings of the course's convolution examples, for `scratchnet explain`
/// (pure functions: they return the text and print nothing).
public enum ConvolutionExplanation {
    /// The notes' worked example (course 2_6, "im2colの処理確認"): a 2×1×4×4 batch of
    /// random integers whose `im2col` and `col2im` the notes print.
    public static let courseInput = Tensor<Double>(shape: [2, 1, 4, 4], scalars: [
        36, 81, 79, 54, 6, 72, 5, 87, 57, 4, 37, 8, 78, 42, 79, 61,
        33, 38, 44, 78, 19, 72, 53, 34, 92, 18, 52, 31, 13, 38, 10, 93,
    ])

    /// `im2col` worked through on an input of `inputShape` holding 0, 1, 2, … (default: the
    /// course's 2×1×4×4 batch and a 3×3 filter): the input, the `col` matrix with its row
    /// (n, oh, ow) and column (c, fh, fw) labels, and `col2im(col)` beside `x` and the number
    /// of windows covering each pixel (×1 corner, ×2 edge, ×4 centre).
    /// - Throws: ``ConvolutionSizeError`` when the filter does not fit the input.
    public static func im2col(
        inputShape: [Int] = [2, 1, 4, 4], filterHeight: Int = 3, filterWidth: Int = 3, stride: Int = 1, pad: Int = 0
    ) throws(ConvolutionSizeError) -> String {
        precondition(inputShape.count == 4, "explain im2col needs an input shape [N, C, H, W], got \(inputShape)")
        let count = inputShape.reduce(1, *)
        return try im2col(input: Tensor(shape: inputShape, scalars: (0..<count).map(Double.init)),
                          filterHeight: filterHeight, filterWidth: filterWidth, stride: stride, pad: pad)
    }

    /// `im2col` worked through on a given `[N, C, H, W]` input (see ``im2col(inputShape:filterHeight:filterWidth:stride:pad:)``).
    public static func im2col(
        input x: Tensor<Double>, filterHeight: Int = 3, filterWidth: Int = 3, stride: Int = 1, pad: Int = 0
    ) throws(ConvolutionSizeError) -> String {
        precondition(x.rank == 4, "explain im2col needs an input [N, C, H, W], got \(x.shape)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let g = try ConvolutionGeometry(inputHeight: h, inputWidth: w, filterHeight: filterHeight,
                                        filterWidth: filterWidth, stride: stride, pad: pad)
        let col = ScratchTensor.im2col(x, geometry: g)
        let back = col2im(col, inputShape: x.shape, geometry: g)
        let ones = Tensor<Double>(shape: [1, 1, h, w], repeating: 1)
        let counts = col2im(ScratchTensor.im2col(ones, geometry: g), inputShape: ones.shape, geometry: g)

        var lines: [String] = []
        lines.append("im2col: input \(n)×\(c)×\(h)×\(w) (N×C×H×W), filter \(filterHeight)×\(filterWidth), stride \(stride), pad \(pad)")
        lines.append(g.description)
        lines.append("col has N·OH·OW = \(n)·\(g.outputHeight)·\(g.outputWidth) = \(col.rows) rows, ordered (n, oh, ow),")
        lines.append("and C·FH·FW = \(c)·\(filterHeight)·\(filterWidth) = \(col.columns) columns, ordered (c, fh, fw)")
        lines.append("")

        lines.append("input x")
        for ni in 0..<n {
            for ci in 0..<c {
                lines.append("x[\(ni), \(ci)]")
                lines += grid(plane(x, ni, ci)).map { "  " + $0 }
            }
        }
        lines.append("")

        lines.append("col = im2col(x)" + (pad > 0 ? "   (padding reads as 0)" : ""))
        let colRows = (0..<col.rows).map { r in (0..<col.columns).map { col.scalars[r * col.columns + $0] } }
        let labels = (0..<col.rows).map { r -> String in
            let ni = r / g.outputPositions, rest = r % g.outputPositions
            return "(\(ni), \(rest / g.outputWidth), \(rest % g.outputWidth))"
        }
        let labelWidth = labels.map(\.count).max() ?? 0
        for (label, row) in zip(labels, grid(colRows)) {
            lines.append("  " + padLeft(label, labelWidth) + "  [" + row + "]")
        }
        lines.append("")

        lines.append("col2im(col) adds the overlapping windows back: each pixel × the number of windows covering it")
        let countRows = plane(counts, 0, 0)
        let corner = countRows[0][0], centre = countRows[h / 2][w / 2], edge = countRows[0][w / 2]
        if h >= 3 && w >= 3 && corner < edge && edge < centre {
            lines.append("(×\(number(corner)) at a corner, ×\(number(edge)) on an edge, ×\(number(centre)) in the centre)")
        }
        for ni in 0..<n {
            for ci in 0..<c {
                lines.append("n = \(ni), c = \(ci)")
                lines += sideBySide([("col2im(col)", grid(plane(back, ni, ci))),
                                     ("x", grid(plane(x, ni, ci))),
                                     ("windows", grid(countRows))],
                                    joiners: [" = ", " × "]).map { "  " + $0 }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `explain conv-size`: the output-size formula worked through, e.g.
    /// `OH = (6 + 2·1 − 2)/1 + 1 = 7, OW = 7 → 7×7` (see
    /// ``ConvolutionGeometry/explainOutputSize(inputHeight:inputWidth:filterHeight:filterWidth:stride:pad:)``).
    public static func outputSize(height: Int, width: Int, filterHeight: Int, filterWidth: Int,
                                  stride: Int = 1, pad: Int = 0) -> String {
        ConvolutionGeometry.explainOutputSize(inputHeight: height, inputWidth: width, filterHeight: filterHeight,
                                              filterWidth: filterWidth, stride: stride, pad: pad)
    }

    // MARK: Formatting

    private static func plane(_ t: Tensor<Double>, _ n: Int, _ c: Int) -> [[Double]] {
        let (h, w) = (t.shape[2], t.shape[3])
        let base = (n * t.shape[1] + c) * h * w
        return (0..<h).map { y in (0..<w).map { t.scalars[base + y * w + $0] } }
    }

    static func number(_ v: Double) -> String {
        if v == v.rounded() && Swift.abs(v) < 1e15 { return "\(Int(v))" }
        return "\((v * 100).rounded() / 100)"
    }

    private static func padLeft(_ s: String, _ width: Int) -> String {
        String(repeating: " ", count: Swift.max(0, width - s.count)) + s
    }

    /// Rows of right-aligned numbers sharing one column width.
    private static func grid(_ rows: [[Double]]) -> [String] {
        let texts = rows.map { $0.map(number) }
        let width = texts.flatMap { $0 }.map(\.count).max() ?? 1
        return texts.map { $0.map { padLeft($0, width) }.joined(separator: " ") }
    }

    /// Blocks of equal height placed side by side under their titles.
    private static func sideBySide(_ blocks: [(title: String, rows: [String])], joiners: [String]) -> [String] {
        let widths = blocks.map { block in Swift.max(block.title.count, block.rows.map(\.count).max() ?? 0) }
        func left(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: Swift.max(0, width - s.count)) }
        let height = blocks.map(\.rows.count).max() ?? 0
        var lines: [String] = []
        var header = ""
        for (i, block) in blocks.enumerated() {
            header += left(block.title, widths[i])
            if i < joiners.count { header += String(repeating: " ", count: joiners[i].count) }
        }
        lines.append(header)
        for r in 0..<height {
            var line = ""
            for (i, block) in blocks.enumerated() {
                line += left(r < block.rows.count ? block.rows[r] : "", widths[i])
                if i < joiners.count { line += r == height / 2 ? joiners[i] : String(repeating: " ", count: joiners[i].count) }
            }
            lines.append(line)
        }
        return lines.map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
    }
}
