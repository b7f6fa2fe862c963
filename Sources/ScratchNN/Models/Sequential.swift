import ScratchTensor

/// A network made of any layers in order, ending in ``SoftmaxWithLoss``:
/// for composing your own architectures.
public final class Sequential<Scalar: TensorScalar>: Network {
    public let layers: [any Layer<Scalar>]
    public let lossLayer = SoftmaxWithLoss<Scalar>()
    public let weightDecay: WeightDecay

    public init(_ layers: [any Layer<Scalar>], weightDecay: WeightDecay = .none) {
        self.layers = layers
        self.weightDecay = weightDecay
    }
}
