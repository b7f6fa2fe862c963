import ScratchNN
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
}
