import ScratchTensor

/// Max pooling (course Section 4-2 and 2_6; book §7.4 `Pooling`).
///
/// ```
/// forward:  out[n, c, i, j] = max over the window (i·S + 0..<PH, j·S + 0..<PW) of x_padded[n, c]
/// backward: dx = dout routed to the element that won each window (0 elsewhere)
/// ```
/// The first maximum (row by row through the window) wins ties, as NumPy's `argmax`
/// does in the book, and only it receives the gradient. Padding reads as zeros, as in
/// the book. Computed per window directly, not through im2col; a training pass records each
/// window's winner in one byte for the backward pass (an inference pass records nothing).
///
/// Shapes: `x [N, C, H, W]` → `out [N, C, OH, OW]` with OH = (H + 2P − PH)/S + 1
/// (likewise OW). Every network in the course uses 2×2 windows with stride 2.
public final class MaxPooling<Scalar: TensorScalar>: PoolingLayer {
    public static var name: String { "MaxPooling" }
    public let poolHeight: Int
    public let poolWidth: Int
    public let stride: Int
    public let pad: Int
    private var inputShape: [Int] = []
    /// What the backward pass routes by: each window's winner (one byte per window, recorded
    /// in training), or the input itself (inference: the winners are found again if asked).
    private var winners: [UInt8]?
    private var input: Tensor<Scalar>?
    /// Flat winner indices, for windows too large for one byte.
    private var argmax: [Int]?
    private var cachedGeometry: ConvolutionGeometry?

    /// A `poolHeight × poolWidth` window moved by `stride` (default: the window's height).
    public init(poolHeight: Int = 2, poolWidth: Int = 2, stride: Int? = nil, pad: Int = 0) {
        Self.checkWindow(poolHeight, poolWidth, stride, pad)
        self.poolHeight = poolHeight
        self.poolWidth = poolWidth
        self.stride = stride ?? poolHeight
        self.pad = pad
    }

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        let g = poolingGeometry(x, cached: &cachedGeometry, layer: summary, make: geometry)
        inputShape = x.shape
        (winners, input, argmax) = (nil, nil, nil)
        guard g.windowSize < Int(Pool2D.paddingWon) else {
            let (out, argmax) = Pool2D.maxForward(x, geometry: g)
            self.argmax = argmax
            return out
        }
        let training = mode == .training
        let (out, winners) = Pool2D.maxForward(x, geometry: g, recordingWinners: training)
        if training { self.winners = winners } else { input = x }
        return out
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        if let argmax { return Pool2D.maxBackward(dout, argmax: argmax, inputShape: inputShape) }
        guard let g = cachedGeometry else { preconditionFailure("MaxPooling.backward called before forward") }
        if winners == nil, let input {
            winners = Pool2D.maxForward(input, geometry: g, recordingWinners: true).winners
        }
        guard let winners else { preconditionFailure("MaxPooling.backward called before forward") }
        return Pool2D.maxBackward(dout, winners: winners, inputShape: inputShape, geometry: g)
    }

}

/// Average pooling (course Section 4-2, named beside max pooling).
///
/// ```
/// forward:  out[n, c, i, j] = mean over the window of x_padded[n, c]
/// backward: dx = each dout spread evenly, dout / (PH·PW), over its window
/// ```
/// Padding reads as zeros and counts in the mean. Shapes: `x [N, C, H, W]` →
/// `out [N, C, OH, OW]` with OH = (H + 2P − PH)/S + 1 (likewise OW).
public final class AveragePooling<Scalar: TensorScalar>: PoolingLayer {
    public static var name: String { "AveragePooling" }
    public let poolHeight: Int
    public let poolWidth: Int
    public let stride: Int
    public let pad: Int
    private var inputShape: [Int] = []
    private var cachedGeometry: ConvolutionGeometry?

    /// A `poolHeight × poolWidth` window moved by `stride` (default: the window's height).
    public init(poolHeight: Int = 2, poolWidth: Int = 2, stride: Int? = nil, pad: Int = 0) {
        Self.checkWindow(poolHeight, poolWidth, stride, pad)
        self.poolHeight = poolHeight
        self.poolWidth = poolWidth
        self.stride = stride ?? poolHeight
        self.pad = pad
    }

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        let g = poolingGeometry(x, cached: &cachedGeometry, layer: summary, make: geometry)
        inputShape = x.shape
        return Pool2D.averageForward(x, geometry: g)
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let g = cachedGeometry, !inputShape.isEmpty else {
            preconditionFailure("AveragePooling.backward called before forward")
        }
        return Pool2D.averageBackward(dout, inputShape: inputShape, geometry: g)
    }

}

/// What max and average pooling share: the window, its output size and the summary.
public protocol PoolingLayer<Scalar>: Layer {
    static var name: String { get }
    var poolHeight: Int { get }
    var poolWidth: Int { get }
    var stride: Int { get }
    var pad: Int { get }
    /// A `poolHeight × poolWidth` window moved by `stride` (default: the window's height).
    init(poolHeight: Int, poolWidth: Int, stride: Int?, pad: Int)
}

extension PoolingLayer {
    /// A square `size × size` window moved by `stride` (default: `size`).
    public init(size: Int, stride: Int? = nil, pad: Int = 0) {
        self.init(poolHeight: size, poolWidth: size, stride: stride ?? size, pad: pad)
    }

    /// The output size for an input of `height × width`.
    /// - Throws: ``ConvolutionSizeError`` when the window does not fit.
    public func geometry(height: Int, width: Int) throws(ConvolutionSizeError) -> ConvolutionGeometry {
        try ConvolutionGeometry(inputHeight: height, inputWidth: width, filterHeight: poolHeight,
                                filterWidth: poolWidth, stride: stride, pad: pad)
    }

    public var summary: String { "\(Self.name) \(poolHeight)×\(poolWidth) (stride \(stride)\(pad > 0 ? ", pad \(pad)" : ""))" }

    static func checkWindow(_ height: Int, _ width: Int, _ stride: Int?, _ pad: Int) {
        precondition(height >= 1 && width >= 1 && (stride ?? 1) >= 1 && pad >= 0,
                     "\(name) needs a positive window and stride and pad ≥ 0")
    }
}

/// The geometry for `x`, reusing the cached one while the image size stays the same.
private func poolingGeometry<T: TensorScalar>(
    _ x: Tensor<T>, cached: inout ConvolutionGeometry?, layer: String,
    make: (Int, Int) throws(ConvolutionSizeError) -> ConvolutionGeometry
) -> ConvolutionGeometry {
    precondition(x.rank == 4, "\(layer) expects [N, C, H, W], got \(x.shape)")
    if let g = cached, g.inputHeight == x.shape[2], g.inputWidth == x.shape[3] { return g }
    do {
        let g = try make(x.shape[2], x.shape[3])
        cached = g
        return g
    } catch {
        preconditionFailure("\(layer): \(error)")
    }
}
