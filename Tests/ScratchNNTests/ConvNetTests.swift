import ScratchNN
import ScratchTensor
import TestSupport
import XCTest

final class ConvNetTests: XCTestCase {
    private let limit = 1e-6

    private func assertGradientsMatch<N: Network>(
        _ net: N, _ x: Tensor<Double>, labels: [Int], file: StaticString = #filePath, line: UInt = #line
    ) where N.Scalar == Double {
        let entries = GradientCheck.check(net, x, labels: labels)
        XCTAssertEqual(entries.map(\.name), net.parameters.map(\.name), file: file, line: line)
        for entry in entries {
            XCTAssertLessThan(entry.relativeError, limit, "\(entry.name)", file: file, line: line)
        }
    }

    private func shapes(_ net: some Network<Double>) -> [String: [Int]] {
        Dictionary(uniqueKeysWithValues: net.parameters.map { ($0.name, $0.value.shape) })
    }

    // MARK: The course's defaults

    func testSimpleConvNetMatchesTheCourse() throws {
        let config = SimpleConvNetConfiguration()
        XCTAssertEqual(config.layerText, "conv:30x5x5,relu,maxpool:2,affine:100,relu,affine:10")
        XCTAssertEqual(try config.outputShapes(), [[30, 24, 24], [30, 24, 24], [30, 12, 12], [100], [100], [10]])
        let net = try SimpleConvNet<Double>(seed: 1)
        XCTAssertEqual(shapes(net), ["W1": [30, 1, 5, 5], "b1": [30], "W2": [4320, 100], "b2": [100], "W3": [100, 10], "b3": [10]])
        XCTAssertEqual(net.parameters.map(\.kind), [.weight, .bias, .weight, .bias, .weight, .bias])
        XCTAssertEqual(net.architecture, "Convolution 30×1×5×5 (stride 1, pad 0) → ReLU → MaxPooling 2×2 (stride 2) → "
                       + "Affine 4320→100 → ReLU → Affine 100→10 → SoftmaxWithLoss")
        // Weights 0.01·N(0, 1): the sample standard deviation of W2's 432 000 values.
        let w2 = net.parameters[2].value
        XCTAssertEqual(Double(w2.norm()) / Double(w2.count).squareRoot(), 0.01, accuracy: 0.0002)
        XCTAssertEqual(net.parameters[1].value.sumOfAbsolutes(), 0)
        let out = net.predict(randomTensor([2, 1, 28, 28], seed: 2))
        XCTAssertEqual(out.shape, [2, 10])
        // Same seed, same weights.
        XCTAssertEqual(try SimpleConvNet<Double>(seed: 1).parameters[0].value, net.parameters[0].value)
    }

    func testDoubleDeepAndAlexNetShapes() throws {
        let double = DoubleConvNetConfiguration()
        XCTAssertEqual(double.layerText, "conv:10x7x7/p1,relu,maxpool:2,conv:20x3x3/p1,relu,maxpool:2,affine:100,relu,affine:10")
        XCTAssertEqual(try double.outputShapes().map { $0 }, [[10, 24, 24], [10, 24, 24], [10, 12, 12], [20, 12, 12],
                                                               [20, 12, 12], [20, 6, 6], [100], [100], [10]])
        XCTAssertEqual(double.weightInit, .gaussian(std: 0.01))

        let deep = DeepConvNetConfiguration()
        XCTAssertEqual(deep.layerText, "conv:16x3x3/p1,relu,conv:16x3x3/p1,relu,maxpool:2,"
                       + "conv:32x3x3/p1,relu,conv:32x3x3/p2,relu,maxpool:2,"
                       + "conv:64x3x3/p1,relu,conv:64x3x3/p1,relu,maxpool:2,"
                       + "affine:50,relu,dropout:0.5,affine:10,dropout:0.5")
        let deepNet = try DeepConvNet<Float>(seed: 3)
        XCTAssertEqual(deepNet.parameters.map(\.name), ["W1", "b1", "W2", "b2", "W3", "b3", "W4", "b4",
                                                        "W5", "b5", "W6", "b6", "W7", "b7", "W8", "b8"])
        XCTAssertEqual(deepNet.parameters[12].value.shape, [64 * 4 * 4, 50], "the book's Affine reads 64·4·4")
        // He initialization with fan-in C·FH·FW: W2 has fan-in 16·3·3 = 144.
        let w2 = deepNet.parameters[2].value
        XCTAssertEqual(Double(w2.norm()) / Double(w2.count).squareRoot(), (2.0 / 144).squareRoot(), accuracy: 0.01)
        XCTAssertEqual(deepNet.predict(randomTensor([2, 1, 28, 28], seed: 4)).shape, [2, 10])

        let alex = MiniAlexNetConfiguration()
        XCTAssertEqual(alex.layerText, "conv:32x3x3/p1,relu,maxpool:2,conv:64x3x3/p1,relu,maxpool:2,"
                       + "conv:128x3x3/p1,relu,conv:128x3x3/p1,relu,conv:128x3x3/p1,relu,maxpool:3/s2,"
                       + "affine:256,relu,dropout:0.5,affine:128,relu,dropout:0.5,affine:10")
        XCTAssertEqual(try alex.outputShapes()[12], [128, 3, 3])
        let alexNet = try MiniAlexNet<Float>(seed: 5)
        XCTAssertEqual(alexNet.parameterCount, 717_194)
        let x: Tensor<Float> = randomTensor([2, 1, 28, 28], seed: 6)
        XCTAssertEqual(alexNet.predict(x).shape, [2, 10])
        XCTAssertEqual(alexNet.predict(x, mode: .training).shape, [2, 10])
    }

    func testAVariantThatDoesNotFitThrowsNamingTheLayer() {
        let config = SimpleConvNetConfiguration(convolution: ConvolutionSettings(filters: 30, size: 5, stride: 2))
        XCTAssertThrowsError(try SimpleConvNet<Float>(config)) { error in
            XCTAssertEqual("\(error)", "layer 1 conv:30x5x5/s2 does not fit its 1×28×28 input: a 5×5 filter with stride 2 "
                           + "and padding 0 does not fit a 28×28 input evenly: (28 + 2·0 − 5)/2 + 1 = 12.5; change the stride or padding")
        }
        let odd = DoubleConvNetConfiguration(inputShape: [1, 26, 26])
        XCTAssertThrowsError(try DoubleConvNet<Float>(odd)) { error in
            XCTAssertTrue("\(error)".hasPrefix("layer 6 maxpool:2 cannot pool a 11×11 input evenly: (11 + 2·0 − 2)/2 + 1 = 5.5"),
                          "\(error)")
        }
    }

    // MARK: Gradient checks on small configurations

    func testSimpleConvNetGradientOnATinyInput() throws {
        let config = SimpleConvNetConfiguration(
            inputShape: [1, 8, 8], convolution: ConvolutionSettings(filters: 3, size: 3),
            hiddenSize: 6, outputSize: 4, weightInit: .gaussian(std: 0.3))
        let net = try SimpleConvNet<Double>(config, seed: 7)
        net.parameters.filter { $0.kind == .bias }.enumerated().forEach { i, p in
            p.value = randomTensor(p.value.shape, seed: 70 + UInt64(i), scale: 0.1)
        }
        assertGradientsMatch(net, randomTensor([3, 1, 8, 8], seed: 8), labels: [0, 3, 1])
    }

    func testSimpleConvNetGradientWithWeightDecay() throws {
        let config = SimpleConvNetConfiguration(
            inputShape: [2, 6, 6], convolution: ConvolutionSettings(filters: 2, size: 3, pad: 1),
            hiddenSize: 5, outputSize: 3, weightInit: .xavier, weightDecay: WeightDecay(l2: 0.1))
        assertGradientsMatch(try SimpleConvNet<Double>(config, seed: 9), randomTensor([2, 2, 6, 6], seed: 10), labels: [2, 0])
    }

    func testDoubleConvNetGradientOnASmallConfiguration() throws {
        let config = DoubleConvNetConfiguration(
            inputShape: [1, 8, 8],
            convolutions: [ConvolutionSettings(filters: 3, size: 3, pad: 1), ConvolutionSettings(filters: 4, size: 3, pad: 1)],
            hiddenSize: 5, outputSize: 3, weightInit: .xavier)
        let net = try DoubleConvNet<Double>(config, seed: 11)
        XCTAssertEqual(try config.outputShapes().last, [3])
        assertGradientsMatch(net, randomTensor([2, 1, 8, 8], seed: 12), labels: [1, 2])
    }

    func testDeepConvNetGradientWithFrozenDropout() throws {
        let config = DeepConvNetConfiguration(
            inputShape: [1, 8, 8],
            blocks: [ConvolutionBlock([ConvolutionSettings(filters: 2, size: 3, pad: 1), ConvolutionSettings(filters: 2, size: 3, pad: 1)]),
                     ConvolutionBlock([ConvolutionSettings(filters: 3, size: 3, pad: 1)])],
            hiddenSize: 6, dropout: 0.3, outputSize: 3)
        let net = try DeepConvNet<Double>(config, seed: 13)
        let x: Tensor<Double> = randomTensor([2, 1, 8, 8], seed: 14)
        _ = net.predict(x, mode: .training)
        for case let dropout as Dropout<Double> in net.layers { dropout.freezesMask = true }
        assertGradientsMatch(net, x, labels: [0, 2])
    }

    // MARK: Training

    /// Ten classes of 12×12 images: class k has a bright 2-pixel bar, horizontal for
    /// k < 5 (at rows 2k, 2k+1) and vertical for k ≥ 5 (columns 2(k−5), +1), on faint noise.
    static func barImages(count: Int, seed: UInt64) -> (Tensor<Float>, [Int]) {
        var rng = RandomGenerator(seed: seed)
        var x = Tensor<Float>(shape: [count, 1, 12, 12])
        var labels: [Int] = []
        for n in 0..<count {
            let k = rng.int(below: 10)
            labels.append(k)
            for y in 0..<12 {
                for xx in 0..<12 {
                    let onBar = k < 5 ? (y / 2 == k && xx >= 1 && xx < 11) : (xx / 2 == k - 5 && y >= 1 && y < 11)
                    x.scalars[n * 144 + y * 12 + xx] = Float((onBar ? 0.8 : 0) + 0.2 * rng.uniform())
                }
            }
        }
        return (x, labels)
    }

    func testSimpleConvNetLearnsBarsWithAdam() throws {
        let config = SimpleConvNetConfiguration(inputShape: [1, 12, 12], convolution: ConvolutionSettings(filters: 8, size: 5),
                                                hiddenSize: 32, weightInit: .he)
        let net = try SimpleConvNet<Float>(config, seed: 15)
        var optimizer = OptimizerKind.adam(learningRate: 0.001).make(Float.self)
        let (train, trainLabels) = Self.barImages(count: 500, seed: 16)
        let (test, testLabels) = Self.barImages(count: 200, seed: 17)
        let before = net.accuracy(test, labels: testLabels)
        var rng = RandomGenerator(seed: 18)
        var firstLoss: Float = 0, lastLoss: Float = 0
        for step in 0..<60 {
            let batch = rng.indices(count: 50, below: train.rows)
            let loss = net.gradient(train.gatherRows(batch), labels: batch.map { trainLabels[$0] })
            optimizer.update(net.parameters)
            if step == 0 { firstLoss = loss }
            lastLoss = loss
        }
        let after = net.accuracy(test, labels: testLabels)
        XCTAssertLessThan(before, 0.3)
        XCTAssertGreaterThan(after, 0.95, "test accuracy after 60 Adam steps (loss \(firstLoss) → \(lastLoss))")
        XCTAssertLessThan(lastLoss, firstLoss / 2)
    }
}
