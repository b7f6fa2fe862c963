import ScratchTensor
import TestSupport
import XCTest

/// The image-by-image convolution kernels (`Conv2D`) against the course's batch-wide im2col
/// formulation in Double, for every float32 strategy (through MatMul, packed panels on each
/// kernel family, implicit GEMM on AVX-512 where the CPU has it), on one thread and shared
/// over two; the fused ReLU/max-pooling epilogue against the layers' kernels one after the
/// other; and max pooling's one-byte winners against its flat indices.
final class Conv2DTests: XCTestCase {
    /// (input [N, C, H, W], filters, filter H×W, stride, pad). Some are large enough (≥ 2 M
    /// multiply-adds) to be shared over two threads when the kernel is forced.
    private static let shapes: [([Int], Int, (Int, Int), Int, Int)] = [
        ([2, 3, 8, 7], 4, (3, 3), 1, 0), ([3, 2, 8, 7], 5, (3, 3), 1, 1), ([2, 3, 9, 8], 5, (3, 2), 2, 1),
        ([2, 1, 8, 6], 3, (2, 2), 2, 0), ([2, 3, 9, 8], 4, (4, 3), 3, 2), ([3, 5, 6, 6], 3, (1, 1), 1, 0),
        ([2, 9, 10, 10], 4, (3, 3), 1, 2), ([2, 8, 7, 7], 33, (3, 3), 1, 1), ([1, 1, 1, 1], 2, (3, 3), 1, 1),
        ([3, 1, 12, 12], 30, (5, 5), 1, 0), ([16, 8, 12, 12], 16, (3, 3), 1, 1), ([12, 16, 8, 8], 64, (3, 3), 1, 1),
    ]

    private static var strategies: [Conv2D.Strategy] {
        [.matMul, .packed(.avx2)] + (Conv2D.avx512Runs ? [.packed(.avx512), .implicit] : [])
    }

    /// The course's convolution, forward and backward, in Double: im2col, products, col2im.
    private func reference(_ x: Tensor<Double>, _ w: Tensor<Double>, _ b: Tensor<Double>, _ g: ConvolutionGeometry,
                           _ dout: Tensor<Double>) -> (out: Tensor<Double>, dx: Tensor<Double>, dW: Tensor<Double>, db: Tensor<Double>) {
        let wCol = w.reshaped([w.shape[0], w.columns])
        let col = im2col(x, geometry: g)
        let out = MatMul.multiply(col, wCol, transposeB: true)
            .channelsFirst(batch: x.shape[0], height: g.outputHeight, width: g.outputWidth, addingBias: b)
        let rows = dout.channelsLast()
        let dW = MatMul.multiply(rows, col, transposeA: true).reshaped(w.shape)
        let dx = col2im(MatMul.multiply(rows, wCol), inputShape: x.shape, geometry: g)
        return (out, dx, dW, dout.channelSums())
    }

    private func assertNear(_ actual: Tensor<Float>, _ expected: Tensor<Double>, _ message: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        let scale = max(1, expected.scalars.map { Swift.abs($0) }.max() ?? 0)
        assertClose(actual.converted(to: Double.self), expected, tolerance: 2e-5 * scale, message, file: file, line: line)
    }

    func testEveryStrategyMatchesTheCourseIm2Col() throws {
        for (i, (shape, filters, size, stride, pad)) in Self.shapes.enumerated() {
            let g = try ConvolutionGeometry(inputHeight: shape[2], inputWidth: shape[3], filterHeight: size.0,
                                            filterWidth: size.1, stride: stride, pad: pad)
            let x: Tensor<Double> = randomTensor(shape, seed: UInt64(10 + i))
            let w: Tensor<Double> = randomTensor([filters, shape[1], size.0, size.1], seed: UInt64(30 + i), scale: 0.5)
            let b: Tensor<Double> = randomTensor([filters], seed: UInt64(50 + i))
            let dout: Tensor<Double> = randomTensor([shape[0], filters, g.outputHeight, g.outputWidth], seed: UInt64(70 + i))
            let expected = reference(x, w, b, g, dout)

            // Double: through MatMul (BLAS).
            let out64 = Conv2D.forward(x, weight: w, bias: b, geometry: g)
            let (dx64, dW64, db64) = Conv2D.backward(dout, input: x, weight: w, geometry: g)
            assertClose(out64, expected.out, tolerance: 1e-10, "double out, shape \(i)")
            assertClose(dx64!, expected.dx, tolerance: 1e-10, "double dx, shape \(i)")
            assertClose(dW64, expected.dW, tolerance: 1e-10, "double dW, shape \(i)")
            assertClose(db64, expected.db, tolerance: 1e-10, "double db, shape \(i)")

            let (x32, w32, b32, dout32): (Tensor<Float>, Tensor<Float>, Tensor<Float>, Tensor<Float>) =
                (x.converted(), w.converted(), b.converted(), dout.converted())
            for strategy in Self.strategies {
                for threads in [1, 2] {
                    let label = "\(strategy), \(threads) thread(s), shape \(i)"
                    GEMMSelection.$forced.withValue(.kernel(threads: threads)) {
                        Conv2D.$forcedStrategy.withValue(strategy) {
                            assertNear(Conv2D.forward(x32, weight: w32, bias: b32, geometry: g), expected.out, "out, \(label)")
                            let (dx, dW, db) = Conv2D.backward(dout32, input: x32, weight: w32, geometry: g)
                            assertNear(dx!, expected.dx, "dx, \(label)")
                            assertNear(dW, expected.dW, "dW, \(label)")
                            assertNear(db, expected.db, "db, \(label)")
                            let (noDx, dW2, db2) = Conv2D.backward(dout32, input: x32, weight: w32, geometry: g, inputGradient: false)
                            XCTAssertNil(noDx)
                            assertNear(dW2, expected.dW, "dW without dx, \(label)")
                            assertNear(db2, expected.db, "db without dx, \(label)")
                        }
                    }
                }
            }
        }
    }

    /// Convolution, ReLU, max pooling through the layers' kernels one after the other.
    private func unfused<T: TensorScalar>(_ x: Tensor<T>, _ w: Tensor<T>, _ b: Tensor<T>, _ g: ConvolutionGeometry,
                                          pool: ConvolutionGeometry?, _ dout: Tensor<T>)
        -> (out: Tensor<T>, dx: Tensor<T>, dW: Tensor<T>, db: Tensor<T>) {
        let conv = Conv2D.forward(x, weight: w, bias: b, geometry: g)
        let y = conv.relu()
        var out = y
        var argmax: [Int] = []
        if let pool { (out, argmax) = Pool2D.maxForward(y, geometry: pool) }
        let dy = pool == nil ? dout : Pool2D.maxBackward(dout, argmax: argmax, inputShape: y.shape)
        let dconv = Tensor(shape: y.shape, scalars: zip(dy.scalars, conv.scalars).map { $1 > 0 ? $0 : 0 })
        let (dx, dW, db) = Conv2D.backward(dconv, input: x, weight: w, geometry: g)
        return (out, dx!, dW, db)
    }

    func testFusedReLUAndPoolingEqualTheKernelsOneAfterAnother() throws {
        // (input, filters, size, pad, pooling window/stride/pad or nil)
        let cases: [([Int], Int, Int, Int, (Int, Int, Int)?)] = [
            ([3, 2, 8, 8], 4, 3, 1, (2, 2, 0)), ([3, 2, 9, 9], 4, 3, 1, (3, 2, 0)), ([2, 3, 8, 8], 5, 3, 2, (2, 2, 1)),
            ([4, 1, 12, 12], 30, 5, 0, (2, 2, 0)), ([3, 9, 14, 14], 16, 3, 1, (2, 2, 0)), ([4, 3, 7, 7], 6, 3, 1, nil),
            ([2, 2, 34, 34], 9, 3, 0, (2, 2, 0)), ([2, 8, 40, 42], 20, 3, 1, (2, 2, 0)), ([16, 16, 8, 8], 24, 3, 1, (2, 2, 0)),
        ]
        for (i, (shape, filters, size, pad, poolSpec)) in cases.enumerated() {
            let g = try ConvolutionGeometry(inputHeight: shape[2], inputWidth: shape[3], filterHeight: size, filterWidth: size,
                                            stride: 1, pad: pad)
            let pool = try poolSpec.map { try ConvolutionGeometry(inputHeight: g.outputHeight, inputWidth: g.outputWidth,
                                                                  filterHeight: $0.0, filterWidth: $0.0, stride: $0.1, pad: $0.2) }
            let x: Tensor<Double> = randomTensor(shape, seed: UInt64(100 + i))
            let w: Tensor<Double> = randomTensor([filters, shape[1], size, size], seed: UInt64(120 + i), scale: 0.5)
            let b: Tensor<Double> = randomTensor([filters], seed: UInt64(140 + i))
            let outShape = [shape[0], filters, pool?.outputHeight ?? g.outputHeight, pool?.outputWidth ?? g.outputWidth]
            let dout: Tensor<Double> = randomTensor(outShape, seed: UInt64(160 + i))
            let epilogue = Conv2D.Epilogue(relu: true, maxPool: pool)

            // Double: exactly the same numbers.
            let expected = unfused(x, w, b, g, pool: pool, dout)
            let (out, winners) = Conv2D.forward(x, weight: w, bias: b, geometry: g, then: epilogue, recordingWinners: true)
            XCTAssertEqual(out, expected.out, "case \(i)")
            let (dx, dW, db) = Conv2D.backward(dout, input: x, weight: w, geometry: g, through: epilogue, output: out, winners: winners)
            XCTAssertEqual(dx, expected.dx, "case \(i)")
            XCTAssertEqual(dW, expected.dW, "case \(i)")
            XCTAssertEqual(db, expected.db, "case \(i)")
            let (inferenceOut, noWinners) = Conv2D.forward(x, weight: w, bias: b, geometry: g, then: epilogue, recordingWinners: false)
            XCTAssertEqual(inferenceOut, out)
            XCTAssertTrue(noWinners.isEmpty)

            // Float: each strategy, fused, against the same strategy unfused.
            let (x32, w32, b32, dout32): (Tensor<Float>, Tensor<Float>, Tensor<Float>, Tensor<Float>) =
                (x.converted(), w.converted(), b.converted(), dout.converted())
            for strategy in Self.strategies {
                GEMMSelection.$forced.withValue(.kernel(threads: 2)) {
                    Conv2D.$forcedStrategy.withValue(strategy) {
                        let expected32 = unfused(x32, w32, b32, g, pool: pool, dout32)
                        let (out32, winners32) = Conv2D.forward(x32, weight: w32, bias: b32, geometry: g, then: epilogue,
                                                                recordingWinners: true)
                        assertClose(out32, expected32.out, tolerance: 1e-5, "\(strategy) out, case \(i)")
                        let (dx32, dW32, db32) = Conv2D.backward(dout32, input: x32, weight: w32, geometry: g, through: epilogue,
                                                                 output: out32, winners: winners32)
                        assertClose(dx32!, expected32.dx, tolerance: 1e-4, "\(strategy) dx, case \(i)")
                        assertClose(dW32, expected32.dW, tolerance: 1e-3, "\(strategy) dW, case \(i)")
                        assertClose(db32, expected32.db, tolerance: 1e-4, "\(strategy) db, case \(i)")
                    }
                }
            }
        }
    }

    private func check<T: TensorScalar>(_ x: Tensor<T>, _ dout: Tensor<T>, _ g: ConvolutionGeometry, _ message: String,
                                        file: StaticString = #filePath, line: UInt = #line) {
        let (out, argmax) = Pool2D.maxForward(x, geometry: g)
        let (out2, winners) = Pool2D.maxForward(x, geometry: g, recordingWinners: true)
        XCTAssertEqual(out2, out, message, file: file, line: line)
        XCTAssertEqual(Pool2D.maxForward(x, geometry: g, recordingWinners: false).output, out, message, file: file, line: line)
        XCTAssertEqual(Pool2D.maxBackward(dout, winners: winners, inputShape: x.shape, geometry: g),
                       Pool2D.maxBackward(dout, argmax: argmax, inputShape: x.shape), message, file: file, line: line)
    }

    func testMaxPoolingWinnersMatchTheFlatIndices() throws {
        // Overlapping windows, padding, and ties (rounded values) included.
        let cases: [([Int], Int, Int, Int)] = [([2, 3, 4, 6], 2, 2, 0), ([2, 2, 7, 7], 3, 2, 0), ([1, 2, 4, 4], 2, 2, 1),
                                               ([2, 2, 6, 6], 2, 1, 0), ([3, 4, 32, 32], 2, 2, 0), ([1, 1, 5, 5], 3, 1, 1),
                                               ([2, 3, 24, 24], 2, 2, 0), ([1, 2, 40, 70], 2, 2, 0), ([600, 1, 2, 2], 2, 2, 0), ([8, 32, 40, 40], 2, 2, 0)]
        for (i, (shape, size, stride, pad)) in cases.enumerated() {
            var x: Tensor<Double> = randomTensor(shape, seed: UInt64(200 + i))
            x = Tensor(shape: shape, scalars: x.scalars.map { ($0 * 2).rounded() - (i % 2 == 0 ? 0 : 3) })
            let g = try ConvolutionGeometry(inputHeight: shape[2], inputWidth: shape[3], filterHeight: size, filterWidth: size,
                                            stride: stride, pad: pad)
            let dout: Tensor<Double> = randomTensor([shape[0], shape[1], g.outputHeight, g.outputWidth], seed: UInt64(220 + i))
            check(x, dout, g, "double, case \(i)")
            check(x.converted(to: Float.self), dout.converted(to: Float.self), g, "float, case \(i)")
        }
    }
}
