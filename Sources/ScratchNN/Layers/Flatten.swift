import ScratchTensor

/// Flattens each image of a batch into one row (between convolution/pooling and Affine
/// layers; ``Affine`` also accepts images directly and reads them the same way).
///
/// ```
/// forward:  out = x.reshape(N, C·H·W)
/// backward: dx = dout.reshape(N, C, H, W)
/// ```
/// Shapes: `x [N, C, H, W]` (any rank ≥ 2) → `out [N, C·H·W]`; `dx` has `x`'s shape.
public final class Flatten<Scalar: TensorScalar>: Layer {
    private var inputShape: [Int]?
    /// The last output shape, used again while it stays the same (no new array per step).
    private var outputShape: [Int] = []
    public init() {}

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        if inputShape != x.shape { inputShape = x.shape }
        if outputShape.count != 2 || outputShape[0] != x.rows || outputShape[1] != x.columns {
            outputShape = [x.rows, x.columns]
        }
        return x.reshaped(outputShape)
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let inputShape else { preconditionFailure("Flatten.backward called before forward") }
        return dout.reshaped(inputShape)
    }

    public var summary: String { "Flatten" }
}
