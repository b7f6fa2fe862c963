// im2col / col2im: the course's trick that turns a convolution into one matrix product
// (course 2_6; book §7.4). The loops are tight pointer loops pre-specialized for Float
// and Double, like every element loop in ScratchTensor.

/// The sizes of one convolution or pooling window sliding over an image, with the
/// output size it produces:
///
/// ```
/// OH = (H + 2P − FH)/S + 1        OW = (W + 2P − FW)/S + 1
/// ```
/// The initializer checks that the division is exact and the output is at least 1×1,
/// and throws a ``ConvolutionSizeError`` that shows the formula otherwise (the course's
/// quiz: a 6×6 input, 2×2 filter, stride 1, pad 1 → 7×7).
public struct ConvolutionGeometry: Sendable, Equatable, CustomStringConvertible {
    public let inputHeight: Int
    public let inputWidth: Int
    public let filterHeight: Int
    public let filterWidth: Int
    public let stride: Int
    public let pad: Int
    public let outputHeight: Int
    public let outputWidth: Int

    /// A validated geometry.
    /// - Throws: ``ConvolutionSizeError`` when a size is not positive, the padding is
    ///   negative, the window does not fit, or the stride does not divide evenly.
    public init(inputHeight: Int, inputWidth: Int, filterHeight: Int, filterWidth: Int,
                stride: Int = 1, pad: Int = 0) throws(ConvolutionSizeError) {
        let input = [inputHeight, inputWidth], filter = [filterHeight, filterWidth]
        func fail(_ reason: ConvolutionSizeError.Reason, axis: Int = 0) -> ConvolutionSizeError {
            ConvolutionSizeError(reason: reason, input: input, filter: filter, stride: stride, pad: pad, axis: axis)
        }
        if let bad = input.firstIndex(where: { $0 < 1 }) { throw fail(.emptyInput, axis: bad) }
        if let bad = filter.firstIndex(where: { $0 < 1 }) { throw fail(.emptyFilter, axis: bad) }
        if stride < 1 { throw fail(.invalidStride) }
        if pad < 0 { throw fail(.negativePad) }
        var outputs = [0, 0]
        for axis in 0..<2 {
            let span = input[axis] + 2 * pad - filter[axis]
            if span < 0 { throw fail(.filterTooLarge, axis: axis) }
            if span % stride != 0 { throw fail(.notWhole, axis: axis) }
            outputs[axis] = span / stride + 1
        }
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.filterHeight = filterHeight
        self.filterWidth = filterWidth
        self.stride = stride
        self.pad = pad
        self.outputHeight = outputs[0]
        self.outputWidth = outputs[1]
    }

    /// A square filter over a square input.
    public init(inputSize: Int, filterSize: Int, stride: Int = 1, pad: Int = 0) throws(ConvolutionSizeError) {
        try self.init(inputHeight: inputSize, inputWidth: inputSize, filterHeight: filterSize,
                      filterWidth: filterSize, stride: stride, pad: pad)
    }

    /// The output size along one axis: `(input + 2·pad − filter)/stride + 1`.
    /// - Throws: ``ConvolutionSizeError`` when the division is not exact or the result is below 1.
    public static func outputSize(input: Int, filter: Int, stride: Int = 1, pad: Int = 0) throws(ConvolutionSizeError) -> Int {
        func fail(_ reason: ConvolutionSizeError.Reason) -> ConvolutionSizeError {
            ConvolutionSizeError(reason: reason, input: [input], filter: [filter], stride: stride, pad: pad, axis: 0)
        }
        if input < 1 { throw fail(.emptyInput) }
        if filter < 1 { throw fail(.emptyFilter) }
        if stride < 1 { throw fail(.invalidStride) }
        if pad < 0 { throw fail(.negativePad) }
        let span = input + 2 * pad - filter
        if span < 0 { throw fail(.filterTooLarge) }
        if span % stride != 0 { throw fail(.notWhole) }
        return span / stride + 1
    }

    /// Rows of the `col` matrix per image: OH·OW.
    public var outputPositions: Int { outputHeight * outputWidth }
    /// Elements of one window per channel: FH·FW.
    public var windowSize: Int { filterHeight * filterWidth }

    /// The worked formula for both axes, e.g.
    /// `OH = (6 + 2·1 − 2)/1 + 1 = 7, OW = 7 → 7×7`.
    public var description: String {
        let oh = ConvolutionSizeError.formula(input: inputHeight, filter: filterHeight, stride: stride, pad: pad)
        let sameFormula = inputHeight == inputWidth && filterHeight == filterWidth
        let ow = sameFormula ? "\(outputWidth)"
            : ConvolutionSizeError.formula(input: inputWidth, filter: filterWidth, stride: stride, pad: pad)
        return "OH = \(oh), OW = \(ow) → \(outputHeight)×\(outputWidth)"
    }

    /// The course's output-size formula worked through for `explain conv-size`: the general
    /// formula, then the numbers, e.g.
    /// ```
    /// OH = (H + 2P − FH)/S + 1,  OW = (W + 2P − FW)/S + 1
    /// OH = (6 + 2·1 − 2)/1 + 1 = 7, OW = 7 → 7×7
    /// ```
    /// When the sizes do not fit, the second line shows the formula and the reason instead.
    public static func explainOutputSize(inputHeight: Int, inputWidth: Int, filterHeight: Int, filterWidth: Int,
                                         stride: Int = 1, pad: Int = 0) -> String {
        let general = "OH = (H + 2P − FH)/S + 1,  OW = (W + 2P − FW)/S + 1"
        do {
            let g = try ConvolutionGeometry(inputHeight: inputHeight, inputWidth: inputWidth, filterHeight: filterHeight,
                                            filterWidth: filterWidth, stride: stride, pad: pad)
            return general + "\n" + g.description
        } catch {
            return general + "\n" + error.description
        }
    }
}

/// Why a filter or pooling window does not fit an input (see ``ConvolutionGeometry``).
///
/// The description names the sizes and works the formula, e.g.
/// "a 5×5 filter with stride 2 and padding 0 does not fit a 28×28 input evenly:
/// (28 + 2·0 − 5)/2 + 1 = 12.5; change the stride or padding".
public struct ConvolutionSizeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// `(H + 2P − FH)/S` is not a whole number.
        case notWhole
        /// The (padded) input is smaller than the window: the output would be empty.
        case filterTooLarge
        /// The stride is below 1.
        case invalidStride
        /// The padding is negative.
        case negativePad
        /// An input dimension is below 1.
        case emptyInput
        /// A filter dimension is below 1.
        case emptyFilter
    }

    public let reason: Reason
    /// Input size: `[H, W]`, or `[size]` from ``ConvolutionGeometry/outputSize(input:filter:stride:pad:)``.
    public let input: [Int]
    /// Filter size, in the same form as `input`.
    public let filter: [Int]
    public let stride: Int
    public let pad: Int
    /// The axis that does not fit: 0 (height) or 1 (width).
    public let axis: Int

    public init(reason: Reason, input: [Int], filter: [Int], stride: Int, pad: Int, axis: Int) {
        self.reason = reason
        self.input = input
        self.filter = filter
        self.stride = stride
        self.pad = pad
        self.axis = axis
    }

    /// The output size before rounding, e.g. 12.5 for a 28 input, 5 filter, stride 2.
    public var exactOutput: Double {
        Double(input[axis] + 2 * pad - filter[axis]) / Double(stride) + 1
    }

    /// `(input + 2·pad − filter)/stride + 1 = value`, with the value as a decimal when not whole.
    public static func formula(input: Int, filter: Int, stride: Int, pad: Int) -> String {
        let value = Double(input + 2 * pad - filter) / Double(Swift.max(stride, 1)) + 1
        return "(\(input) + 2·\(pad) − \(filter))/\(stride) + 1 = \(formatNumber(value))"
    }

    /// 7 → "7", 12.5 → "12.5", 9.333… → "≈ 9.33", −2 → "−2".
    static func formatNumber(_ value: Double) -> String {
        let sign = value < 0 ? "−" : ""
        let magnitude = Swift.abs(value)
        if magnitude == magnitude.rounded() { return sign + "\(Int(magnitude))" }
        let rounded = (magnitude * 100).rounded() / 100
        return (rounded == magnitude ? "" : "≈ ") + sign + "\(rounded)"
    }

    private var planar: Bool { input.count == 2 }
    private var inputText: String {
        planar ? "a \(input[0])×\(input[1]) input" : "an input of size \(input[0])"
    }
    private var filterText: String {
        planar ? "a \(filter[0])×\(filter[1]) filter" : "a filter of size \(filter[0])"
    }
    private var axisText: String {
        guard planar, input[0] != input[1] || filter[0] != filter[1] else { return "" }
        return axis == 0 ? " along the height" : " along the width"
    }
    private var formulaText: String {
        Self.formula(input: input[axis], filter: filter[axis], stride: stride, pad: pad)
    }

    public var description: String {
        switch reason {
        case .notWhole:
            return "\(filterText) with stride \(stride) and padding \(pad) does not fit \(inputText) evenly\(axisText): "
                + "\(formulaText); change the stride or padding"
        case .filterTooLarge:
            return "\(filterText) with padding \(pad) is larger than \(inputText)\(axisText): "
                + "\(formulaText), an empty output; use a smaller filter or more padding"
        case .invalidStride:
            return "the stride must be at least 1, got \(stride)"
        case .negativePad:
            return "the padding must be 0 or more, got \(pad)"
        case .emptyInput:
            return "the input size must be at least 1, got \(input.map(String.init).joined(separator: "×"))"
        case .emptyFilter:
            return "the filter size must be at least 1, got \(filter.map(String.init).joined(separator: "×"))"
        }
    }
}

// MARK: - im2col / col2im

/// Unrolls every filter window of a batch of images into one row of a matrix, so a
/// convolution becomes a single matrix product (course 2_6, book `im2col`).
///
/// ```
/// col[(n, oh, ow), (c, fh, fw)] = x_padded[n, c, oh·S + fh, ow·S + fw]
/// ```
/// Shapes: `x [N, C, H, W]` → `col [N·OH·OW, C·FH·FW]`: rows ordered (n, oh, ow),
/// columns (c, fh, fw); the padding is zeros.
/// - Precondition: `x` is `[N, C, geometry.inputHeight, geometry.inputWidth]`.
@_specialize(where T == Float)
@_specialize(where T == Double)
public func im2col<T: TensorScalar>(_ x: Tensor<T>, geometry g: ConvolutionGeometry) -> Tensor<T> {
    precondition(x.rank == 4 && x.shape[2] == g.inputHeight && x.shape[3] == g.inputWidth,
                 "im2col expects [N, C, \(g.inputHeight), \(g.inputWidth)], got \(x.shape)")
    let (n, c) = (x.shape[0], x.shape[1])
    var col = Tensor<T>(shape: [n * g.outputHeight * g.outputWidth, c * g.filterHeight * g.filterWidth])
    col.scalars.withUnsafeMutableBufferPointer { out in
        x.scalars.withUnsafeBufferPointer { src in
            forEachWindowLine(images: n, channels: c, g) { at, line, dx in
                for d in dx { out[at + d] = src[line + d] }
            }
        }
    }
    return col
}

/// Folds a `col` matrix back into images, **adding** the windows that overlap and
/// dropping the padding (book `col2im`; the backward pass of ``im2col(_:geometry:)``).
///
/// ```
/// x[n, c, h, w] = Σ col[(n, oh, ow), (c, fh, fw)]  over oh·S + fh − P = h, ow·S + fw − P = w
/// ```
/// So `col2im(im2col(x)) = x × (number of windows covering each pixel)`: for a 4×4 input
/// and a 3×3 filter, ×1 at the corners, ×2 on the edges, ×4 in the centre.
/// Shapes: `col [N·OH·OW, C·FH·FW]` → `[N, C, H, W]` (`inputShape`).
@_specialize(where T == Float)
@_specialize(where T == Double)
public func col2im<T: TensorScalar>(_ col: Tensor<T>, inputShape: [Int], geometry g: ConvolutionGeometry) -> Tensor<T> {
    precondition(inputShape.count == 4 && inputShape[2] == g.inputHeight && inputShape[3] == g.inputWidth,
                 "col2im expects an input shape [N, C, \(g.inputHeight), \(g.inputWidth)], got \(inputShape)")
    let (n, c) = (inputShape[0], inputShape[1])
    let (rows, columns) = (n * g.outputHeight * g.outputWidth, c * g.filterHeight * g.filterWidth)
    precondition(col.count == rows * columns, "col2im expects a [\(rows), \(columns)] matrix, got \(col.shape)")
    var x = Tensor<T>(shape: inputShape)
    x.scalars.withUnsafeMutableBufferPointer { out in
        col.scalars.withUnsafeBufferPointer { src in
            forEachWindowLine(images: n, channels: c, g) { at, line, dx in
                for d in dx { out[line + d] += src[at + d] }
            }
        }
    }
    return x
}

/// What im2col copies and col2im adds back, one filter line at a time: for each window (row
/// `(n, oh, ow)` of col) and each channel and filter row inside the image,
/// `body(at, line, dx)` pairs `col[at + d]` with `x[line + d]` for `d` in `dx`, the filter
/// columns that fall inside the image (the padding is skipped).
@inline(__always)
private func forEachWindowLine(images n: Int, channels c: Int, _ g: ConvolutionGeometry,
                               _ body: (_ at: Int, _ line: Int, _ dx: Range<Int>) -> Void) {
    let (h, w) = (g.inputHeight, g.inputWidth)
    let (oh, ow, fh, fw, s, p) = (g.outputHeight, g.outputWidth, g.filterHeight, g.filterWidth, g.stride, g.pad)
    var at = 0
    for ni in 0..<n {
        for y in 0..<oh {
            for xo in 0..<ow {
                let top = y * s - p, left = xo * s - p
                let dx = max(0, -left)..<max(0, min(fw, w - left))
                for ci in 0..<c {
                    let plane = (ni * c + ci) * h * w
                    for dy in 0..<fh {
                        let iy = top + dy
                        if iy >= 0 && iy < h { body(at, plane + iy * w + left, dx) }
                        at += fw
                    }
                }
            }
        }
    }
}

/// ``im2col(_:geometry:)`` with the book's arguments; checks the sizes first.
/// - Throws: ``ConvolutionSizeError`` when the filter does not fit `x` (`[N, C, H, W]`).
public func im2col<T: TensorScalar>(
    _ x: Tensor<T>, filterHeight: Int, filterWidth: Int, stride: Int = 1, pad: Int = 0
) throws(ConvolutionSizeError) -> Tensor<T> {
    precondition(x.rank == 4, "im2col expects [N, C, H, W], got \(x.shape)")
    let g = try ConvolutionGeometry(inputHeight: x.shape[2], inputWidth: x.shape[3], filterHeight: filterHeight,
                                    filterWidth: filterWidth, stride: stride, pad: pad)
    return im2col(x, geometry: g)
}

/// ``col2im(_:inputShape:geometry:)`` with the book's arguments; checks the sizes first.
/// - Throws: ``ConvolutionSizeError`` when the filter does not fit `inputShape` (`[N, C, H, W]`).
public func col2im<T: TensorScalar>(
    _ col: Tensor<T>, inputShape: [Int], filterHeight: Int, filterWidth: Int, stride: Int = 1, pad: Int = 0
) throws(ConvolutionSizeError) -> Tensor<T> {
    precondition(inputShape.count == 4, "col2im expects an input shape [N, C, H, W], got \(inputShape)")
    let g = try ConvolutionGeometry(inputHeight: inputShape[2], inputWidth: inputShape[3], filterHeight: filterHeight,
                                    filterWidth: filterWidth, stride: stride, pad: pad)
    return col2im(col, inputShape: inputShape, geometry: g)
}
