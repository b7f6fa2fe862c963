import Dispatch
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

/// A layer that can fill its parameters' gradients without computing ∂L/∂x, which
/// ``Network/gradient(_:labels:)`` asks of a network's first layer (nothing needs the
/// gradient with respect to the images; for the 784→… Affine layer it is a third of the
/// step's arithmetic).
public protocol InputGradientOptional<Scalar>: Layer {
    /// What ``Layer/backward(_:)`` does, except that ∂L/∂x is not computed.
    func backwardParameters(_ dout: Tensor<Scalar>)
}

extension Network {
    /// Every learnable parameter, layer by layer (the optimizer's flat list).
    public var parameters: [Parameter<Scalar>] { layers.flatMap { $0.parameters } }

    /// The class scores (before softmax) for a batch.
    ///
    /// At inference an ``Affine`` layer followed by ``ReLU`` or ``Sigmoid`` runs as one fused
    /// pass (``Affine/forwardInference(_:rows:followedBy:)``): the same numbers, one pass fewer.
    public func predict(_ x: Tensor<Scalar>, mode: Mode = .inference) -> Tensor<Scalar> {
        forward(x, from: 0, mode: mode)
    }

    /// Layers `start...` on `x` (the output of layer `start − 1`).
    private func forward(_ x: Tensor<Scalar>, from start: Int, mode: Mode) -> Tensor<Scalar> {
        let layers = self.layers
        var out = x
        var i = start
        while i < layers.count {
            // Convolution → ReLU → max pooling runs as one fused pass (same numbers).
            let fused = Convolution<Scalar>.fusedLayerCount(in: layers, at: i)
            if fused > 1 {
                out = Convolution<Scalar>.forward(step: i..<(i + fused), of: layers, out, mode: mode)
                i += fused
                continue
            }
            if mode == .inference, let affine = layers[i] as? Affine<Scalar> {
                let activation = fusedActivation(after: i)
                out = affine.forwardInference(out, followedBy: activation)
                i += activation == .identity ? 1 : 2
            } else {
                out = layers[i].forward(out, mode: mode)
                i += 1
            }
        }
        return out
    }

    /// The activation layer after layer i that an Affine layer i runs fused at inference.
    private func fusedActivation(after i: Int) -> AffineActivation {
        guard i + 1 < layers.count else { return .identity }
        return layers[i + 1] is ReLU<Scalar> ? .relu : layers[i + 1] is Sigmoid<Scalar> ? .sigmoid : .identity
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
        loss(scores: predict(x, mode: mode), labels: labels)
    }

    /// The loss layer's cross-entropy of `scores` plus the weight-decay penalty.
    private func loss(scores: Tensor<Scalar>, labels: [Int]) -> Scalar {
        let dataLoss = lossLayer.forward(scores, labels: labels)
        guard !weightDecay.isNone else { return dataLoss }
        // Layer by layer, one running sum (no list of every parameter built each step).
        var penalty: Scalar = 0
        for layer in layers { penalty = weightDecay.penalty(layer.parameters, plus: penalty) }
        return dataLoss + penalty
    }

    /// Backpropagation: one forward and one backward pass that fills every
    /// parameter's gradient. Returns the loss (penalty included).
    ///
    /// The first layer's ∂L/∂x (the gradient with respect to the images) is not needed:
    /// a first layer that can skip it (``InputGradientOptional``) does.
    @discardableResult
    public func gradient(_ x: Tensor<Scalar>, labels: [Int]) -> Scalar {
        let loss = loss(x, labels: labels, mode: .training)
        backpropagate()
        return loss
    }

    /// The backward pass after a training-mode forward pass and loss.
    private func backpropagate() {
        _ = backward(from: 0, lossLayer.backward(), layers)
        if !weightDecay.isNone { for layer in layers { weightDecay.addGradient(to: layer.parameters) } }
    }

    /// The backward passes of the steps from layer `start` on, last first, from ∂L/∂out of
    /// the last; returns ∂L/∂x of layer `start` (nil for a first layer that skips it). Steps are
    /// as the forward pass took them (``Convolution/fusedSteps(_:)``: fused convolution runs go
    /// back in one pass), found on the way down the recursion, so no list of them is built.
    private func backward(from start: Int, _ dout: Tensor<Scalar>, _ layers: [any Layer<Scalar>]) -> Tensor<Scalar>? {
        guard start < layers.count else { return dout }
        let next = start + max(1, Convolution<Scalar>.fusedLayerCount(in: layers, at: start))
        guard let dout = backward(from: next, dout, layers) else { return nil }
        if start == 0, let first = layers[0] as? any InputGradientOptional<Scalar> {
            first.backwardParameters(dout)
            return nil
        }
        return layers[start].backward(dout)
    }

    // MARK: Sparse input

    /// Whether the first layer reads ``SparseRows`` directly (an ``Affine`` layer); the
    /// sparse forms of ``predict(_:)``, ``accuracy(_:labels:batchSize:)`` and
    /// ``gradient(_:labels:)`` work for any network, densifying the rows for other first layers.
    public var acceptsSparseInput: Bool { firstAffine != nil }

    /// The first layer, if it is an ``Affine`` layer. (Not `layers.first`: that generic getter
    /// allocated 40 bytes per call here, once per training step.)
    private var firstAffine: Affine<Scalar>? { layers.isEmpty ? nil : layers[0] as? Affine<Scalar> }

    /// ``gradient(_:labels:)`` for a minibatch stored by its nonzeros: the first Affine layer
    /// computes `x·W + b` and `dW = xᵀ·dout` over the nonzeros; every later layer sees the
    /// same dense tensors as on the dense images.
    @discardableResult
    public func gradient(_ x: SparseRows<Scalar>, labels: [Int]) -> Scalar {
        guard let first = firstAffine else { return gradient(x.densified(), labels: labels) }
        let loss = loss(scores: forward(first.forward(x, mode: .training), from: 1, mode: .training), labels: labels)
        backpropagate()
        return loss
    }

    /// The class scores at inference for images stored by their nonzeros (the same numbers
    /// as ``predict(_:mode:)`` on the dense images).
    public func predict(_ x: SparseRows<Scalar>) -> Tensor<Scalar> {
        predict(x, rows: 0..<x.rows)
    }

    /// ``predict(_:)`` for rows `range` of `x`, which a first ``Affine`` layer reads in place.
    private func predict(_ x: SparseRows<Scalar>, rows range: Range<Int>) -> Tensor<Scalar> {
        guard let first = firstAffine else {
            return predict((range.count == x.rows ? x : x.rows(range)).densified(), mode: .inference)
        }
        let activation = fusedActivation(after: 0)
        return forward(first.forwardInference(x, rows: range, followedBy: activation),
                       from: activation == .identity ? 1 : 2, mode: .inference)
    }

    /// ``accuracy(_:labels:batchSize:)`` for images stored by their nonzeros.
    public func accuracy(_ x: SparseRows<Scalar>, labels: [Int], batchSize: Int = 1000) -> Double {
        countCorrect(rows: x.rows, labels: labels, batchSize: batchSize, split: balancedSplit(x)) { self.predict(x, rows: $0) }
    }

    /// The row that halves the multiply-adds of evaluating `x`: the first layer's are its
    /// nonzeros × its width, the other layers' the same for every row. (MNIST's first 5,000
    /// test images have 11% fewer nonzero pixels than the last 5,000: halving the rows left
    /// one core waiting for the other.)
    func balancedSplit(_ x: SparseRows<Scalar>) -> Int? {
        guard let first = firstAffine, x.rows > 1 else { return nil }
        let width = first.weight.value.columns
        let perRow = max(0, parameterCount - first.weight.value.count)
        /// Multiply-adds of rows 0..<r.
        func work(_ r: Int) -> Int { x.rowStarts[r] * width + r * perRow }
        let half = work(x.rows) / 2
        var low = 0, high = x.rows   // the first row r with work(r) ≥ half
        while low < high {
            let mid = (low + high) / 2
            if work(mid) < half { low = mid + 1 } else { high = mid }
        }
        return low
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
            classes += predict(x, rows: start..<end).argmaxRows()
            start = end
        }
        return classes
    }

    /// ``predict(_:mode:)`` at inference for rows `range` of `x`, which a first ``Affine``
    /// layer reads in place (other first layers get a copy of the rows).
    private func predict(_ x: Tensor<Scalar>, rows range: Range<Int>) -> Tensor<Scalar> {
        guard let first = firstAffine else {
            return predict(range.count == x.rows ? x : x.rows(range), mode: .inference)
        }
        let activation = fusedActivation(after: 0)
        return forward(first.forwardInference(x, rows: range, followedBy: activation),
                       from: activation == .identity ? 1 : 2, mode: .inference)
    }

    /// The fraction of rows whose predicted class equals the label (inference mode). A large set
    /// is shared out between two cores (``ParallelEvaluation``), with the same result.
    public func accuracy(_ x: Tensor<Scalar>, labels: [Int], batchSize: Int = 1000) -> Double {
        countCorrect(rows: x.rows, labels: labels, batchSize: batchSize) { self.predict(x, rows: $0) }
    }

    /// The fraction of `rows` rows whose highest score (`scores` of a range of rows, at most
    /// `batchSize` at a time) is at the label's class.
    ///
    /// A large set (``ParallelEvaluation/minimumWork``), for a network whose layers are all
    /// ``StatelessInference``, is cut in two at row `split` (default: half of the rows), each
    /// part run through the whole network on its own thread with single-threaded products,
    /// ``ParallelEvaluation/rowsPerPass`` rows at a time: one synchronisation per evaluation
    /// instead of one per product, and each pass's activations stay in its core's cache. Each
    /// row's arithmetic is the same either way (the products compute a row alike on one thread
    /// or two), and so is the result.
    private func countCorrect(rows: Int, labels: [Int], batchSize: Int, split: Int? = nil,
                              scores: @escaping (Range<Int>) -> Tensor<Scalar>) -> Double {
        guard !labels.isEmpty else { return 0 }
        precondition(rows == labels.count, "\(rows) images for \(labels.count) labels")
        let batchSize = max(batchSize, 1)
        guard splitsEvaluation(rows: rows) else {
            return Double(Self.correct(in: 0..<rows, labels: labels, pass: batchSize, scores)) / Double(rows)
        }
        let pass = min(batchSize, ParallelEvaluation.rowsPerPass)
        let middle = split ?? rows / 2
        let half = UncheckedSendable { (t: Int) in
            Self.correct(in: t == 0 ? 0..<middle : middle..<rows, labels: labels, pass: pass, scores)
        }
        let forced = GEMMSelection.forced
        var counts = [0, 0]
        counts.withUnsafeMutableBufferPointer { buffer in
            let counts = UncheckedSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: 2) { t in
                // Task-local values do not follow the work to another thread: bound in each.
                GEMMSelection.$forced.withValue(forced) {
                    GEMMSelection.$threadLimit.withValue(1) { counts.value[t] = half.value(t) }
                }
            }
        }
        return Double(counts[0] + counts[1]) / Double(rows)
    }

    /// The correct predictions among rows `band`, scored `pass` rows at a time.
    private static func correct(in band: Range<Int>, labels: [Int], pass: Int,
                                _ scores: (Range<Int>) -> Tensor<Scalar>) -> Int {
        var correct = 0
        var start = band.lowerBound
        while start < band.upperBound {
            let end = min(start + pass, band.upperBound)
            correct += scores(start..<end).countArgmaxMatches(labels[start..<end])
            start = end
        }
        return correct
    }

    /// How many of rows `range` of `x` are predicted as their label, `batchSize` rows at a time
    /// on the calling thread: what ``accuracy(_:labels:batchSize:)`` counts among them (each
    /// row's numbers are the same however the rows are split), for evaluations shared out by
    /// the caller.
    public func correctPredictions(_ x: Tensor<Scalar>, labels: [Int], rows range: Range<Int>, batchSize: Int) -> Int {
        Self.correct(in: range, labels: labels, pass: max(batchSize, 1)) { predict(x, rows: $0) }
    }

    /// ``correctPredictions(_:labels:rows:batchSize:)`` for images stored by their nonzeros.
    public func correctPredictions(_ x: SparseRows<Scalar>, labels: [Int], rows range: Range<Int>, batchSize: Int) -> Int {
        Self.correct(in: range, labels: labels, pass: max(batchSize, 1)) { predict(x, rows: $0) }
    }

    /// Whether every layer is ``StatelessInference``: an evaluation may then be split between
    /// threads, and the network has a ``snapshot()``.
    public var hasStatelessInference: Bool { layers.allSatisfy { $0 is any StatelessInference } }

    /// The network as it stands, for inference on another thread while it trains on: a
    /// ``Sequential`` of the layers' snapshots (``StatelessInference``), or nil when a layer cannot
    /// be copied (convolution and pooling keep their input at inference).
    public func snapshot() -> Sequential<Scalar>? {
        var copies: [any Layer<Scalar>] = []
        for layer in layers {
            guard let layer = layer as? any StatelessInference<Scalar> else { return nil }
            copies.append(layer.snapshot())
        }
        return Sequential(copies, weightDecay: weightDecay)
    }

    /// Whether an evaluation of `rows` rows is split between two threads (as `countCorrect` says):
    /// enough work, every layer ``StatelessInference``, and two cores that
    /// ``GEMMSelection/threadLimit`` lets this evaluation use.
    private func splitsEvaluation(rows: Int) -> Bool {
        rows * parameterCount >= ParallelEvaluation.minimumWork
            && min(GEMMSelection.cores, GEMMSelection.threadLimit ?? 2) >= 2
            && hasStatelessInference
    }

    /// One line per layer, e.g. "Affine 784→40 · ReLU · ...".
    public var architecture: String {
        (layers.map(\.summary) + ["SoftmaxWithLoss"]).joined(separator: " → ")
    }

    /// Number of learnable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}

/// When ``Network/accuracy(_:labels:batchSize:)`` splits a set's rows between two threads, each
/// running the whole network on its half (see ``StatelessInference``).
///
/// Measured on the 2-core machine with a one-off benchmark (not kept) on synthetic MNIST-like
/// rows stored sparse (medians): 784-[100×6]-10
/// takes 8.5 ms for 10,000 rows unsplit, 7.5 ms split (15.4 ms on one thread alone), and 300
/// rows 0.48 → 0.35 ms; 784-40-20-10 takes 1.9 → 1.65 ms for 10,000 rows, 0.21 → 0.18 ms for
/// 600, but 0.10 → 0.13 ms for 300 (waking the second thread costs more than it saves). Passes
/// of 2,500 rows per thread beat whole 5,000-row halves in `scratchnet run overfitting` (0.84 s
/// of evaluation against 0.89 s; 0.96 s unsplit); from 625 to 10,000 the others were within noise.
public enum ParallelEvaluation {
    /// Rows × the network's parameter count (about the multiply-adds of a dense evaluation)
    /// from which a set is split.
    public static let minimumWork = 20_000_000
    /// Rows each thread runs through the network at a time (at most the batch size).
    public static let rowsPerPass = 2500
}

/// A value the threads of a parallel evaluation share: they only read it, or write parts no
/// other thread touches.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
