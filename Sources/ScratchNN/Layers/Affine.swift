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
/// At inference it also reads images stored by their nonzero pixels (``SparseRows``): the
/// same product over the nonzeros only.
public final class Affine<Scalar: TensorScalar>: Layer, InputGradientOptional {
    public let weight: Parameter<Scalar>
    public let bias: Parameter<Scalar>
    private var input: Tensor<Scalar>?

    /// A layer with given initial weights and biases.
    public init(weight: Parameter<Scalar>, bias: Parameter<Scalar>) {
        precondition(weight.value.rank == 2 && bias.value.count == weight.value.shape[1],
                     "Affine needs W [d_in, d_out] and b [d_out], got \(weight.value.shape) and \(bias.value.shape)")
        self.weight = weight
        self.bias = bias
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
        input = x
        return Tensor.affine(x, weight.value, bias: bias.value)   // x·W + b
    }

    /// `x·W + b`, or `max(0, x·W + b)`: this layer and a following ReLU in one pass, at
    /// inference (``Network/predict(_:mode:)`` uses it; nothing is kept for a backward pass).
    public func forwardInference(_ x: Tensor<Scalar>, followedByReLU relu: Bool) -> Tensor<Scalar> {
        Tensor.affine(x, weight.value, bias: bias.value, activation: relu ? .relu : .identity)
    }

    /// ``forwardInference(_:followedByReLU:)`` for images stored by their nonzeros.
    public func forwardInference(_ x: SparseRows<Scalar>, followedByReLU relu: Bool) -> Tensor<Scalar> {
        x.affine(weight.value, bias: bias.value, activation: relu ? .relu : .identity)
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        let x = backwardParameters(dout)
        return Tensor.product(dout, weight.value, transposeB: true).reshaped(x.shape)   // dx = dout·Wᵀ
    }

    /// The parameter gradients only (`dW = xᵀ·dout`, `db = Σₙ dout`), without `dx`: for the
    /// first layer of a network, whose input needs no gradient. Returns the cached input.
    @discardableResult
    public func backwardParameters(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let x = input else { preconditionFailure("Affine.backward called before forward") }
        if weight.gradient.shape == weight.value.shape {
            MatMul.multiply(x, dout, transposeA: true, into: &weight.gradient)   // dW = xᵀ·dout
        } else {
            weight.gradient = Tensor.product(x, dout, transposeA: true)
        }
        bias.gradient = dout.sumRows()   // db = Σₙ dout
        return x
    }

    public var parameters: [Parameter<Scalar>] { [weight, bias] }
    public var summary: String { "Affine \(weight.value.shape[0])→\(weight.value.shape[1])" }
}
