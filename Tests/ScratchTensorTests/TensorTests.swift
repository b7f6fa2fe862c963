import ScratchTensor
import TestSupport
import XCTest

final class TensorTests: XCTestCase {
    /// The naive triple loop the BLAS product must agree with.
    private func naiveProduct(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        a.map { row in (0..<b[0].count).map { j in zip(row, b.map { $0[j] }).reduce(0) { $0 + $1.0 * $1.1 } } }
    }

    func testMatMulMatchesNaiveProductWithEveryTransposition() {
        let a: Tensor<Double> = randomTensor([5, 7], seed: 1)
        let b: Tensor<Double> = randomTensor([7, 3], seed: 2)
        let rowsA = (0..<5).map { i in (0..<7).map { a[i, $0] } }
        let rowsB = (0..<7).map { i in (0..<3).map { b[i, $0] } }
        let expected = Tensor<Double>(rows: naiveProduct(rowsA, rowsB))
        assertClose(MatMul.multiply(a, b), expected, tolerance: 1e-12)
        assertClose(MatMul.multiply(a.transposed(), b, transposeA: true), expected, tolerance: 1e-12)
        assertClose(MatMul.multiply(a, b.transposed(), transposeB: true), expected, tolerance: 1e-12)
        assertClose(MatMul.multiply(a.transposed(), b.transposed(), transposeA: true, transposeB: true),
                    expected, tolerance: 1e-12)
        let af: Tensor<Float> = a.converted()
        let bf: Tensor<Float> = b.converted()
        assertClose(MatMul.multiply(af, bf), expected.converted(), tolerance: 1e-5)
    }

    func testMatMulAccumulatesWithBeta() {
        let a = Tensor<Double>(rows: [[1, 2], [3, 4]])
        var c = Tensor<Double>(rows: [[1, 1], [1, 1]])
        MatMul.multiply(a, a, into: &c, beta: 2)
        XCTAssertEqual(c.scalars, [9, 12, 17, 24])
    }

    func testSoftmaxSubtractsTheRowMaxAndMatchesHandComputedValues() {
        let x = Tensor<Double>(rows: [[1, 2, 3], [1000, 1000, 1000]])
        let y = x.softmaxRows()
        // exp(1)/(e+e²+e³) etc., computed by hand: 0.09003057, 0.24472847, 0.66524096.
        assertClose(Array(y.scalars[0..<3]), [0.09003057317038046, 0.24472847105479767, 0.6652409557748219], tolerance: 1e-12)
        assertClose(Array(y.scalars[3..<6]), [1.0 / 3, 1.0 / 3, 1.0 / 3], tolerance: 1e-12)
    }

    func testArgmaxTakesTheFirstMaximumLikeNumPy() {
        XCTAssertEqual(Tensor<Float>(rows: [[0, 3, 3], [5, 1, 5], [-1, -2, -0.5]]).argmaxRows(), [1, 0, 2])
    }

    func testRowOperations() {
        let x = Tensor<Double>(rows: [[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(x.sumRows().scalars, [5, 7, 9])
        // Float sums 16 columns at a time, then the rest: each column's sum is the rows' in order.
        for columns in [40, 16, 7, 300] {
            var rng = RandomGenerator(seed: UInt64(columns))
            let y = Tensor<Float>(shape: [100, columns], scalars: (0..<(100 * columns)).map { _ in Float(rng.uniform()) - 0.5 })
            let expected = (0..<columns).map { j in (0..<100).reduce(Float(0)) { $0 + y.scalars[$1 * columns + j] } }
            XCTAssertEqual(y.sumRows().scalars, expected, "\(columns) columns")
        }
        XCTAssertEqual(x.meanRows().scalars, [2.5, 3.5, 4.5])
        XCTAssertEqual(x.addingRowVector(Tensor([10, 20, 30])).scalars, [11, 22, 33, 14, 25, 36])
        XCTAssertEqual(x.multiplyingRowVector(Tensor([1, 0, -1])).scalars, [1, 0, -3, 4, 0, -6])
        XCTAssertEqual(x.gatherRows([1, 1, 0]).scalars, [4, 5, 6, 4, 5, 6, 1, 2, 3])
        XCTAssertEqual(x.transposed().scalars, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(Tensor<Double>.oneHot([2, 0], classes: 3).scalars, [0, 0, 1, 1, 0, 0])
        XCTAssertEqual(x.rows(1..<2).scalars, [4, 5, 6])
    }

    func testElementwiseFunctions() {
        let x = Tensor<Double>([-2, 0, 3])
        XCTAssertEqual(x.relu().scalars, [0, 0, 3])
        XCTAssertEqual(x.positiveMask().scalars, [0, 0, 1])
        XCTAssertEqual(x.sign().scalars, [-1, 0, 1])
        XCTAssertEqual(x.sigmoid()[1], 0.5)
        XCTAssertEqual(x.sumOfSquares(), 13)
        XCTAssertEqual(x.sumOfAbsolutes(), 5)
        XCTAssertFalse(Tensor<Float>([1, .nan]).isFinite())
        XCTAssertTrue(Tensor<Float>([1, 2]).isFinite())
    }

    func testRandomGeneratorIsReproducibleAndNormal() {
        var a = RandomGenerator(seed: 42)
        var b = RandomGenerator(seed: 42)
        XCTAssertEqual((0..<5).map { _ in a.next() }, (0..<5).map { _ in b.next() })
        var rng = RandomGenerator(seed: 7)
        let samples = (0..<100_000).map { _ in rng.normal() }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples.count)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.02)
        let indices = rng.indices(count: 1000, below: 10)
        XCTAssertTrue(indices.allSatisfy { (0..<10).contains($0) })
        XCTAssertEqual(Set(rng.permutation(50)), Set(0..<50))
    }
}
