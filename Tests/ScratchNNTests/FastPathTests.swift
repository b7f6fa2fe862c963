@testable import ScratchNN
import ScratchTensor
import TestSupport
import XCTest

/// The network's shortcuts give the numbers of the plain layer-by-layer computation: the
/// fused Affine+ReLU inference pass, the sparse test-set path, and the first layer's skipped
/// input gradient.
final class FastPathTests: XCTestCase {
    private func mnistLike(_ rows: Int, seed: UInt64) -> Tensor<Float> {
        var rng = RandomGenerator(seed: seed)
        return Tensor(shape: [rows, 784], scalars: (0..<(rows * 784)).map { _ in
            rng.uniform() < 0.2 ? Float(rng.uniform()) : 0
        })
    }

    /// A snapshot predicts as the network did when it was taken, keeps that moment's
    /// parameters and gradients (and batch norm's running statistics) while the network trains
    /// on, and counts correct predictions over any rows as accuracy does; a convolutional
    /// network has none.
    func testSnapshotStaysAsTheNetworkWasWhenTaken() throws {
        let x: Tensor<Float> = randomTensor([300, 30], seed: 30)
        let labels = randomLabels(300, seed: 31)
        let net = MultiLayerNet<Float>(MultiLayerNetConfiguration(inputSize: 30, hiddenSizes: [20, 10], activation: .sigmoid,
                                                                  weightInit: .xavier, batchNorm: true, dropout: 0.3), seed: 32)
        net.gradient(x.rows(0..<50), labels: Array(labels[0..<50]))
        let snapshot = try XCTUnwrap(net.snapshot())
        let scores = net.predict(x)
        let parameters = net.parameters.map { ($0.name, $0.kind, $0.value, $0.gradient) }
        XCTAssertEqual(snapshot.predict(x), scores)
        XCTAssertEqual(snapshot.architecture, net.architecture)
        for _ in 0..<3 {
            net.gradient(x.rows(50..<100), labels: Array(labels[50..<100]))
            for p in net.parameters { p.value = p.value - p.gradient * 0.5 }
        }
        XCTAssertNotEqual(net.predict(x), scores)
        XCTAssertEqual(snapshot.predict(x), scores)
        for (p, q) in zip(snapshot.parameters, parameters) {
            XCTAssertEqual(p.name, q.0)
            XCTAssertEqual(p.kind, q.1)
            XCTAssertEqual(p.value, q.2)
            XCTAssertEqual(p.gradient, q.3)
        }
        let sparse = SparseRows(x.relu())
        let whole = net.accuracy(x, labels: labels) * 300
        XCTAssertEqual(Double(net.correctPredictions(x, labels: labels, rows: 0..<120, batchSize: 7)
                              + net.correctPredictions(x, labels: labels, rows: 120..<300, batchSize: 1000)), whole)
        XCTAssertEqual(Double(net.correctPredictions(sparse, labels: labels, rows: 0..<300, batchSize: 64)),
                       net.accuracy(sparse, labels: labels) * 300)
        XCTAssertNil(try SimpleConvNet<Float>(seed: 1).snapshot())
    }

    func testInferenceMatchesLayerByLayerForward() {
        for activation in [Activation.relu, .sigmoid, .tanh] {
            let net = MultiLayerNet<Float>(inputSize: 784, hiddenSizes: [40, 20], outputSize: 10,
                                           activation: activation, weightInit: .he, seed: 3)
            let x = mnistLike(64, seed: 4)
            var expected = x
            for layer in net.layers { expected = layer.forward(expected, mode: .inference) }
            XCTAssertEqual(net.predict(x).scalars, expected.scalars, "\(activation)")
            assertClose(net.predict(SparseRows(x)), expected, tolerance: 1e-5, "\(activation) sparse")
        }
    }

    func testSparseAccuracyEqualsDenseAccuracy() {
        let net = MultiLayerNet<Float>(inputSize: 784, hiddenSizes: [40, 20], outputSize: 10,
                                       activation: .relu, weightInit: .he, seed: 5)
        let x = mnistLike(300, seed: 6)
        let labels = net.predictedClasses(x).enumerated().map { $0.offset % 3 == 0 ? ($0.element + 1) % 10 : $0.element }
        let dense = net.accuracy(x, labels: labels, batchSize: 128)
        XCTAssertEqual(dense, 200.0 / 300.0, accuracy: 1e-12)
        XCTAssertEqual(net.accuracy(SparseRows(x), labels: labels, batchSize: 128), dense)
        XCTAssertEqual(net.accuracy(SparseRows(x), labels: labels, batchSize: 10_000), dense)
        XCTAssertTrue(net.acceptsSparseInput)
        // A network whose first layer is not Affine densifies the rows.
        let other = Sequential<Float>([ReLU<Float>(), net.layers[0]] + Array(net.layers.dropFirst()))
        XCTAssertFalse(other.acceptsSparseInput)
        XCTAssertEqual(other.accuracy(SparseRows(x), labels: labels), other.accuracy(x, labels: labels))
    }

    /// `gradient` on images stored by their nonzeros gives the loss and gradients of the dense
    /// images: ReLU, sigmoid with batch norm, and dropout (two networks from one seed draw the
    /// same masks), in Float and Double.
    func testSparseGradientEqualsDenseGradient() {
        func check<T: TensorScalar>(_: T.Type, _ configuration: MultiLayerNetConfiguration, tolerance: Double) {
            let x = mnistLike(50, seed: 10).converted(to: T.self)
            let labels = randomLabels(50, seed: 11)
            let dense = MultiLayerNet<T>(configuration, seed: 12), sparse = MultiLayerNet<T>(configuration, seed: 12)
            for step in 0..<2 {   // twice: batch norm's running statistics and dropout's generator move on
                let expected = Double(dense.gradient(x, labels: labels))
                let loss = Double(sparse.gradient(SparseRows(x), labels: labels))
                XCTAssertEqual(loss, expected, accuracy: tolerance * abs(expected), "\(T.self) \(configuration) step \(step)")
                for (p, q) in zip(sparse.parameters, dense.parameters) {
                    // Relative to the largest element, at least 0.1: a bias before batch norm has a
                    // true gradient of 0, and both are rounding noise around it.
                    let scale = q.gradient.scalars.map { abs(Double($0)) }.max() ?? 0
                    assertClose(p.gradient, q.gradient, tolerance: tolerance * max(scale, 0.1), "\(T.self) \(p.name)")
                }
            }
        }
        let configurations = [
            MultiLayerNetConfiguration(hiddenSizes: [40, 20], activation: .relu, weightInit: .he),
            MultiLayerNetConfiguration(hiddenSizes: [100, 30], activation: .sigmoid, weightInit: .xavier, batchNorm: true),
            MultiLayerNetConfiguration(hiddenSizes: [100, 100], activation: .relu, weightInit: .he, dropout: 0.15,
                                       weightDecay: WeightDecay(l2: 0.1)),
        ]
        for configuration in configurations {
            check(Float.self, configuration, tolerance: 1e-5)
            check(Double.self, configuration, tolerance: 1e-12)
        }
        // The full backward of the first layer (∂L/∂x as well) after a sparse forward pass.
        let net = MultiLayerNet<Float>(inputSize: 784, hiddenSizes: [40], outputSize: 10, activation: .relu, weightInit: .he, seed: 13)
        let x = mnistLike(20, seed: 14), dout: Tensor<Float> = randomTensor([20, 40], seed: 15)
        let affine = net.layers[0] as! Affine<Float>
        _ = affine.forward(x, mode: .training)
        let dx = affine.backward(dout), dW = affine.weight.gradient
        _ = affine.forward(SparseRows(x), mode: .training)
        XCTAssertEqual(affine.backward(dout), dx)
        assertClose(affine.weight.gradient, dW, tolerance: 1e-5)
        // A network whose first layer is not Affine densifies the rows.
        let other = Sequential<Float>([ReLU<Float>()] + net.layers)
        let labels = randomLabels(20, seed: 16)
        let expected = other.gradient(x, labels: labels), gradients = other.parameters.map(\.gradient)
        XCTAssertEqual(other.gradient(SparseRows(x), labels: labels), expected)
        XCTAssertEqual(other.parameters.map(\.gradient), gradients)
    }

    /// A large set's accuracy split between two threads (each running the whole network on half
    /// of the rows with single-threaded products) equals the unsplit evaluation's, dense and
    /// sparse: ReLU, sigmoid with batch norm, tanh with dropout; an odd row count, whole and
    /// partial passes. The labels are the unsplit predictions, so any row predicted differently
    /// would show.
    func testSplitEvaluationEqualsUnsplitEvaluation() throws {
        let rows = 4103
        var rng = RandomGenerator(seed: 20)
        // The first 1000 rows denser: the sparse set is then split where the work halves.
        let x = Tensor<Float>(shape: [rows, 196], scalars: (0..<(rows * 196)).map { i in
            rng.uniform() < (i < 1000 * 196 ? 0.6 : 0.1) ? Float(rng.uniform()) : 0
        })
        let sparse = SparseRows(x)
        let configurations = [
            MultiLayerNetConfiguration(inputSize: 196, hiddenSizes: [40, 20], activation: .relu, weightInit: .he),
            MultiLayerNetConfiguration(inputSize: 196, hiddenSizes: [30, 20], activation: .sigmoid, weightInit: .xavier,
                                       batchNorm: true),
            MultiLayerNetConfiguration(inputSize: 196, hiddenSizes: [40, 20], activation: .tanh, weightInit: .xavier,
                                       dropout: 0.2),
        ]
        for configuration in configurations {
            let net = MultiLayerNet<Float>(configuration, seed: 21)
            XCTAssertGreaterThanOrEqual(rows * net.parameterCount, ParallelEvaluation.minimumWork, "too little work to split")
            // Multiply-adds: the first layer's nonzeros × its width, then the same for every row.
            let width = configuration.hiddenSizes[0], perRow = net.parameterCount - 196 * width
            let split = try XCTUnwrap(net.balancedSplit(sparse))
            let work = { (r: Int) in sparse.rowStarts[r] * width + r * perRow }
            XCTAssertLessThan(split, rows / 2)
            XCTAssertLessThan(work(split - 1), work(rows) / 2)
            XCTAssertGreaterThanOrEqual(work(split), work(rows) / 2)
            // Training-mode passes: batch norm's running statistics move away from their start.
            for _ in 0..<3 { net.gradient(x.rows(0..<100), labels: randomLabels(100, seed: 22)) }
            // Unsplit (a thread limit of 1) with the dense products on two threads, as without a
            // limit; split, with them on one thread. The kernel is forced: BLAS (a debug build's
            // products) may round a row differently with the row count.
            let (classes, sparseAccuracy) = GEMMSelection.$threadLimit.withValue(1) {
                GEMMSelection.$forced.withValue(.kernel(threads: 2)) {
                    let classes = net.predictedClasses(x)
                    XCTAssertEqual(net.accuracy(x, labels: classes, batchSize: 999), 1, "\(configuration)")
                    return (classes, net.accuracy(sparse, labels: classes, batchSize: 999))
                }
            }
            GEMMSelection.$forced.withValue(.kernel(threads: 1)) {
                for batchSize in [10_000, 999] {
                    XCTAssertEqual(net.accuracy(x, labels: classes, batchSize: batchSize), 1, "\(configuration) \(batchSize)")
                    XCTAssertEqual(net.accuracy(sparse, labels: classes, batchSize: batchSize), sparseAccuracy,
                                   "\(configuration) \(batchSize)")
                }
            }
        }
    }

    func testGradientSkipsOnlyTheInputGradientOfTheFirstLayer() {
        let net = MultiLayerNet<Double>(inputSize: 12, hiddenSizes: [6, 5], outputSize: 4,
                                        activation: .relu, weightInit: .he, seed: 7)
        let x: Tensor<Double> = randomTensor([9, 12], seed: 8)
        let labels = randomLabels(9, classes: 4, seed: 9)
        let loss = net.gradient(x, labels: labels)
        let fast = net.parameters.map(\.gradient)
        // The same pass with every layer's full backward.
        XCTAssertEqual(net.loss(x, labels: labels), loss)
        var dout = net.lossLayer.backward()
        for layer in net.layers.reversed() { dout = layer.backward(dout) }
        XCTAssertEqual(dout.shape, x.shape)
        for (p, g) in zip(net.parameters, fast) { XCTAssertEqual(p.gradient, g, p.name) }
    }

    /// Layers write their training outputs and input gradients over the last step's, yet an
    /// output or gradient a caller kept stays as it was (copy-on-write: the layer writes into a
    /// copy of its own then), for every layer that keeps buffers.
    func testOutputsAndGradientsKeptByTheCallerStayAsTheyWere() {
        var rng = RandomGenerator(seed: 50)
        let flat: [any Layer<Float>] = [
            Affine<Float>(inputSize: 12, outputSize: 12, initializer: .xavier, index: 1, using: &rng),
            Sigmoid<Float>(), ReLU<Float>(), Tanh<Float>(), Dropout<Float>(ratio: 0.3, seed: 51),
            BatchNormalization<Float>(size: 12, index: 1),
        ]
        let convolution = Convolution<Float>(channels: 2, filters: 3, filterHeight: 3, filterWidth: 3, pad: 1,
                                             initializer: .he, index: 1, using: &rng)
        let image: [any Layer<Float>] = [convolution, Flatten<Float>()]
        for (layers, shape) in [(flat, [5, 12]), (image, [5, 2, 4, 4])] {
            for layer in layers {
                let x1: Tensor<Float> = randomTensor(shape, seed: 52), x2: Tensor<Float> = randomTensor(shape, seed: 53)
                let y1 = layer.forward(x1, mode: .training)
                let kept = y1.scalars
                let dx1 = layer.backward(randomTensor(y1.shape, seed: 54))
                let keptGradient = dx1.scalars
                let y2 = layer.forward(x2, mode: .training)
                let dx2 = layer.backward(randomTensor(y2.shape, seed: 55))
                XCTAssertEqual(y1.scalars, kept, layer.summary)
                XCTAssertEqual(dx1.scalars, keptGradient, layer.summary)
                if !(layer is Flatten<Float>) {
                    XCTAssertNotEqual(y2.scalars, kept, "\(layer.summary) wrote nothing new")
                    XCTAssertNotEqual(dx2.scalars, keptGradient, "\(layer.summary) wrote no new gradient")
                }
            }
        }
        // The fused convolution, ReLU and pooling, with its winners.
        let pool = MaxPooling<Float>(size: 2)
        let x1: Tensor<Float> = randomTensor([5, 2, 4, 4], seed: 56), x2: Tensor<Float> = randomTensor([5, 2, 4, 4], seed: 57)
        let y1 = convolution.forward(x1, mode: .training, thenReLU: true, thenMaxPooling: pool)
        let kept = y1.scalars
        let dx1 = convolution.backward(randomTensor(y1.shape, seed: 58))
        let keptGradient = dx1.scalars
        _ = convolution.forward(x2, mode: .training, thenReLU: true, thenMaxPooling: pool)
        _ = convolution.backward(randomTensor(y1.shape, seed: 59))
        XCTAssertEqual(y1.scalars, kept)
        XCTAssertEqual(dx1.scalars, keptGradient)
    }
}
