import ScratchNN
import ScratchTensor
import TestSupport
import XCTest

final class LayerSpecTests: XCTestCase {
    private func parseError(_ text: String) -> LayerSpecError? {
        do { _ = try LayerSpec.parse(text) } catch { return error }
        return nil
    }

    private func buildError(_ text: String, inputShape: [Int] = [1, 28, 28], classes: Int = 10) -> LayerSpecError? {
        do { _ = try Sequential<Float>.build(text, inputShape: inputShape, classes: classes) } catch { return error }
        return nil
    }

    func testParsesTheDocumentedSyntax() throws {
        XCTAssertEqual(try LayerSpec.parse("conv:16x3x3,relu,maxpool:2,affine:100,relu,affine:10"), [
            .conv(filters: 16, height: 3, width: 3), .relu, .maxpool(size: 2, stride: 2),
            .affine(outputs: 100), .relu, .affine(outputs: 10),
        ])
        XCTAssertEqual(try LayerSpec.parse(" conv:8x5x3/s2/p1 , Conv:4x3/p2/s1, maxpool, avgpool:3/s2, sigmoid,tanh, "
                                           + "dropout, dropout:0.25, batchnorm, flatten, affine:10"), [
            .conv(filters: 8, height: 5, width: 3, stride: 2, pad: 1), .conv(filters: 4, height: 3, width: 3, stride: 1, pad: 2),
            .maxpool(size: 2, stride: 2), .avgpool(size: 3, stride: 2), .sigmoid, .tanh,
            .dropout(ratio: 0.5), .dropout(ratio: 0.25), .batchnorm, .flatten, .affine(outputs: 10),
        ])
        // The canonical text reads back to the same list.
        let specs = try LayerSpec.parse("conv:8x5x3/s2/p1,maxpool:3/s1,avgpool:2,dropout:0.1,batchnorm,flatten,affine:10")
        XCTAssertEqual(LayerSpec.text(specs), "conv:8x5x3/s2/p1,maxpool:3/s1,avgpool:2,dropout:0.1,batchnorm,flatten,affine:10")
        XCTAssertEqual(try LayerSpec.parse(LayerSpec.text(specs)), specs)
    }

    func testParseErrorsNameTheTokenAndTheSyntax() {
        XCTAssertEqual(parseError("conv:16x3x3,pool:2,affine:10")?.description.split(separator: "\n").first.map(String.init),
                       "layer 2 'pool:2' is not a layer; the layers are:")
        XCTAssertTrue(parseError("conv:16x3x3,pool:2")?.description.contains("maxpool[:K[/sS]]") ?? false)
        XCTAssertEqual(parseError("conv:16x3x,relu")?.description,
                       "layer 1 'conv:16x3x' is not valid: expected conv:FILTERSxHEIGHTxWIDTH[/sSTRIDE][/pPAD], "
                       + "e.g. conv:16x3x3 or conv:16x3x3/s2/p1")
        XCTAssertEqual(parseError("conv:16x3x3/q1"), .badArguments(position: 1, token: "conv:16x3x3/q1",
                                                                   expected: "conv:FILTERSxHEIGHTxWIDTH[/sSTRIDE][/pPAD], e.g. conv:16x3x3 or conv:16x3x3/s2/p1"))
        XCTAssertNotNil(parseError("conv:16x3x3/s0"))
        XCTAssertNotNil(parseError("conv:0x3x3"))
        XCTAssertEqual(parseError("relu,affine")?.description, "layer 2 'affine' is not valid: expected affine:OUTPUTS, e.g. affine:100")
        XCTAssertEqual(parseError("relu:2")?.description, "layer 1 'relu:2' is not valid: expected relu (it takes no arguments)")
        XCTAssertEqual(parseError("dropout:1.5")?.description,
                       "layer 1 'dropout:1.5' is not valid: expected dropout:RATIO with 0 ≤ RATIO < 1, e.g. dropout:0.5")
        XCTAssertEqual(parseError("maxpool:two")?.description,
                       "layer 1 'maxpool:two' is not valid: expected maxpool:SIZE[/sSTRIDE], e.g. maxpool:2 or maxpool:3/s2")
        XCTAssertEqual(parseError("relu,,affine:10"), .emptyToken(position: 2))
        XCTAssertEqual(parseError("relu,,affine:10")?.description, "layer 2 is empty (two commas in a row, or a comma at the end?)")
        XCTAssertEqual(parseError("  "), .empty)
    }

    func testShapeErrorsNameTheLayerAndTheShape() {
        XCTAssertEqual(buildError("conv:4x3x3,relu,maxpool:2,maxpool:2,affine:10", inputShape: [1, 4, 4])?.description,
                       "layer 4 maxpool:2 cannot pool a 1×1 input: the 2×2 window is larger than the input")
        XCTAssertEqual(buildError("conv:4x3x3,maxpool:2,affine:10", inputShape: [1, 9, 9])?.description,
                       "layer 2 maxpool:2 cannot pool a 7×7 input evenly: (7 + 2·0 − 2)/2 + 1 = 3.5; "
                       + "change the window or stride, or the layers before it")
        XCTAssertEqual(buildError("affine:100,relu,conv:4x3x3,affine:10")?.description,
                       "layer 3 conv:4x3x3 needs an image input [C, H, W] but gets a flat vector of 100 values; "
                       + "put convolutions before the first affine or flatten")
        XCTAssertEqual(buildError("flatten,maxpool:2,affine:10")?.description,
                       "layer 2 maxpool:2 cannot pool a flat vector of 784 values; pooling needs an image [C, H, W]")
        XCTAssertEqual(buildError("conv:8x30x30,affine:10")?.description,
                       "layer 1 conv:8x30x30 does not fit its 1×28×28 input: a 30×30 filter with padding 0 is larger than "
                       + "a 28×28 input: (28 + 2·0 − 30)/1 + 1 = −1, an empty output; use a smaller filter or more padding")
        XCTAssertEqual(buildError("conv:8x3x3,relu,affine:20")?.description,
                       "the last layer, affine:20, produces 20 outputs but there are 10 classes; end with affine:10")
        XCTAssertEqual(buildError("conv:8x3x3,relu"), .outputCount(layer: "relu", outputs: 8 * 26 * 26, classes: 10))
        XCTAssertEqual(buildError("affine:10", inputShape: [28, 28]), .invalidInputShape([28, 28]))
        XCTAssertEqual(buildError("affine:3", inputShape: [12], classes: 3), nil)
        // Enum values built in code are checked as well.
        XCTAssertThrowsError(try Sequential<Float>.build([.dropout(ratio: 1), .affine(outputs: 10)], inputShape: [4])) {
            XCTAssertEqual("\($0)", "layer 1 dropout:1.0 needs a ratio in [0, 1), got 1.0")
        }
    }

    func testBuildsTheLayersWithCourseNames() throws {
        let net = try Sequential<Float>.build("conv:16x3x3/p1,relu,batchnorm,maxpool:2,conv:8x3x3,tanh,avgpool:2,"
                                              + "flatten,affine:50,sigmoid,dropout:0.2,batchnorm,affine:10", seed: 3)
        XCTAssertEqual(net.parameters.map(\.name), ["W1", "b1", "gamma1", "beta1", "W2", "b2", "W3", "b3", "gamma2", "beta2", "W4", "b4"])
        XCTAssertEqual(net.parameters.map(\.value.shape), [[16, 1, 3, 3], [16], [16 * 28 * 28], [16 * 28 * 28],
                                                           [8, 16, 3, 3], [8], [8 * 6 * 6, 50], [50], [50], [50], [50, 10], [10]])
        XCTAssertEqual(try LayerSpec.outputShapes(LayerSpec.parse("conv:16x3x3/p1,maxpool:2,conv:8x3x3,avgpool:2,flatten,affine:10"),
                                                  inputShape: [1, 28, 28]),
                       [[16, 28, 28], [16, 14, 14], [8, 12, 12], [8, 6, 6], [288], [10]])
        XCTAssertEqual(net.predict(randomTensor([3, 1, 28, 28], seed: 4)).shape, [3, 10])
        // The same text builds SimpleConvNet's layers: same seed, same weights.
        let simple = try SimpleConvNet<Float>(seed: 5)
        let rebuilt = try Sequential<Float>.build(SimpleConvNetConfiguration().layerText, weightInit: .gaussian(std: 0.01), seed: 5)
        XCTAssertEqual(rebuilt.parameters.map(\.value), simple.parameters.map(\.value))
    }

    func testGradientOfANetworkBuiltFromASpec() throws {
        let net = try Sequential<Double>.build("conv:3x3x3/p1,tanh,maxpool:2,conv:4x2x2/s2,relu,avgpool:1,batchnorm,affine:6,sigmoid,affine:4",
                                               inputShape: [2, 8, 8], classes: 4, weightInit: .xavier, seed: 6)
        let entries = GradientCheck.check(net, randomTensor([3, 2, 8, 8], seed: 7), labels: [3, 0, 1])
        XCTAssertEqual(entries.count, 10)
        for entry in entries {
            XCTAssertLessThan(entry.relativeError, 1e-6, entry.name)
        }
    }
}
