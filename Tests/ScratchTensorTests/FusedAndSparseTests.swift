import Foundation
import ScratchTensor
import TestSupport
import XCTest

/// The fused operations the layers use (Tensor+Affine, Tensor+Reduction, Tensor+Elementwise)
/// and ``SparseRows`` against the plain operations they replace.
final class FusedAndSparseTests: XCTestCase {
    /// MNIST-like rows: about a fifth of the elements nonzero, in [0, 1].
    private func sparseImages(_ rows: Int, _ columns: Int, seed: UInt64) -> Tensor<Float> {
        var rng = RandomGenerator(seed: seed)
        return Tensor(shape: [rows, columns], scalars: (0..<(rows * columns)).map { _ in
            rng.uniform() < 0.2 ? Float(rng.uniform()) : 0
        })
    }

    func testAffineEqualsProductPlusBiasAndReLU() {
        for (m, k, n) in [(1, 3, 2), (7, 13, 10), (100, 784, 40), (33, 50, 70)] {
            let x: Tensor<Float> = randomTensor([m, k], seed: 1)
            let w: Tensor<Float> = randomTensor([k, n], seed: 2)
            let b: Tensor<Float> = randomTensor([n], seed: 3)
            let plain = MatMul.multiply(x, w).addingRowVector(b)
            XCTAssertEqual(Tensor.affine(x, w, bias: b).scalars, plain.scalars, "\(m)×\(n)×\(k)")
            XCTAssertEqual(Tensor.affine(x, w, bias: b, activation: .relu).scalars, plain.relu().scalars, "\(m)×\(n)×\(k)")
            XCTAssertEqual(Tensor.affine(x, w, bias: b, activation: .sigmoid).scalars, plain.sigmoid().scalars,
                           "\(m)×\(n)×\(k)")
        }
        // Large enough for two threads in a release build (≥ 12M multiply-adds): the same numbers.
        let x = sparseImages(1000, 784, seed: 4)
        let w: Tensor<Float> = randomTensor([784, 40], seed: 5, scale: 0.05)
        let b: Tensor<Float> = randomTensor([40], seed: 6)
        XCTAssertEqual(Tensor.affine(x, w, bias: b, activation: .relu).scalars,
                       MatMul.multiply(x, w).addingRowVector(b).relu().scalars)
        XCTAssertEqual(Tensor.affine(x, w, bias: b, activation: .sigmoid).scalars,
                       MatMul.multiply(x, w).addingRowVector(b).sigmoid().scalars)
        // Double, and an empty inner dimension (the bias alone).
        let xd: Tensor<Double> = randomTensor([4, 3], seed: 7)
        let wd: Tensor<Double> = randomTensor([3, 5], seed: 8)
        let bd: Tensor<Double> = randomTensor([5], seed: 9)
        assertClose(Tensor.affine(xd, wd, bias: bd), MatMul.multiply(xd, wd).addingRowVector(bd), tolerance: 1e-12)
        assertClose(Tensor.affine(xd, wd, bias: bd, activation: .sigmoid), MatMul.multiply(xd, wd).addingRowVector(bd).sigmoid(),
                    tolerance: 1e-12)
        XCTAssertEqual(Tensor.affine(Tensor<Double>(shape: [2, 0]), Tensor<Double>(shape: [0, 2]),
                                     bias: Tensor([1, -1]), activation: .relu).scalars, [1, 0, 1, 0])
    }

    func testProductEqualsMatMulWithEveryTransposition() {
        let a: Tensor<Float> = randomTensor([6, 9], seed: 10)
        let b: Tensor<Float> = randomTensor([9, 4], seed: 11)
        XCTAssertEqual(Tensor.product(a, b).scalars, MatMul.multiply(a, b).scalars)
        XCTAssertEqual(Tensor.product(a.transposed(), b, transposeA: true).scalars,
                       MatMul.multiply(a.transposed(), b, transposeA: true).scalars)
        XCTAssertEqual(Tensor.product(a, b.transposed(), transposeB: true).scalars,
                       MatMul.multiply(a, b.transposed(), transposeB: true).scalars)
        XCTAssertEqual(Tensor.product(Tensor<Float>(shape: [2, 0]), Tensor<Float>(shape: [0, 3])).scalars, [0, 0, 0, 0, 0, 0])
    }

    func testSparseRowsKeepTheNonzerosAndSlice() {
        let dense = Tensor<Float>(shape: [3, 2, 2], scalars: [0, 1.5, 0, -2, 0, 0, 0, 0, 3, 0, 0, -0.0])
        let sparse = SparseRows(dense)
        XCTAssertEqual(sparse.rows, 3)
        XCTAssertEqual(sparse.columns, 4)
        XCTAssertEqual(sparse.rowStarts, [0, 2, 2, 3])
        XCTAssertEqual(sparse.columnIndices, [1, 3, 0])
        XCTAssertEqual(sparse.values, [1.5, -2, 3])
        XCTAssertEqual(sparse.nonzeroCount, 3)
        XCTAssertEqual(sparse.densified(), Tensor(shape: [3, 2, 2], scalars: [0, 1.5, 0, -2, 0, 0, 0, 0, 3, 0, 0, 0]))
        XCTAssertEqual(sparse.rows(1..<3).densified().scalars, [0, 0, 0, 0, 3, 0, 0, 0])
        XCTAssertEqual(sparse.rows(1..<3).rowStarts, [0, 0, 1])
        // Long rows (the 16-at-a-time scan), two threads' worth of rows, and the density limit.
        let images = sparseImages(5000, 100, seed: 12)
        XCTAssertEqual(SparseRows(images).densified(), images)
        // Rows of every density, and nonzeros packed at either end of the row: conversion
        // writes blocks of 16 in place while 16 places of the row remain, through a buffer after.
        for columns in [784, 37, 16, 5] {
            var rows: [[Float]] = [[Float](repeating: 0.5, count: columns), [Float](repeating: 0, count: columns)]
            for nonzeros in [1, 15, 16, 17, 33] where nonzeros <= columns {
                rows.append((0..<columns).map { $0 < nonzeros ? Float($0 + 1) : 0 })
                rows.append((0..<columns).map { $0 >= columns - nonzeros ? -Float($0 + 1) : 0 })
            }
            for density in [0.05, 0.5, 0.95] {
                var rng = RandomGenerator(seed: UInt64(columns))
                rows.append((0..<columns).map { _ in rng.uniform() < density ? Float(rng.uniform()) + 1 : 0 })
            }
            let dense = Tensor(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
            let sparse = SparseRows(dense)
            XCTAssertEqual(sparse.densified(), dense, "\(columns) columns")
            XCTAssertEqual(sparse.nonzeroCount, dense.scalars.filter { $0 != 0 }.count, "\(columns) columns")
        }
        XCTAssertNil(SparseRows(randomTensor([50, 20], seed: 13, as: Float.self), maximumDensity: 0.5))
        XCTAssertNotNil(SparseRows(images, maximumDensity: 0.5))
        XCTAssertEqual(SparseRows(Tensor<Double>(shape: [0, 5])).rows, 0)
    }

    func testSparseAffineEqualsDenseAffine() {
        // Widths of one to five vectors (two passes for 70), odd row counts, n < 16.
        for (m, k, n) in [(1, 30, 10), (9, 784, 40), (100, 784, 40), (21, 64, 16), (8, 100, 70), (5, 33, 3)] {
            let x = sparseImages(m, k, seed: 14)
            let w: Tensor<Float> = randomTensor([k, n], seed: 15, scale: 0.1)
            let b: Tensor<Float> = randomTensor([n], seed: 16)
            let sparse = SparseRows(x)
            assertClose(sparse.affine(w, bias: b), Tensor.affine(x, w, bias: b), tolerance: 1e-5, "\(m)×\(n)×\(k)")
            assertClose(sparse.affine(w, bias: b, activation: .relu), Tensor.affine(x, w, bias: b, activation: .relu),
                        tolerance: 1e-5, "\(m)×\(n)×\(k) relu")
            assertClose(sparse.affine(w, bias: b, activation: .sigmoid), Tensor.affine(x, w, bias: b).sigmoid(),
                        tolerance: 1e-5, "\(m)×\(n)×\(k) sigmoid")
        }
        // Enough nonzeros for two threads in a release build.
        let x = sparseImages(1001, 784, seed: 17)
        let w: Tensor<Float> = randomTensor([784, 40], seed: 18, scale: 0.05)
        let b: Tensor<Float> = randomTensor([40], seed: 19)
        assertClose(SparseRows(x).affine(w, bias: b, activation: .relu), Tensor.affine(x, w, bias: b, activation: .relu),
                    tolerance: 1e-5)
        // Double.
        let xd = sparseImages(6, 20, seed: 20).converted(to: Double.self)
        let wd: Tensor<Double> = randomTensor([20, 7], seed: 21)
        let bd: Tensor<Double> = randomTensor([7], seed: 22)
        assertClose(SparseRows(xd).affine(wd, bias: bd), Tensor.affine(xd, wd, bias: bd), tolerance: 1e-12)
        assertClose(SparseRows(xd).affine(wd, bias: bd, activation: .sigmoid), Tensor.affine(xd, wd, bias: bd).sigmoid(),
                    tolerance: 1e-12)
    }

    /// `rows:` computes those rows of the product, reading them in place: the same bits as those
    /// rows of the whole product, sparse and with ScratchNet's kernel; and the kernel computes a
    /// row alike on one thread or two (the split evaluation relies on both). BLAS is only close:
    /// OpenBLAS picks its code by the matrix size, so a row may round differently.
    func testAffineOfARowRangeEqualsThoseRowsOfTheWholeProduct() {
        let x = sparseImages(1001, 784, seed: 23)   // two threads' worth in a release build
        let w: Tensor<Float> = randomTensor([784, 40], seed: 24, scale: 0.05)
        let b: Tensor<Float> = randomTensor([40], seed: 25)
        let sparse = SparseRows(x)
        let ranges = [0..<1001, 0..<1, 3..<500, 500..<1001, 7..<7]
        for activation in [AffineActivation.identity, .relu, .sigmoid] {
            let whole = sparse.affine(w, bias: b, activation: activation)
            for range in ranges {
                XCTAssertEqual(sparse.affine(w, bias: b, activation: activation, rows: range), whole.rows(range), "\(range)")
            }
            for threads in [1, 2] {
                GEMMSelection.$forced.withValue(.kernel(threads: threads)) {
                    let whole = Tensor.affine(x, w, bias: b, activation: activation)
                    for range in ranges {
                        XCTAssertEqual(Tensor.affine(x, w, bias: b, activation: activation, rows: range), whole.rows(range),
                                       "kernel×\(threads) \(range)")
                    }
                }
            }
            let oneThread = GEMMSelection.$forced.withValue(.kernel(threads: 1)) { Tensor.affine(x, w, bias: b, activation: activation) }
            let twoThreads = GEMMSelection.$forced.withValue(.kernel(threads: 2)) { Tensor.affine(x, w, bias: b, activation: activation) }
            XCTAssertEqual(oneThread, twoThreads)
        }
        let xd = sparseImages(9, 20, seed: 26).converted(to: Double.self)
        let wd: Tensor<Double> = randomTensor([20, 7], seed: 27)
        let bd: Tensor<Double> = randomTensor([7], seed: 28)
        XCTAssertEqual(SparseRows(xd).affine(wd, bias: bd, rows: 2..<5), SparseRows(xd).affine(wd, bias: bd).rows(2..<5))
        assertClose(Tensor.affine(xd, wd, bias: bd, rows: 2..<5), Tensor.affine(xd, wd, bias: bd).rows(2..<5), tolerance: 1e-12)
    }

    func testSparseGatherEqualsDenseGather() {
        // [N, 1, 4, 5] images (the shape is kept), rows drawn with repeats, an all-zero row.
        var images = sparseImages(30, 20, seed: 40).reshaped([30, 1, 4, 5])
        for j in 0..<20 { images.scalars[7 * 20 + j] = 0 }
        let sparse = SparseRows(images)
        for indices in [[3, 7, 7, 29, 0, 3], [29], [], Array(0..<30).reversed()] {
            let gathered = sparse.gatherRows(indices)
            XCTAssertEqual(gathered.densified(), images.gatherRows(indices), "\(indices)")
            XCTAssertEqual(gathered, SparseRows(images.gatherRows(indices)), "\(indices)")
        }
        let mnist = SparseRows(sparseImages(500, 784, seed: 41).converted(to: Double.self))
        XCTAssertEqual(mnist.gatherRows([499, 0, 250, 250]).densified(), mnist.densified().gatherRows([499, 0, 250, 250]))
    }

    /// `xᵀ·dout` over the nonzeros equals the dense product, in Float and Double: rows with no
    /// nonzero and with every element nonzero, odd column counts, widths below, at and above
    /// 16 and 128 (two panels), and more rows than one sorting pass takes (128).
    func testSparseTransposedProductEqualsDenseProduct() {
        func check<T: TensorScalar>(_: T.Type, m: Int, k: Int, n: Int, tolerance: Double) {
            var x = sparseImages(m, k, seed: UInt64(m * 1000 + k)).converted(to: T.self)
            if m > 2 {
                for j in 0..<k { x.scalars[j] = 0 }                             // row 0: empty
                for j in 0..<k { x.scalars[2 * k + j] = T(Double(j % 7) - 3.5) }   // row 2: full
            }
            let dout: Tensor<T> = randomTensor([m, n], seed: UInt64(n), scale: 0.5)
            var dW = Tensor<T>(shape: [k, n], repeating: 9)   // overwritten, not added to
            SparseRows(x).transposedProduct(dout, into: &dW)
            assertClose(dW, MatMul.multiply(x, dout, transposeA: true), tolerance: tolerance, "\(T.self) \(m)×\(k)ᵀ·\(n)")
        }
        for (m, k, n) in [(1, 37, 40), (7, 37, 1), (9, 784, 40), (100, 784, 40), (100, 784, 100), (33, 50, 16),
                          (20, 37, 33), (12, 64, 130), (300, 784, 20)] {
            check(Float.self, m: m, k: k, n: n, tolerance: 1e-4)
            check(Double.self, m: m, k: k, n: n, tolerance: 1e-12)
        }
        // No nonzeros at all, and no rows: dW = 0.
        var dW = Tensor<Float>(shape: [5, 3], repeating: 1)
        SparseRows(Tensor<Float>(shape: [4, 5])).transposedProduct(randomTensor([4, 3], seed: 42), into: &dW)
        XCTAssertEqual(dW.scalars, [Float](repeating: 0, count: 15))
        dW = Tensor<Float>(shape: [5, 3], repeating: 1)
        SparseRows(Tensor<Float>(shape: [0, 5])).transposedProduct(Tensor<Float>(shape: [0, 3]), into: &dW)
        XCTAssertEqual(dW.scalars, [Float](repeating: 0, count: 15))
    }

    /// Nonzeros listed by column ahead of the product (``SparseRows/indexedByColumn()``, as the
    /// trainer's second core prepares minibatches) give the product without them to the last
    /// bit, also past 128 rows, where the product lists them itself a chunk at a time; the
    /// matrix stays the same one.
    func testRowsIndexedByColumnGiveTheSameTransposedProduct() {
        func check<T: TensorScalar>(_: T.Type, m: Int, k: Int, n: Int) {
            let x = SparseRows(sparseImages(m, k, seed: UInt64(m + k)).converted(to: T.self))
            let indexed = x.indexedByColumn()
            XCTAssertEqual(indexed, x)
            XCTAssertTrue(indexed.isIndexedByColumn)
            XCTAssertFalse(x.isIndexedByColumn)
            XCTAssertEqual(indexed.densified(), x.densified())
            let dout: Tensor<T> = randomTensor([m, n], seed: UInt64(n + 3), scale: 0.5)
            var listedHere = Tensor<T>(shape: [k, n], repeating: 9), listedAhead = listedHere
            x.transposedProduct(dout, into: &listedHere)
            indexed.transposedProduct(dout, into: &listedAhead)
            XCTAssertEqual(listedAhead.scalars, listedHere.scalars, "\(T.self) \(m)×\(k)ᵀ·\(n)")
        }
        for (m, k, n) in [(1, 37, 40), (7, 37, 1), (100, 784, 40), (129, 50, 33), (300, 784, 20), (260, 64, 130)] {
            check(Float.self, m: m, k: k, n: n)
            check(Double.self, m: m, k: k, n: n)
        }
        var dW = Tensor<Float>(shape: [5, 3], repeating: 1)
        SparseRows(Tensor<Float>(shape: [4, 5])).indexedByColumn().transposedProduct(randomTensor([4, 3], seed: 42), into: &dW)
        XCTAssertEqual(dW.scalars, [Float](repeating: 0, count: 15))
    }

    func testSoftmaxCrossEntropyAndItsGradient() {
        let x: Tensor<Double> = randomTensor([5, 4], seed: 23, scale: 3)
        let labels = [0, 3, 1, 1, 2]
        let (y, loss) = x.softmaxCrossEntropy(labels: labels)
        XCTAssertEqual(y, x.softmaxRows())
        let expected = -labels.enumerated().map { Foundation.log(y[$0.offset, $0.element] + 1e-7) }.reduce(0, +) / 5
        XCTAssertEqual(loss, expected, accuracy: 1e-15)
        XCTAssertEqual(y.softmaxCrossEntropyGradient(labels: labels),
                       (y - Tensor<Double>.oneHot(labels, classes: 4)) * (1 / 5.0))
    }

    func testArgmaxCountAndActivationBackwards() {
        let scores = Tensor<Float>(rows: [[0, 3, 3], [5, 1, 5], [-1, -2, -0.5], [1, 1, 1]])
        XCTAssertEqual(scores.argmaxRows(), [1, 0, 2, 0])
        XCTAssertEqual(scores.countArgmaxMatches([1, 0, 0, 0]), 3)
        XCTAssertEqual(scores.countArgmaxMatches([2, 2, 2, 1]), 1)
        // A slice of a longer label list: its own indices start at 2.
        XCTAssertEqual(scores.countArgmaxMatches([9, 9, 1, 0, 0, 0, 9][2..<6]), 3)
        // Four rows are scanned side by side: row counts around multiples of 4, 1–12 columns,
        // ties (values rounded to halves) and NaN (never larger: a row starting with NaN gives 0).
        var rng = RandomGenerator(seed: 31)
        for (rows, columns) in [(1, 1), (3, 10), (4, 10), (9, 10), (13, 12), (8, 2), (7, 1)] {
            var values = (0..<(rows * columns)).map { _ in Float((rng.normal() * 2).rounded()) / 2 }
            if rows > 2 { values[columns] = .nan }
            if rows > 5 && columns > 3 { values[5 * columns + 2] = .nan }
            let t = Tensor(shape: [rows, columns], scalars: values)
            let expected = (0..<rows).map { r in
                var best = 0
                for j in 1..<columns where values[r * columns + j] > values[r * columns + best] { best = j }
                return best
            }
            XCTAssertEqual(t.argmaxRows(), expected, "\(rows)×\(columns)")
            let labels = (0..<rows).map { $0 % columns }
            XCTAssertEqual(t.countArgmaxMatches(labels), zip(expected, labels).filter { $0 == $1 }.count, "\(rows)×\(columns)")
        }
        XCTAssertEqual(Tensor<Float>(shape: [3, 0]).countArgmaxMatches([0, 0, 0]), 0)

        // Long enough for the 16-lane loops, with zeros, negatives and NaN.
        let x: Tensor<Float> = randomTensor([3, 37], seed: 24)
        var withSpecial = x
        withSpecial.scalars[5] = 0
        withSpecial.scalars[6] = -0.0
        withSpecial.scalars[7] = .nan
        let y = withSpecial.relu()
        XCTAssertEqual(y.scalars, withSpecial.scalars.map { $0 > 0 ? $0 : 0 })
        XCTAssertEqual(withSpecial.reluWithMask().mask.scalars, withSpecial.scalars.map { $0 > 0 ? 1 : 0 })
        XCTAssertEqual(withSpecial.greaterMask(than: 0.5).scalars, withSpecial.scalars.map { $0 > 0.5 ? 1 : 0 })
        let dout: Tensor<Float> = randomTensor([3, 37], seed: 25)
        XCTAssertEqual(dout.masked(wherePositive: y), dout * withSpecial.positiveMask())
        let s = x.sigmoid(), t = x.tanh()
        XCTAssertEqual(dout.sigmoidBackward(output: s), dout * (1 - s) * s)
        XCTAssertEqual(dout.tanhBackward(output: t), dout * (1 - t.squared()))
        XCTAssertEqual(x.gatherRows([2, 0, 2]).scalars, Array(x.scalars[74..<111] + x.scalars[0..<37] + x.scalars[74..<111]))
    }

    func testDropoutMaskDrawsOneUniformPerElementInOrder() {
        var a = RandomGenerator(seed: 26)
        var b = RandomGenerator(seed: 26)
        let mask = Tensor<Float>.dropoutMask(shape: [4, 9], ratio: 0.3, using: &a)
        XCTAssertEqual(mask.shape, [4, 9])
        XCTAssertEqual(mask.scalars, (0..<36).map { _ in b.uniform() > 0.3 ? 1 : 0 })
        XCTAssertEqual(a.next(), b.next())
        // The mask compares the draw's integer bits with ⌊ratio·2⁵³⌋: the same as uniform() > ratio
        // for any ratio, ratio·2⁵³ whole (0.5) or not, tiny, next to 1, or 1 (nothing kept);
        // Float and Double.
        for ratio in [0, 0.5, 0.15, 1e-17, 0.999_999_9, 0.8, 1] {
            var c = RandomGenerator(seed: 27), d = RandomGenerator(seed: 27)
            let expected = (0..<10_000).map { _ in d.uniform() > ratio ? 1.0 : 0.0 }
            XCTAssertEqual(Tensor<Double>.dropoutMask(shape: [100, 100], ratio: ratio, using: &c).scalars, expected, "\(ratio)")
            c = RandomGenerator(seed: 27)
            XCTAssertEqual(Tensor<Float>.dropoutMask(shape: [10_000], ratio: ratio, using: &c).scalars, expected.map { Float($0) })
        }
    }

    func testUpdateElementsVisitsEveryElementWithItsState() {
        var value = Tensor<Double>([1, 2, 3])
        var state = Tensor<Double>([10, 20, 30])
        var state2 = Tensor<Double>([0, 0, 0])
        let gradient = Tensor<Double>([0.5, -1, 2])
        Tensor.updateElements(&value, gradient) { p, g in p -= g }
        XCTAssertEqual(value.scalars, [0.5, 3, 1])
        Tensor.updateElements(&value, &state, gradient) { p, s, g in s += g; p = s }
        XCTAssertEqual(value.scalars, [10.5, 19, 32])
        Tensor.updateElements(&value, &state, &state2, gradient) { p, s, s2, g in s2 = s * g; p = .zero }
        XCTAssertEqual(state2.scalars, [5.25, -19, 64])
        XCTAssertEqual(value.scalars, [0, 0, 0])
    }

    func testFloatSigmoidIsWithinFourUlpOfTheScalarFormula() {
        var rng = RandomGenerator(seed: 27)
        var values = (0..<1000).map { _ in Float(rng.uniform() * 60 - 30) }
        // A fine grid over the range where e^(−x) is computed, and the ends of that range.
        values += stride(from: Float(-87), through: 87, by: 0.0013).map { $0 }
        // Each special value inside a block of 16 ordinary ones (the vector loop's width).
        for special: Float in [0, -0.0, 1e-8, -86.9, -87, -87.5, -88, -88.5, -88.8, -100, -800, 86.9, 87, 88, 100,
                               800, .infinity, -.infinity, .nan, 17.3] {
            values += [0.5, -1, 2, 5, -6, 7, -8] + [special] + [3, -4, 0.25, 1, 9, -10, 11, -12]
        }
        values += [1, 2, 3]   // and a tail shorter than a vector
        let y = Tensor(values).sigmoid()
        var worstUlps: Float = 0
        for (v, s) in zip(values, y.scalars) {
            let expected = 1 / (1 + Foundation.expf(-v))
            if v.isNaN {
                XCTAssertTrue(s.isNaN)
            } else if v < -87 {
                // σ(x) < 1.7e-38 here: the result is as small (0 where expf(−x) overflows).
                XCTAssertEqual(s, expected, accuracy: 2e-38, "σ(\(v))")
                if v < -88.8 { XCTAssertEqual(s, 0) }
            } else {
                worstUlps = max(worstUlps, abs(s - expected) / expected.ulp)
            }
        }
        XCTAssertLessThanOrEqual(worstUlps, 4, "largest error in ulp")
        XCTAssertEqual(Tensor<Float>([0, 87, 1000, .infinity]).sigmoid().scalars, [0.5, 1, 1, 1])
        XCTAssertEqual(Tensor<Double>([0, -1000, 1000]).sigmoid().scalars, [0.5, 0, 1])
    }

    func testWeightDecayHelpers() {
        var rng = RandomGenerator(seed: 28)
        let w = Tensor<Float>(shape: [37, 5], scalars: (0..<185).map { i in i % 7 == 0 ? 0 : Float(rng.normal()) })
        var g: Tensor<Float> = randomTensor([37, 5], seed: 29)
        var expected = g
        expected.addScaled(w.sign(), by: 0.01)
        g.addScaledSign(of: w, by: 0.01)
        XCTAssertEqual(g, expected)
        let squares = w.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
        let absolutes = w.scalars.reduce(0.0) { $0 + Double(abs($1)) }
        XCTAssertEqual(Double(w.sumOfSquares()), squares, accuracy: squares * 1e-6)
        XCTAssertEqual(Double(w.sumOfAbsolutes()), absolutes, accuracy: absolutes * 1e-6)
        XCTAssertEqual(Tensor<Float>([3, -4]).sumOfSquares(), 25)
        XCTAssertEqual(Tensor<Float>([]).sumOfAbsolutes(), 0)
    }

    func testFusedBatchNormalizationEqualsTheCoursesExpressions() {
        let x: Tensor<Double> = randomTensor([6, 5], seed: 30, scale: 3)
        let gamma: Tensor<Double> = randomTensor([5], seed: 31) + 1
        let beta: Tensor<Double> = randomTensor([5], seed: 32)
        let eps = 1e-6
        var step = BatchNormalizationPass<Double>()
        Tensor.batchNormalizationTraining(x, epsilon: eps, gamma: gamma, beta: beta, into: &step)
        let mu = x.meanRows()
        let xc = x.addingRowVector(-mu)
        let variance = xc.squared().meanRows()
        let std = (variance + eps).sqrt()
        let xn = xc.multiplyingRowVector(1 / std)
        XCTAssertEqual(step.mean, mu)
        XCTAssertEqual(step.centered, xc)
        XCTAssertEqual(step.variance, variance)
        XCTAssertEqual(step.std, std)
        XCTAssertEqual(step.normalized, xn)
        XCTAssertEqual(step.out, xn.multiplyingRowVector(gamma).addingRowVector(beta))
        XCTAssertEqual(Tensor.batchNormalizationInference(x, mean: mu, variance: variance, epsilon: eps, gamma: gamma, beta: beta),
                       step.out)

        let d: Tensor<Double> = randomTensor([6, 5], seed: 33)
        let n = 6.0
        let dxn = d.multiplyingRowVector(gamma)
        var dxc = dxn.multiplyingRowVector(1 / std)
        let dstd = -((dxn * xc).sumRows() / (std * std))
        let dvar = dstd / std * 0.5
        dxc += xc.multiplyingRowVector(dvar) * (2 / n)
        let dmu = dxc.sumRows()
        var dgamma = Tensor<Double>(), dbeta = Tensor<Double>()
        for _ in 0..<2 {   // the second time over the first's tensors
            Tensor.batchNormalizationBackward(d, gamma: gamma, pass: &step, dgamma: &dgamma, dbeta: &dbeta)
            XCTAssertEqual(dbeta, d.sumRows())
            XCTAssertEqual(dgamma, (xn * d).sumRows())
            XCTAssertEqual(step.dx, dxc.addingRowVector(-dmu * (1 / n)))
        }
    }
}
