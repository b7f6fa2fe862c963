import ScratchTensor
import TestSupport
import XCTest

final class Im2ColTests: XCTestCase {
    /// The notes' worked example (course 2_6, "im2colの処理確認"): the input, `col` and
    /// `col2im(col)` exactly as the notes print them.
    func testCourseWorkedExample() throws {
        let x = ConvolutionExplanation.courseInput
        XCTAssertEqual(x.shape, [2, 1, 4, 4])
        let col = try im2col(x, filterHeight: 3, filterWidth: 3, stride: 1, pad: 0)
        let expectedCol = Tensor<Double>(rows: [
            [36, 81, 79, 6, 72, 5, 57, 4, 37],
            [81, 79, 54, 72, 5, 87, 4, 37, 8],
            [6, 72, 5, 57, 4, 37, 78, 42, 79],
            [72, 5, 87, 4, 37, 8, 42, 79, 61],
            [33, 38, 44, 19, 72, 53, 92, 18, 52],
            [38, 44, 78, 72, 53, 34, 18, 52, 31],
            [19, 72, 53, 92, 18, 52, 13, 38, 10],
            [72, 53, 34, 18, 52, 31, 38, 10, 93],
        ])
        XCTAssertEqual(col, expectedCol)

        let image = try col2im(col, inputShape: x.shape, filterHeight: 3, filterWidth: 3, stride: 1, pad: 0)
        let expectedImage = Tensor<Double>(shape: [2, 1, 4, 4], scalars: [
            36, 162, 158, 54, 12, 288, 20, 174, 114, 16, 148, 16, 78, 84, 158, 61,
            33, 76, 88, 78, 38, 288, 212, 68, 184, 72, 208, 62, 13, 76, 20, 93,
        ])
        XCTAssertEqual(image, expectedImage)
    }

    /// col2im adds overlapping windows: col2im(im2col(x)) = x × windows per pixel
    /// (corner ×1, edge ×2, centre ×4 for 4×4 and 3×3).
    func testCol2ImOfIm2ColMultipliesByWindowCounts() throws {
        let x = Tensor<Double>(shape: [2, 1, 4, 4], scalars: (0..<32).map(Double.init))
        let g = try ConvolutionGeometry(inputSize: 4, filterSize: 3)
        let roundTrip = col2im(im2col(x, geometry: g), inputShape: x.shape, geometry: g)
        let counts: [Double] = [1, 2, 2, 1,
                                2, 4, 4, 2,
                                2, 4, 4, 2,
                                1, 2, 2, 1]
        XCTAssertEqual(roundTrip.scalars, (0..<32).map { Double($0) * counts[$0 % 16] })
        // Float takes the same path (the pre-specialized Float version).
        let xf: Tensor<Float> = x.converted()
        XCTAssertEqual(col2im(im2col(xf, geometry: g), inputShape: x.shape, geometry: g), roundTrip.converted())
    }

    /// The definition, written as a naive loop over a zero-padded copy.
    private func naiveIm2Col(_ x: Tensor<Double>, fh: Int, fw: Int, stride s: Int, pad p: Int) -> [[Double]] {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h + 2 * p - fh) / s + 1, ow = (w + 2 * p - fw) / s + 1
        func padded(_ ni: Int, _ ci: Int, _ y: Int, _ xx: Int) -> Double {
            let (iy, ix) = (y - p, xx - p)
            return iy >= 0 && iy < h && ix >= 0 && ix < w ? x[ni, ci, iy, ix] : 0
        }
        var rows: [[Double]] = []
        for ni in 0..<n { for y in 0..<oh { for xo in 0..<ow {
            var row: [Double] = []
            for ci in 0..<c { for dy in 0..<fh { for dx in 0..<fw {
                row.append(padded(ni, ci, y * s + dy, xo * s + dx))
            } } }
            rows.append(row)
        } } }
        return rows
    }

    func testPaddingStrideAndChannelsMatchTheDefinition() throws {
        let x: Tensor<Double> = randomTensor([2, 3, 7, 7], seed: 1)
        // (7 + 2·1 − 3)/2 + 1 = 4 → 2·4·4 = 32 rows, 3·3·3 = 27 columns.
        let g = try ConvolutionGeometry(inputSize: 7, filterSize: 3, stride: 2, pad: 1)
        XCTAssertEqual([g.outputHeight, g.outputWidth], [4, 4])
        let col = im2col(x, geometry: g)
        XCTAssertEqual(col.shape, [32, 27])
        XCTAssertEqual(col, Tensor(rows: naiveIm2Col(x, fh: 3, fw: 3, stride: 2, pad: 1)))
        XCTAssertEqual(col.scalars[0], 0, "the top-left corner of the first window is padding")

        // Non-square: 5×6 input, 2×3 filter, stride 1, pad 2 → 8×8.
        let y: Tensor<Double> = randomTensor([1, 2, 5, 6], seed: 2)
        let g2 = try ConvolutionGeometry(inputHeight: 5, inputWidth: 6, filterHeight: 2, filterWidth: 3, stride: 1, pad: 2)
        XCTAssertEqual([g2.outputHeight, g2.outputWidth], [8, 8])
        XCTAssertEqual(im2col(y, geometry: g2), Tensor(rows: naiveIm2Col(y, fh: 2, fw: 3, stride: 1, pad: 2)))
    }

    /// col2im is the adjoint (transpose) of im2col: ⟨im2col(x), C⟩ = ⟨x, col2im(C)⟩ —
    /// the property that makes dx = col2im(dcol) the convolution's input gradient.
    func testCol2ImIsTheAdjointOfIm2Col() throws {
        for (stride, pad) in [(1, 0), (2, 1), (3, 0), (2, 2), (1, 1)] {
            let x: Tensor<Double> = randomTensor([2, 2, 9, 9], seed: 3)
            let g = try ConvolutionGeometry(inputSize: 9, filterSize: 3, stride: stride, pad: pad)
            let c: Tensor<Double> = randomTensor([2 * g.outputPositions, 2 * 9], seed: 4)
            let left = (im2col(x, geometry: g) * c).sum()
            let right = (x * col2im(c, inputShape: x.shape, geometry: g)).sum()
            XCTAssertEqual(left, right, accuracy: 1e-9, "stride \(stride) pad \(pad)")
        }
    }

    func testOutputSizeFormula() throws {
        // The notes' quiz: 6×6 input, 2×2 filter, stride 1, pad 1 → 7×7.
        XCTAssertEqual(try ConvolutionGeometry.outputSize(input: 6, filter: 2, stride: 1, pad: 1), 7)
        let quiz = try ConvolutionGeometry(inputSize: 6, filterSize: 2, stride: 1, pad: 1)
        XCTAssertEqual([quiz.outputHeight, quiz.outputWidth], [7, 7])
        XCTAssertEqual(quiz.description, "OH = (6 + 2·1 − 2)/1 + 1 = 7, OW = 7 → 7×7")
        XCTAssertEqual(try ConvolutionGeometry.outputSize(input: 28, filter: 5), 24)
        XCTAssertEqual(try ConvolutionGeometry.outputSize(input: 24, filter: 2, stride: 2), 12)
        XCTAssertEqual(try ConvolutionGeometry.outputSize(input: 14, filter: 3, stride: 1, pad: 2), 16)
    }

    private func sizeError(_ body: () throws -> Void) -> ConvolutionSizeError? {
        do { try body() } catch { return error as? ConvolutionSizeError }
        return nil
    }

    func testOutputSizeErrorsExplainTheFormula() {
        let uneven = sizeError { _ = try ConvolutionGeometry(inputSize: 28, filterSize: 5, stride: 2, pad: 0) }
        XCTAssertEqual(uneven?.reason, .notWhole)
        XCTAssertEqual(uneven?.description,
                       "a 5×5 filter with stride 2 and padding 0 does not fit a 28×28 input evenly: "
                       + "(28 + 2·0 − 5)/2 + 1 = 12.5; change the stride or padding")
        XCTAssertEqual(uneven?.exactOutput, 12.5)

        let tooLarge = sizeError { _ = try ConvolutionGeometry(inputSize: 4, filterSize: 7) }
        XCTAssertEqual(tooLarge?.reason, .filterTooLarge)
        XCTAssertEqual(tooLarge?.description,
                       "a 7×7 filter with padding 0 is larger than a 4×4 input: (4 + 2·0 − 7)/1 + 1 = −2, "
                       + "an empty output; use a smaller filter or more padding")

        let wide = sizeError {
            _ = try ConvolutionGeometry(inputHeight: 8, inputWidth: 9, filterHeight: 2, filterWidth: 2, stride: 2)
        }
        XCTAssertEqual(wide?.axis, 1)
        XCTAssertTrue(wide?.description.contains("along the width: (9 + 2·0 − 2)/2 + 1 = 4.5") ?? false,
                      wide?.description ?? "no error")

        let third = sizeError { _ = try ConvolutionGeometry.outputSize(input: 10, filter: 3, stride: 3) }
        XCTAssertEqual(third?.description,
                       "a filter of size 3 with stride 3 and padding 0 does not fit an input of size 10 evenly: "
                       + "(10 + 2·0 − 3)/3 + 1 = ≈ 3.33; change the stride or padding")

        XCTAssertEqual(sizeError { _ = try ConvolutionGeometry.outputSize(input: 5, filter: 3, stride: 0) }?.description,
                       "the stride must be at least 1, got 0")
        XCTAssertEqual(sizeError { _ = try ConvolutionGeometry.outputSize(input: 5, filter: 3, pad: -1) }?.reason,
                       .negativePad)
        XCTAssertEqual(sizeError { _ = try ConvolutionGeometry.outputSize(input: 5, filter: 0) }?.reason, .emptyFilter)
        XCTAssertEqual(sizeError { _ = try ConvolutionGeometry(inputSize: 0, filterSize: 1) }?.reason, .emptyInput)
    }

    func testExplainConvSize() {
        XCTAssertEqual(ConvolutionExplanation.outputSize(height: 6, width: 6, filterHeight: 2, filterWidth: 2, stride: 1, pad: 1),
                       "OH = (H + 2P − FH)/S + 1,  OW = (W + 2P − FW)/S + 1\nOH = (6 + 2·1 − 2)/1 + 1 = 7, OW = 7 → 7×7")
        XCTAssertTrue(ConvolutionExplanation.outputSize(height: 28, width: 20, filterHeight: 5, filterWidth: 3)
            .hasSuffix("OH = (28 + 2·0 − 5)/1 + 1 = 24, OW = (20 + 2·0 − 3)/1 + 1 = 18 → 24×18"))
        XCTAssertTrue(ConvolutionExplanation.outputSize(height: 28, width: 28, filterHeight: 5, filterWidth: 5, stride: 2)
            .hasSuffix("(28 + 2·0 − 5)/2 + 1 = 12.5; change the stride or padding"))
    }

    func testExplainIm2ColShowsInputColAndWindowCounts() throws {
        let text = try ConvolutionExplanation.im2col()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], "im2col: input 2×1×4×4 (N×C×H×W), filter 3×3, stride 1, pad 0")
        XCTAssertEqual(lines[1], "OH = (4 + 2·0 − 3)/1 + 1 = 2, OW = 2 → 2×2")
        XCTAssertTrue(text.contains("= 8 rows, ordered (n, oh, ow)"), text)
        XCTAssertTrue(text.contains("= 9 columns, ordered (c, fh, fw)"), text)
        // The first and last rows of col for the values 0…31.
        XCTAssertTrue(lines.contains("  (0, 0, 0)  [ 0  1  2  4  5  6  8  9 10]"), text)
        XCTAssertTrue(lines.contains("  (1, 1, 1)  [21 22 23 25 26 27 29 30 31]"), text)
        // col2im(col) = x × windows, side by side (image n = 0: rows 0 and 1).
        XCTAssertTrue(lines.contains("(×1 at a corner, ×2 on an edge, ×4 in the centre)"), text)
        XCTAssertTrue(lines.contains("  col2im(col)   x             windows"), text)
        XCTAssertTrue(lines.contains("   0  2  4  3    0  1  2  3   1 2 2 1"), text)
        XCTAssertTrue(lines.contains("   8 20 24 14    4  5  6  7   2 4 4 2"), text)
        XCTAssertTrue(lines.contains("  16 36 40 22 =  8  9 10 11 × 2 4 4 2"), text)
        XCTAssertTrue(lines.contains("  12 26 28 15   12 13 14 15   1 2 2 1"), text)

        let padded = try ConvolutionExplanation.im2col(input: ConvolutionExplanation.courseInput, stride: 1, pad: 1)
        XCTAssertTrue(padded.contains("(padding reads as 0)"))
        XCTAssertThrowsError(try ConvolutionExplanation.im2col(inputShape: [1, 1, 4, 4], filterHeight: 3, filterWidth: 3, stride: 2))
    }

    func testPoolingKernelsOnAHandComputedInput() throws {
        let x = Tensor<Double>(shape: [1, 1, 4, 4], scalars: [
            1, 3, 2, 0,
            4, 2, 1, 5,
            0, 0, 7, 7,
            -1, 2, 7, 6,
        ])
        let g = try ConvolutionGeometry(inputSize: 4, filterSize: 2, stride: 2)
        let (maxOut, argmax) = Pool2D.maxForward(x, geometry: g)
        XCTAssertEqual(maxOut.scalars, [4, 5, 2, 7])
        XCTAssertEqual(argmax, [4, 7, 13, 10], "the first of the tied 7s (row by row) wins")
        let dx = Pool2D.maxBackward(Tensor(shape: [1, 1, 2, 2], scalars: [10, 20, 30, 40]), argmax: argmax, inputShape: x.shape)
        XCTAssertEqual(dx.scalars, [0, 0, 0, 0, 10, 0, 0, 20, 0, 0, 40, 0, 0, 30, 0, 0])

        XCTAssertEqual(Pool2D.averageForward(x, geometry: g).scalars, [2.5, 2, 0.25, 6.75])
        let da = Pool2D.averageBackward(Tensor(shape: [1, 1, 2, 2], scalars: [4, 8, 12, 16]), inputShape: x.shape, geometry: g)
        XCTAssertEqual(da.scalars, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
    }

    func testConvolutionLayoutHelpers() {
        // [N·P, C] rows → [N, C, OH, OW] (+ bias) and back.
        let rows = Tensor<Double>(shape: [2 * 3, 2], scalars: (0..<12).map(Double.init))
        let first = rows.channelsFirst(batch: 2, height: 1, width: 3, addingBias: Tensor([100, 200]))
        XCTAssertEqual(first.shape, [2, 2, 1, 3])
        XCTAssertEqual(first.scalars, [100, 102, 104, 201, 203, 205, 106, 108, 110, 207, 209, 211])
        XCTAssertEqual(rows.channelsFirst(batch: 2, height: 1, width: 3, addingBias: Tensor([0, 0])).channelsLast(), rows)
        XCTAssertEqual(first.channelSums().scalars, [630, 1236])
    }
}
