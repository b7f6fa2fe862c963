import ScratchNN
import ScratchTensor
import TestSupport
import XCTest

final class GradientCheckTests: XCTestCase {
    /// The bound. Whole networks land near 5e-7: the 1e-7 inside the
    /// cross-entropy's log makes (y − t)/N differ from the loss's true
    /// derivative by a relative ~1e-7/y; single layers land near 1e-10.
    private let limit = 1e-6

    private func assertPasses(_ entries: [GradientCheck.Entry], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(entries.isEmpty, file: file, line: line)
        for entry in entries {
            XCTAssertLessThan(entry.relativeError, limit, "\(entry.name)", file: file, line: line)
        }
    }

    func testAffine() {
        var rng = RandomGenerator(seed: 3)
        let layer = Affine<Double>(inputSize: 6, outputSize: 4, initializer: .gaussian(std: 1), index: 1, using: &rng)
        layer.bias.value = randomTensor([4], seed: 4)
        assertPasses(GradientCheck.check(layer: layer, input: randomTensor([5, 6], seed: 5)))
        // Image-shaped input is read as [N, C·H·W] and its gradient keeps the shape.
        let conv = Affine<Double>(inputSize: 8, outputSize: 3, initializer: .he, index: 2, using: &rng)
        assertPasses(GradientCheck.check(layer: conv, input: randomTensor([2, 2, 2, 2], seed: 6)))
    }

    func testActivations() {
        let x: Tensor<Double> = randomTensor([4, 5], seed: 7)
        assertPasses(GradientCheck.check(layer: Sigmoid<Double>(), input: x))
        assertPasses(GradientCheck.check(layer: ReLU<Double>(), input: x))
        assertPasses(GradientCheck.check(layer: Tanh<Double>(), input: x))
    }

    func testBatchNormalizationInTrainingMode() {
        let layer = BatchNormalization<Double>(size: 5, index: 1)
        layer.gamma.value = randomTensor([5], seed: 8) + 1
        layer.beta.value = randomTensor([5], seed: 9)
        assertPasses(GradientCheck.check(layer: layer, input: randomTensor([6, 5], seed: 10, scale: 3)))
    }

    func testDropoutWithAFixedMask() {
        let layer = Dropout<Double>(ratio: 0.3, seed: 11)
        layer.freezesMask = true
        assertPasses(GradientCheck.check(layer: layer, input: randomTensor([4, 6], seed: 12)))
    }

    func testSoftmaxWithLoss() {
        let x: Tensor<Double> = randomTensor([4, 3], seed: 13)
        let labels = [0, 2, 1, 2]
        let layer = SoftmaxWithLoss<Double>()
        _ = layer.forward(x, labels: labels)
        let analytic = layer.backward()
        var numerical = Tensor<Double>(shape: x.shape)
        for i in 0..<x.count {
            var plus = x, minus = x
            plus.scalars[i] += 1e-4
            minus.scalars[i] -= 1e-4
            numerical.scalars[i] = (layer.forward(plus, labels: labels) - layer.forward(minus, labels: labels)) / 2e-4
        }
        XCTAssertLessThan(GradientCheck.relativeError(analytic, numerical), limit)
    }

    func testWholeMultiLayerNetForEveryActivationAndOption() {
        let x: Tensor<Double> = randomTensor([10, 12], seed: 14)
        let labels = randomLabels(10, classes: 4, seed: 22)
        let configurations: [MultiLayerNet<Double>.Configuration] = [
            .init(inputSize: 12, hiddenSizes: [8, 6], outputSize: 4, activation: .relu, weightInit: .he),
            .init(inputSize: 12, hiddenSizes: [8, 6], outputSize: 4, activation: .sigmoid, weightInit: .xavier),
            .init(inputSize: 12, hiddenSizes: [7], outputSize: 4, activation: .tanh, weightInit: .gaussian(std: 0.5)),
            .init(inputSize: 12, hiddenSizes: [8, 6], outputSize: 4, activation: .sigmoid, weightInit: .xavier, batchNorm: true),
            .init(inputSize: 12, hiddenSizes: [8, 6], outputSize: 4, activation: .relu, weightInit: .he,
                  weightDecay: WeightDecay(l2: 0.1)),
            .init(inputSize: 12, hiddenSizes: [8, 6], outputSize: 4, activation: .relu, weightInit: .he,
                  weightDecay: WeightDecay(l1: 0.005)),
        ]
        for configuration in configurations {
            let net = MultiLayerNet<Double>(configuration, seed: 15)
            let entries = GradientCheck.check(net, x, labels: labels)
            XCTAssertEqual(entries.count, net.parameters.count)
            for entry in entries {
                XCTAssertLessThan(entry.relativeError, limit, "\(configuration) \(entry.name)")
            }
        }
    }

    func testMultiLayerNetWithDropoutAndFixedMasks() {
        let net = MultiLayerNet<Double>(.init(inputSize: 10, hiddenSizes: [8, 8], outputSize: 3, activation: .relu,
                                              weightInit: .he, dropout: 0.2, weightDecay: WeightDecay(l2: 0.05, l1: 0.001)),
                                        seed: 16)
        let x: Tensor<Double> = randomTensor([5, 10], seed: 17)
        _ = net.predict(x, mode: .training)
        for case let dropout as Dropout<Double> in net.layers { dropout.freezesMask = true }
        assertPasses(GradientCheck.check(net, x, labels: [0, 1, 2, 1, 0]))
    }

    /// The book's known slip: applying σ′ to the activation's output instead of
    /// its input. The check must catch it.
    private final class SigmoidWithSlip: Layer {
        private var output: Tensor<Double>?
        func forward(_ x: Tensor<Double>, mode: Mode) -> Tensor<Double> {
            output = x.sigmoid()
            return output!
        }
        func backward(_ dout: Tensor<Double>) -> Tensor<Double> {
            let s = output!.sigmoid()  // σ(σ(x)): wrong
            return dout * (1 - s) * s
        }
        var summary: String { "SigmoidWithSlip" }
    }

    func testTheCheckFailsOnAWrongBackward() {
        let entries = GradientCheck.check(layer: SigmoidWithSlip(), input: randomTensor([4, 5], seed: 18))
        XCTAssertGreaterThan(entries[0].relativeError, 1e-2)
        let net = Sequential<Double>([
            Affine<Double>(weight: Parameter(name: "W1", kind: .weight, value: randomTensor([6, 5], seed: 19)),
                           bias: Parameter(name: "b1", kind: .bias, value: Tensor(shape: [5]))),
            SigmoidWithSlip(),
            Affine<Double>(weight: Parameter(name: "W2", kind: .weight, value: randomTensor([5, 3], seed: 20)),
                           bias: Parameter(name: "b2", kind: .bias, value: Tensor(shape: [3]))),
        ])
        let netEntries = GradientCheck.check(net, randomTensor([4, 6], seed: 21), labels: [0, 1, 2, 0])
        XCTAssertGreaterThan(netEntries.first { $0.name == "W1" }!.relativeError, 1e-2)
        XCTAssertLessThan(netEntries.first { $0.name == "W2" }!.relativeError, limit)
    }
}
