import ScratchTensor

/// Convolution layer computed through im2col (course 2_6; book §7.4 `Convolution`).
///
/// ```
/// forward:  col = im2col(x)                          [N·OH·OW, C·FH·FW]
///           out = col·W_colᵀ + b                     [N·OH·OW, FN] → reshaped to [N, FN, OH, OW]
/// backward: dout_rows = dout as [N·OH·OW, FN]
///           db = Σ dout_rows,  dW = (colᵀ·dout_rows)ᵀ,  dx = col2im(dout_rows·W_col)
/// ```
/// where `W_col` is `W` read as `[FN, C·FH·FW]` and OH = (H + 2P − FH)/S + 1 (likewise OW).
/// Every product goes through ``MatMul``.
///
/// Shapes: `x [N, C, H, W]` → `out [N, FN, OH, OW]`; `W [FN, C, FH, FW]`, `b [FN]`.
/// `dx` has `x`'s shape. The input padding is zeros.
public final class Convolution<Scalar: TensorScalar>: Layer {
    public let weight: Parameter<Scalar>
    public let bias: Parameter<Scalar>
    public let stride: Int
    public let pad: Int

    private var geometry: ConvolutionGeometry?
    private var inputShape: [Int] = []
    private var col: Tensor<Scalar>?

    /// Filter count FN.
    public var filters: Int { weight.value.shape[0] }
    /// Input channels C.
    public var channels: Int { weight.value.shape[1] }
    public var filterHeight: Int { weight.value.shape[2] }
    public var filterWidth: Int { weight.value.shape[3] }

    /// A layer with given filters `W [FN, C, FH, FW]` and biases `b [FN]`.
    public init(weight: Parameter<Scalar>, bias: Parameter<Scalar>, stride: Int = 1, pad: Int = 0) {
        precondition(weight.value.rank == 4 && bias.value.count == weight.value.shape[0],
                     "Convolution needs W [FN, C, FH, FW] and b [FN], got \(weight.value.shape) and \(bias.value.shape)")
        precondition(stride >= 1 && pad >= 0, "Convolution needs stride ≥ 1 and pad ≥ 0, got \(stride) and \(pad)")
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.pad = pad
    }

    /// `filters` filters of `channels × filterHeight × filterWidth` drawn by `initializer`
    /// with fan-in C·FH·FW (the book's DeepConvNet rule), and zero biases.
    /// `index` numbers the parameters as the course does (`W1`, `b1`, ...).
    public convenience init(
        channels: Int, filters: Int, filterHeight: Int, filterWidth: Int, stride: Int = 1, pad: Int = 0,
        initializer: WeightInit, index: Int, using rng: inout RandomGenerator
    ) {
        let shape = [filters, channels, filterHeight, filterWidth]
        let w = initializer.sample(shape: shape, fanIn: channels * filterHeight * filterWidth, using: &rng, as: Scalar.self)
        self.init(weight: Parameter(name: "W\(index)", kind: .weight, value: w),
                  bias: Parameter(name: "b\(index)", kind: .bias, value: Tensor(shape: [filters])),
                  stride: stride, pad: pad)
    }

    /// The output size for an input of `height × width`.
    /// - Throws: ``ConvolutionSizeError`` when the filters do not fit.
    public func geometry(height: Int, width: Int) throws(ConvolutionSizeError) -> ConvolutionGeometry {
        try ConvolutionGeometry(inputHeight: height, inputWidth: width, filterHeight: filterHeight,
                                filterWidth: filterWidth, stride: stride, pad: pad)
    }

    private func geometry(for x: Tensor<Scalar>) -> ConvolutionGeometry {
        precondition(x.rank == 4 && x.shape[1] == channels,
                     "\(summary) expects [N, \(channels), H, W], got \(x.shape)")
        if let g = geometry, g.inputHeight == x.shape[2], g.inputWidth == x.shape[3] { return g }
        do {
            let g = try geometry(height: x.shape[2], width: x.shape[3])
            geometry = g
            return g
        } catch {
            preconditionFailure("\(summary): \(error)")
        }
    }

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        let g = geometry(for: x)
        let col = im2col(x, geometry: g)
        self.col = col
        inputShape = x.shape
        let rows = MatMul.multiply(col, weight.value, transposeB: true)   // [N·OH·OW, FN]
        return rows.channelsFirst(batch: x.shape[0], height: g.outputHeight, width: g.outputWidth, addingBias: bias.value)
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let col, let g = geometry else { preconditionFailure("Convolution.backward called before forward") }
        let rows = dout.channelsLast()                                      // [N·OH·OW, FN]
        bias.gradient = dout.channelSums()
        weight.gradient = MatMul.multiply(rows, col, transposeA: true).reshaped(weight.value.shape)
        let dcol = MatMul.multiply(rows, weight.value)                      // [N·OH·OW, C·FH·FW]
        return col2im(dcol, inputShape: inputShape, geometry: g)
    }

    public var parameters: [Parameter<Scalar>] { [weight, bias] }
    public var summary: String {
        "Convolution \(filters)×\(channels)×\(filterHeight)×\(filterWidth) (stride \(stride), pad \(pad))"
    }
}
