import ScratchTensor

/// A classifier built as a stack of layers ending in ``SoftmaxWithLoss``.
///
/// ``MultiLayerNet``, ``Sequential`` and the course's convolutional networks
/// conform; prediction, loss, accuracy, backpropagation and numerical
/// gradients are written once here.
public protocol Network<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar
    /// The layers in forward order (without the loss layer).
    var layers: [any Layer<Scalar>] { get }
    /// The output layer and loss.
    var lossLayer: SoftmaxWithLoss<Scalar> { get }
    /// The weight-decay penalty included in the loss and its gradient.
    var weightDecay: WeightDecay { get }
}

extension Network {
    /// Every learnable parameter, layer by layer (the optimizer's flat list).
    public var parameters: [Parameter<Scalar>] { layers.flatMap { $0.parameters } }

    /// The class scores (before softmax) for a batch.
    public func predict(_ x: Tensor<Scalar>, mode: Mode = .inference) -> Tensor<Scalar> {
        var out = x
        for layer in layers { out = layer.forward(out, mode: mode) }
        return out
    }

    /// Every layer's output for a batch, in forward order (for inspecting
    /// activations: the vanishing-gradient report's histograms).
    public func trace(_ x: Tensor<Scalar>, mode: Mode = .inference) -> [(layer: any Layer<Scalar>, output: Tensor<Scalar>)] {
        var out = x
        return layers.map { layer in
            out = layer.forward(out, mode: mode)
            return (layer, out)
        }
    }

    /// Cross-entropy loss of the batch plus the weight-decay penalty.
    public func loss(_ x: Tensor<Scalar>, labels: [Int], mode: Mode = .training) -> Scalar {
        lossLayer.forward(predict(x, mode: mode), labels: labels) + weightDecay.penalty(parameters)
    }

    /// Backpropagation: one forward and one backward pass that fills every
    /// parameter's gradient. Returns the loss (penalty included).
    @discardableResult
    public func gradient(_ x: Tensor<Scalar>, labels: [Int]) -> Scalar {
        let loss = loss(x, labels: labels, mode: .training)
        var dout = lossLayer.backward()
        for layer in layers.reversed() { dout = layer.backward(dout) }
        weightDecay.addGradient(to: parameters)
        return loss
    }

    /// Numerical gradients by central differences, element by element:
    /// `(L(p + h) − L(p − h)) / 2h` with h = 1e-4 (the course's check).
    /// Returns one tensor per ``parameters`` entry, in the same order.
    public func numericalGradient(_ x: Tensor<Scalar>, labels: [Int], h: Scalar = 1e-4) -> [Tensor<Scalar>] {
        parameters.map { p in
            var grad = Tensor<Scalar>(shape: p.value.shape)
            for i in 0..<p.value.count {
                let original = p.value.scalars[i]
                p.value.scalars[i] = original + h
                let plus = loss(x, labels: labels)
                p.value.scalars[i] = original - h
                let minus = loss(x, labels: labels)
                p.value.scalars[i] = original
                grad.scalars[i] = (plus - minus) / (2 * h)
            }
            return grad
        }
    }

    /// Predicted classes for a batch, computed `batchSize` rows at a time.
    public func predictedClasses(_ x: Tensor<Scalar>, batchSize: Int = 1000) -> [Int] {
        var classes: [Int] = []
        classes.reserveCapacity(x.rows)
        var start = 0
        while start < x.rows {
            let end = min(start + batchSize, x.rows)
            let batch = (start == 0 && end == x.rows) ? x : x.rows(start..<end)
            classes += predict(batch, mode: .inference).argmaxRows()
            start = end
        }
        return classes
    }

    /// The fraction of rows whose predicted class equals the label (inference mode).
    public func accuracy(_ x: Tensor<Scalar>, labels: [Int], batchSize: Int = 1000) -> Double {
        guard !labels.isEmpty else { return 0 }
        let predicted = predictedClasses(x, batchSize: batchSize)
        return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }

    /// One line per layer, e.g. "Affine 784→40 · ReLU · ...".
    public var architecture: String {
        (layers.map(\.summary) + ["SoftmaxWithLoss"]).joined(separator: " → ")
    }

    /// Number of learnable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}
