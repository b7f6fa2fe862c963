import ScratchNN
import ScratchTensor
import TestSupport
import XCTest

final class ConvolutionTests: XCTestCase {
    private let limit = 1e-6

    private func assertPasses(_ entries: [GradientCheck.Entry], _ message: String = "",
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(entries.isEmpty, file: file, line: line)
        for entry in entries {
            XCTAssertLessThan(entry.relativeError, limit, "\(message) \(entry.name)", file: file, line: line)
        }
    }

    private func convolution(
        channels: Int, filters: Int, size: (Int, Int), stride: Int, pad: Int, seed: UInt64
    ) -> Convolution<Double> {
        var rng = RandomGenerator(seed: seed)
        let layer = Convolution<Double>(channels: channels, filters: filters, filterHeight: size.0, filterWidth: size.1,
                                        stride: stride, pad: pad, initializer: .gaussian(std: 1), index: 1, using: &rng)
        layer.bias.value = randomTensor([filters], seed: seed + 100)
        return layer
    }

    /// out[n, f, i, j] = b[f] + Σ_c Σ_dy Σ_dx W[f, c, dy, dx] · x_padded[n, c, i·S + dy, j·S + dx], looped directly.
    private func naiveConvolution(_ x: Tensor<Double>, _ w: Tensor<Double>, _ b: Tensor<Double>, stride s: Int, pad p: Int) -> Tensor<Double> {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (fn, fh, fw) = (w.shape[0], w.shape[2], w.shape[3])
        let oh = (h + 2 * p - fh) / s + 1, ow = (wd + 2 * p - fw) / s + 1
        var out = Tensor<Double>(shape: [n, fn, oh, ow])
        for ni in 0..<n { for f in 0..<fn { for i in 0..<oh { for j in 0..<ow {
            var total = b.scalars[f]
            for ci in 0..<c { for dy in 0..<fh { for dx in 0..<fw {
                let (y, xx) = (i * s + dy - p, j * s + dx - p)
                if y >= 0 && y < h && xx >= 0 && xx < wd { total += w[f, ci, dy, dx] * x[ni, ci, y, xx] }
            } } }
            out[ni, f, i, j] = total
        } } } }
        return out
    }

    func testForwardMatchesADirectConvolutionLoop() {
        let cases = [(1, 0, (3, 3), (8, 7)), (1, 1, (3, 3), (8, 7)), (2, 1, (3, 2), (9, 8)), (2, 0, (2, 2), (8, 6)),
                     (3, 2, (4, 3), (9, 8))]
        for (stride, pad, size, image) in cases {
            let layer = convolution(channels: 3, filters: 4, size: size, stride: stride, pad: pad, seed: 1)
            let x: Tensor<Double> = randomTensor([2, 3, image.0, image.1], seed: 2)
            let expected = naiveConvolution(x, layer.weight.value, layer.bias.value, stride: stride, pad: pad)
            assertClose(layer.forward(x, mode: .training), expected, tolerance: 1e-12, "stride \(stride) pad \(pad)")
        }
        // Float agrees with Double.
        let layer = convolution(channels: 2, filters: 3, size: (3, 3), stride: 1, pad: 1, seed: 3)
        let x: Tensor<Double> = randomTensor([2, 2, 6, 6], seed: 4)
        let floatLayer = Convolution<Float>(
            weight: Parameter(name: "W1", kind: .weight, value: layer.weight.value.converted()),
            bias: Parameter(name: "b1", kind: .bias, value: layer.bias.value.converted()), stride: 1, pad: 1)
        assertClose(floatLayer.forward(x.converted(), mode: .training).converted(to: Double.self),
                    layer.forward(x, mode: .training), tolerance: 1e-4)
    }

    func testHandComputedConvolution() {
        // One 2×2 filter [[1, 0], [0, −1]] on a 3×3 image: out = x[i, j] − x[i+1, j+1] + 10.
        let layer = Convolution<Double>(
            weight: Parameter(name: "W1", kind: .weight, value: Tensor(shape: [1, 1, 2, 2], scalars: [1, 0, 0, -1])),
            bias: Parameter(name: "b1", kind: .bias, value: Tensor([10])))
        let x = Tensor<Double>(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let out = layer.forward(x, mode: .inference)
        XCTAssertEqual(out.shape, [1, 1, 2, 2])
        XCTAssertEqual(out.scalars, [6, 6, 6, 6])
        XCTAssertEqual(layer.summary, "Convolution 1×1×2×2 (stride 1, pad 0)")
    }

    func testConvolutionGradientsWithPaddingStrideAndChannels() {
        let cases: [(channels: Int, filters: Int, size: (Int, Int), stride: Int, pad: Int, input: [Int])] = [
            (1, 2, (3, 3), 1, 0, [2, 1, 5, 5]),
            (3, 4, (3, 3), 1, 1, [2, 3, 5, 5]),      // padding, several channels
            (2, 3, (3, 3), 2, 0, [2, 2, 7, 7]),      // stride 2
            (2, 3, (3, 2), 2, 1, [1, 2, 5, 6]),      // stride 2 with padding, non-square filter
        ]
        for (i, c) in cases.enumerated() {
            let layer = convolution(channels: c.channels, filters: c.filters, size: c.size, stride: c.stride, pad: c.pad,
                                    seed: UInt64(10 + i))
            let entries = GradientCheck.check(layer: layer, input: randomTensor(c.input, seed: UInt64(20 + i)))
            XCTAssertEqual(entries.map(\.name), ["x", "W1", "b1"])
            assertPasses(entries, "case \(i)")
        }
    }

    func testMaxPoolingGradients() {
        // Random normal inputs have no ties, so a ±1e-4 nudge never changes a window's winner.
        assertPasses(GradientCheck.check(layer: MaxPooling<Double>(size: 2), input: randomTensor([2, 3, 4, 6], seed: 30)))
        // Overlapping 3×3 windows with stride 2 (gradients add up) and padding.
        assertPasses(GradientCheck.check(layer: MaxPooling<Double>(size: 3, stride: 2), input: randomTensor([2, 2, 7, 7], seed: 31)))
        assertPasses(GradientCheck.check(layer: MaxPooling<Double>(size: 2, stride: 2, pad: 1),
                                         input: randomTensor([1, 2, 4, 4], seed: 32) + 3))
    }

    func testAveragePoolingGradients() {
        assertPasses(GradientCheck.check(layer: AveragePooling<Double>(size: 2), input: randomTensor([2, 3, 4, 6], seed: 33)))
        assertPasses(GradientCheck.check(layer: AveragePooling<Double>(size: 3, stride: 2), input: randomTensor([2, 2, 7, 7], seed: 34)))
        assertPasses(GradientCheck.check(layer: AveragePooling<Double>(poolHeight: 2, poolWidth: 3, stride: 1, pad: 1),
                                         input: randomTensor([1, 2, 4, 5], seed: 35)))
    }

    func testFlattenGradientAndShapes() {
        let layer = Flatten<Double>()
        let x: Tensor<Double> = randomTensor([3, 2, 4, 5], seed: 36)
        let out = layer.forward(x, mode: .training)
        XCTAssertEqual(out.shape, [3, 40])
        XCTAssertEqual(out.scalars, x.scalars)
        XCTAssertEqual(layer.backward(out).shape, [3, 2, 4, 5])
        assertPasses(GradientCheck.check(layer: Flatten<Double>(), input: x))
    }

    func testMaxPoolingFirstMaximumWinsTiesAndGetsTheGradient() {
        let layer = MaxPooling<Double>(size: 2)
        // Window 1: all equal → the top-left wins. Window 2: 5 twice → the first in row order.
        let x = Tensor<Double>(shape: [1, 1, 2, 4], scalars: [
            3, 3, 1, 5,
            3, 3, 5, 2,
        ])
        XCTAssertEqual(layer.forward(x, mode: .training).scalars, [3, 5])
        let dx = layer.backward(Tensor(shape: [1, 1, 1, 2], scalars: [1, 2]))
        XCTAssertEqual(dx.scalars, [1, 0, 0, 2,
                                    0, 0, 0, 0])
        XCTAssertEqual(layer.summary, "MaxPooling 2×2 (stride 2)")

        // 2×2 windows take an unrolled path, larger ones a loop: both keep the first maximum.
        let left = MaxPooling<Double>(size: 2)
        XCTAssertEqual(left.forward(Tensor(shape: [1, 1, 2, 2], scalars: [1, 0, 1, 0]), mode: .training).scalars, [1])
        XCTAssertEqual(left.backward(Tensor(shape: [1, 1, 1, 1], scalars: [7])).scalars, [7, 0, 0, 0])
        let bottom = MaxPooling<Double>(size: 2)
        _ = bottom.forward(Tensor(shape: [1, 1, 2, 2], scalars: [0, 1, 2, 2]), mode: .training)
        XCTAssertEqual(bottom.backward(Tensor(shape: [1, 1, 1, 1], scalars: [7])).scalars, [0, 0, 7, 0])
        let three = MaxPooling<Double>(size: 3)
        let y = Tensor<Double>(shape: [1, 1, 3, 3], scalars: [0, 1, 4, 4, 2, 4, 0, 4, 3])
        XCTAssertEqual(three.forward(y, mode: .training).scalars, [4])
        XCTAssertEqual(three.backward(Tensor(shape: [1, 1, 1, 1], scalars: [1])).scalars, [0, 0, 1, 0, 0, 0, 0, 0, 0])
    }

    func testPoolingForwardOnHandComputedInput() {
        let x = Tensor<Double>(shape: [1, 2, 2, 2], scalars: [1, -2, 3, 0, -5, -6, -7, -8])
        XCTAssertEqual(MaxPooling<Double>(size: 2).forward(x, mode: .inference).scalars, [3, -5])
        XCTAssertEqual(AveragePooling<Double>(size: 2).forward(x, mode: .inference).scalars, [0.5, -6.5])
        // 3×3 input, 2×2 windows with stride 1 → 2×2 output; the average spreads dout/4.
        let y = Tensor<Double>(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let avg = AveragePooling<Double>(size: 2, stride: 1)
        XCTAssertEqual(avg.forward(y, mode: .inference).scalars, [3, 4, 6, 7])
        XCTAssertEqual(avg.backward(Tensor(shape: [1, 1, 2, 2], repeating: 4)).scalars, [1, 2, 1, 2, 4, 2, 1, 2, 1])
        let max = MaxPooling<Double>(size: 2, stride: 1)
        XCTAssertEqual(max.forward(y, mode: .inference).scalars, [5, 6, 8, 9])
        XCTAssertEqual(max.backward(Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])).scalars, [0, 0, 0, 0, 1, 2, 0, 3, 4])
    }

    func testFusedConvolutionReLUPoolingMatchesTheThreeLayers() throws {
        for (pooled, pad) in [(true, 1), (false, 1), (true, 0)] {
            let conv = convolution(channels: 3, filters: 5, size: (3, 3), stride: 1, pad: pad, seed: 40)
            let same = Convolution<Double>(weight: Parameter(name: "W1", kind: .weight, value: conv.weight.value),
                                           bias: Parameter(name: "b1", kind: .bias, value: conv.bias.value), stride: 1, pad: pad)
            let relu = ReLU<Double>(), pool = MaxPooling<Double>(size: 2)
            let x: Tensor<Double> = randomTensor([3, 3, 8, 8], seed: 41)
            var expected = relu.forward(same.forward(x, mode: .training), mode: .training)
            if pooled { expected = pool.forward(expected, mode: .training) }
            let out = conv.forward(x, mode: .training, thenReLU: true, thenMaxPooling: pooled ? pool : nil)
            XCTAssertEqual(out, expected)
            let dout: Tensor<Double> = randomTensor(out.shape, seed: 42)
            var dy = dout
            if pooled { dy = pool.backward(dy) }
            let dx = same.backward(relu.backward(dy))
            XCTAssertEqual(conv.backward(dout), dx)
            XCTAssertEqual(conv.weight.gradient, same.weight.gradient)
            XCTAssertEqual(conv.bias.gradient, same.bias.gradient)
            // The parameters only (each backward pass uses its forward pass's input once), and
            // after an inference pass (the winners are found again).
            conv.weight.gradient = Tensor(shape: conv.weight.value.shape)
            _ = conv.forward(x, mode: .training, thenReLU: true, thenMaxPooling: pooled ? pool : nil)
            conv.backwardParameters(dout)
            XCTAssertEqual(conv.weight.gradient, same.weight.gradient)
            XCTAssertEqual(conv.forward(x, mode: .inference, thenReLU: true, thenMaxPooling: pooled ? pool : nil), out)
            XCTAssertEqual(conv.backward(dout), dx)
            // A plain forward afterwards is the plain layer again.
            XCTAssertEqual(conv.forward(x, mode: .training), same.forward(x, mode: .training))
        }
    }

    func testFusedLayerCountFindsConvolutionReLUPooling() throws {
        let simple = try SimpleConvNet<Float>(seed: 1).layers
        XCTAssertEqual((0..<simple.count).map { Convolution<Float>.fusedLayerCount(in: simple, at: $0) }, [3, 0, 0, 0, 0, 0])
        XCTAssertEqual(Convolution<Float>.fusedSteps(simple), [0..<3, 3..<4, 4..<5, 5..<6])
        let deep = try DeepConvNet<Float>(seed: 1).layers
        XCTAssertEqual((0..<8).map { Convolution<Float>.fusedLayerCount(in: deep, at: $0) }, [2, 0, 3, 0, 0, 2, 0, 3])
        var rng = RandomGenerator(seed: 5)
        let bare: [any Layer<Float>] = [Convolution<Float>(channels: 1, filters: 2, filterHeight: 3, filterWidth: 3,
                                                           initializer: .he, index: 1, using: &rng)]
        XCTAssertEqual(Convolution<Float>.fusedLayerCount(in: bare, at: 0), 1)
        let wide: [any Layer<Float>] = bare + [ReLU<Float>(), MaxPooling<Float>(size: 16)]
        XCTAssertEqual(Convolution<Float>.fusedLayerCount(in: wide, at: 0), 2, "a 256-element window is not fused")
    }

    /// A network run step by step (``Convolution/fusedSteps(_:)``) computes what it computes layer by layer.
    func testFusedStepsGiveTheNetworksOutputAndGradients() throws {
        let config = DeepConvNetConfiguration(
            inputShape: [1, 8, 8],
            blocks: [ConvolutionBlock([ConvolutionSettings(filters: 2, size: 3, pad: 1), ConvolutionSettings(filters: 3, size: 3, pad: 1)]),
                     ConvolutionBlock([ConvolutionSettings(filters: 4, size: 3, pad: 1)])],
            hiddenSize: 6, dropout: nil, outputSize: 3)
        let net = try DeepConvNet<Double>(config, seed: 13)
        let layers = net.layers
        let steps = Convolution<Double>.fusedSteps(layers)
        XCTAssertEqual(steps, [0..<2, 2..<5, 5..<8, 8..<9, 9..<10, 10..<11])
        let x: Tensor<Double> = randomTensor([2, 1, 8, 8], seed: 14)
        let labels = [0, 2]
        let layerByLayer = net.predict(x, mode: .training)
        net.gradient(x, labels: labels)
        let expected = net.parameters.map(\.gradient)
        var out = x
        for step in steps { out = Convolution<Double>.forward(step: step, of: layers, out, mode: .training) }
        XCTAssertEqual(out, layerByLayer)
        _ = net.lossLayer.forward(out, labels: labels)
        var dout = net.lossLayer.backward()
        for step in steps.reversed() { dout = layers[step.lowerBound].backward(dout) }
        for (p, e) in zip(net.parameters, expected) { assertClose(p.gradient, e, tolerance: 1e-12, p.name) }
        var inference = x
        for step in steps { inference = Convolution<Double>.forward(step: step, of: layers, inference, mode: .inference) }
        assertClose(inference, net.predict(x), tolerance: 1e-12)
    }
}
