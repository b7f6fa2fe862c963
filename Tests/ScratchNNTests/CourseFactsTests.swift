import ScratchNN
import ScratchTensor
import TestSupport
import XCTest

/// The course's quiz facts and hand-computed values.
final class CourseFactsTests: XCTestCase {
    func testSigmoidDerivativeIsLargestAtZeroWithValueOneQuarter() {
        let xs = stride(from: -6.0, through: 6.0, by: 0.25).map { $0 }
        let layer = Sigmoid<Double>()
        _ = layer.forward(Tensor(xs), mode: .training)
        let derivative = layer.backward(Tensor(shape: [xs.count], repeating: 1)).scalars
        let peak = derivative.indices.max { derivative[$0] < derivative[$1] }!
        XCTAssertEqual(xs[peak], 0)
        XCTAssertEqual(derivative[peak], 0.25, accuracy: 1e-15)
    }

    func testCrossEntropyOnHandComputedValues() {
        let y = Tensor<Double>(rows: [[0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]])
        // The book's example: −log(0.6 + 1e-7) = 0.5108254570993...
        XCTAssertEqual(Loss.crossEntropy(y, labels: [2]), 0.510825457099338, accuracy: 1e-12)
        // A zero probability is kept finite by the 1e-7: −log(1e-7) = 16.118...
        XCTAssertEqual(Loss.crossEntropy(y, labels: [3]), 16.11809565095832, accuracy: 1e-9)
        // Averaged over the batch.
        let two = Tensor<Double>(rows: [[0.5, 0.5], [0.25, 0.75]])
        XCTAssertEqual(Loss.crossEntropy(two, labels: [0, 1]), -(log(0.5 + 1e-7) + log(0.75 + 1e-7)) / 2, accuracy: 1e-12)
        // The book's MSE example: ½ Σ (y − t)² = 0.0975.
        let t = Tensor<Double>.oneHot([2], classes: 10)
        XCTAssertEqual(Loss.meanSquared(y, t), 0.0975, accuracy: 1e-12)
    }

    func testSoftmaxWithLossBackwardIsYMinusTOverN() {
        let layer = SoftmaxWithLoss<Double>()
        let x = Tensor<Double>(rows: [[1, 2, 3], [0, 0, 0]])
        _ = layer.forward(x, labels: [2, 0])
        let dx = layer.backward()
        let y = x.softmaxRows()
        assertClose(dx, (y - Tensor.oneHot([2, 0], classes: 3)) * 0.5, tolerance: 1e-15)
    }

    func testInitializerStatistics() {
        var rng = RandomGenerator(seed: 1)
        for (initializer, std) in [(WeightInit.gaussian(std: 0.01), 0.01), (.xavier, (1.0 / 784).squareRoot()),
                                   (.he, (2.0 / 784).squareRoot())] {
            let w = initializer.sample(shape: [784, 100], fanIn: 784, using: &rng, as: Double.self)
            let mean = w.mean()
            let sampleStd = ((w - mean).sumOfSquares() / Double(w.count)).squareRoot()
            XCTAssertEqual(mean, 0, accuracy: std * 0.02, "\(initializer)")
            XCTAssertEqual(sampleStd / std, 1, accuracy: 0.02, "\(initializer)")
        }
        XCTAssertEqual(WeightInit.zeros.sample(shape: [3, 4], fanIn: 3, using: &rng, as: Float.self).sumOfAbsolutes(), 0)
        let net = MultiLayerNet<Float>(inputSize: 784, hiddenSizes: [40, 20], outputSize: 10, activation: .relu, weightInit: .he)
        XCTAssertEqual(net.parameters.map(\.name), ["W1", "b1", "W2", "b2", "W3", "b3"])
        XCTAssertEqual(net.parameters.filter { $0.kind == .bias }.map { $0.value.sumOfAbsolutes() }, [0, 0, 0])
    }

    func testZeroInitialWeightsKeepEveryHiddenUnitIdentical() {
        let net = MultiLayerNet<Double>(inputSize: 20, hiddenSizes: [6, 5], outputSize: 3,
                                        activation: .sigmoid, weightInit: .zeros)
        var sgd = SGD<Double>(learningRate: 0.5)
        for step in 0..<20 {
            let x: Tensor<Double> = randomTensor([8, 20], seed: UInt64(100 + step))
            net.gradient(x, labels: randomLabels(8, classes: 3, seed: UInt64(200 + step)))
            sgd.update(net.parameters)
        }
        for p in net.parameters where p.name == "W1" || p.name == "W2" {
            let w = p.value
            for column in 1..<w.columns {
                for row in 0..<w.rows {
                    XCTAssertEqual(w[row, column], w[row, 0], accuracy: 1e-12, "\(p.name) column \(column)")
                }
            }
            XCTAssertGreaterThan(w.sumOfAbsolutes(), 0, "\(p.name) did change, but symmetrically")
        }
    }

    func testBatchNormalizationInferenceUsesRunningStatistics() {
        let layer = BatchNormalization<Double>(size: 2, index: 1)
        let batch = Tensor<Double>(rows: [[1, 10], [3, 30]])
        _ = layer.forward(batch, mode: .training)
        // running = 0.9·0 + 0.1·batch stat.
        assertClose(layer.runningMean, Tensor([0.2, 2.0]), tolerance: 1e-12)
        assertClose(layer.runningVariance, Tensor([0.1, 10.0]), tolerance: 1e-12)
        let y = layer.forward(Tensor(rows: [[0.2, 2.0]]), mode: .inference)
        assertClose(y, Tensor(rows: [[0, 0]]), tolerance: 1e-12)
        let z = layer.forward(Tensor(rows: [[1.2, 2.0]]), mode: .inference)
        XCTAssertEqual(z[0, 0], 1 / (0.1 + 1e-6).squareRoot(), accuracy: 1e-9)
        // Training-mode output is normalized per column.
        let t = layer.forward(batch, mode: .training)
        XCTAssertEqual(t[0, 0], -1 / (1 + 1e-6).squareRoot(), accuracy: 1e-9)
    }

    func testDropoutInferenceIsDeterministicAndScaled() {
        let layer = Dropout<Double>(ratio: 0.25, seed: 3)
        let x: Tensor<Double> = randomTensor([10, 10], seed: 4)
        let a = layer.forward(x, mode: .inference)
        let b = layer.forward(x, mode: .inference)
        XCTAssertEqual(a, b)
        assertClose(a, x * 0.75, tolerance: 1e-15)
        let trained = layer.forward(Tensor(shape: [100, 100], repeating: 1), mode: .training)
        XCTAssertEqual(trained.mean(), 0.75, accuracy: 0.02)
    }
}
