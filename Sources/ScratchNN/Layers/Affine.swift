import ScratchTensor

/// Fully connected layer (course Day 1 recap; every network of Day 2).
///
/// ```
/// forward:  out = x·W + b
/// backward: dx = dout·Wᵀ,  dW = xᵀ·dout,  db = Σₙ dout
/// ```
/// Shapes: `x [N, d_in]` (or `[N, C, H, W]`, read as `[N, C·H·W]`) →
/// `out [N, d_out]`; `W [d_in, d_out]`, `b [d_out]`. `dx` has `x`'s shape.
///
/// As a network's first layer it also reads images stored by their nonzero pixels
/// (``SparseRows``), in training and at inference: the same products over the nonzeros only.
///
/// In training, `out` and `dx` are written over the layer's tensors of the step before (no
/// allocation once the shapes are known); the input is let go once the backward pass has used
/// it, so the previous layer's output is its own again.
public final class Affine<Scalar: TensorScalar>: Layer, InputGradientOptional, StatelessInference {
    public let weight: Parameter<Scalar>
    public let bias: Parameter<Scalar>
    public let parameters: [Parameter<Scalar>]
    private var input: Input?
    private var output = Tensor<Scalar>()
    private var inputGradient = Tensor<Scalar>()

    /// The last training-mode input, kept for `dW = xᵀ·dout` until the backward pass.
    private enum Input {
        case dense(Tensor<Scalar>)
        case sparse(SparseRows<Scalar>)
    }

    /// A layer with given initial weights and biases.
    public init(weight: Parameter<Scalar>, bias: Parameter<Scalar>) {
        precondition(weight.value.rank == 2 && bias.value.count == weight.value.shape[1],
                     "Affine needs W [d_in, d_out] and b [d_out], got \(weight.value.shape) and \(bias.value.shape)")
        self.weight = weight
        self.bias = bias
        parameters = [weight, bias]
    }

    /// A `d_in → d_out` layer with weights drawn by `initializer` and zero biases.
    /// `index` numbers the parameters as the course does (`W1`, `b1`, ...).
    public convenience init(
        inputSize: Int, outputSize: Int, initializer: WeightInit, index: Int, using rng: inout RandomGenerator
    ) {
        let w = initializer.sample(shape: [inputSize, outputSize], fanIn: inputSize, using: &rng, as: Scalar.self)
        self.init(weight: Parameter(name: "W\(index)", kind: .weight, value: w),
                  bias: Parameter(name: "b\(index)", kind: .bias, value: Tensor(shape: [outputSize])))
    }

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        guard mode == .training else { return Tensor.affine(x, weight.value, bias: bias.value) }
        input = .dense(x)
        Tensor.affine(x, weight.value, bias: bias.value, into: &output)   // x·W + b
        return output
    }

    /// ``forward(_:mode:)`` for images stored by their nonzeros: `x·W + b` over the nonzeros,
    /// keeping the sparse rows for the backward pass (in training).
    public func forward(_ x: SparseRows<Scalar>, mode: Mode) -> Tensor<Scalar> {
        guard mode == .training else { return x.affine(weight.value, bias: bias.value) }
        input = .sparse(x)
        x.affine(weight.value, bias: bias.value, into: &output)   // x·W + b
        return output
    }

    /// `x·W + b`, or with `activation` `.relu` / `.sigmoid` this layer and a following ReLU or
    /// Sigmoid in one pass, at inference (``Network/predict(_:mode:)`` uses it; nothing is kept
    /// for a backward pass; the same numbers as the two layers one after the other).
    /// With `rows`, only those rows of `x`, read in place.
    public func forwardInference(_ x: Tensor<Scalar>, rows: Range<Int>? = nil,
                                 followedBy activation: AffineActivation) -> Tensor<Scalar> {
        Tensor.affine(x, weight.value, bias: bias.value, activation: activation, rows: rows)
    }

    /// ``forwardInference(_:rows:followedBy:)`` for images stored by their nonzeros.
    public func forwardInference(_ x: SparseRows<Scalar>, rows: Range<Int>? = nil,
                                 followedBy activation: AffineActivation) -> Tensor<Scalar> {
        x.affine(weight.value, bias: bias.value, activation: activation, rows: rows)
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        let shape = switch input {
        case .dense(let x): x.shape
        case .sparse(let x): x.shape
        case nil: preconditionFailure("Affine.backward needs a training-mode forward first (each one's input serves one backward pass)")
        }
        backwardParameters(dout)
        Tensor.product(dout, weight.value, transposeB: true, into: &inputGradient)   // dx = dout·Wᵀ
        if inputGradient.shape != shape { inputGradient.reshape(shape) }
        return inputGradient
    }

    /// The parameter gradients only (`dW = xᵀ·dout`, `db = Σₙ dout`), without `dx`: for the
    /// first layer of a network, whose input needs no gradient.
    public func backwardParameters(_ dout: Tensor<Scalar>) {
        guard let input else { preconditionFailure("Affine.backward needs a training-mode forward first (each one's input serves one backward pass)") }
        self.input = nil
        if weight.gradient.shape != weight.value.shape { weight.gradient = Tensor(shape: weight.value.shape) }
        switch input {
        case .dense(let x): MatMul.multiply(x, dout, transposeA: true, into: &weight.gradient)   // dW = xᵀ·dout
        case .sparse(let x): x.transposedProduct(dout, into: &weight.gradient)   // dW = xᵀ·dout over the nonzeros
        }
        dout.sumRows(into: &bias.gradient)   // db = Σₙ dout
    }

    public func snapshot() -> any Layer<Scalar> { Affine(weight: weight.snapshot(), bias: bias.snapshot()) }

    public var summary: String { "Affine \(weight.value.shape[0])→\(weight.value.shape[1])" }
}
