import ScratchTensor
import XCTest

/// ScratchTensor's own float32 matrix kernel (`SGEMMKernel`) against a naive triple loop in
/// Double, for both kernel families (the AVX2-shaped one runs on any CPU, so both are
/// always tested), every transposition, beta 0 / 1 / other, strided storage, edge tiles and
/// both ways of sharing a product between threads; and `MatMul.gemm`'s dispatch.
final class GEMMKernelTests: XCTestCase {
    /// Operands stored with leading dimensions `lda`, `ldb`, `ldc` (≥ the row lengths; the
    /// padding holds NaN so a kernel reading it poisons the result).
    struct Problem {
        let transposeA: Bool, transposeB: Bool
        let m: Int, n: Int, k: Int
        let lda: Int, ldb: Int, ldc: Int
        var a: [Float], b: [Float], c: [Float]
        /// op(A)·op(B) summed in Double, and Σ|op(A)·op(B)| (for the tolerance), per element of C.
        var exact: [Double] = [], magnitude: [Double] = []

        init(_ m: Int, _ n: Int, _ k: Int, transposeA: Bool = false, transposeB: Bool = false,
             pad: Int = 0, seed: UInt64 = 1, initialC: Float? = nil) {
            self.m = m; self.n = n; self.k = k
            self.transposeA = transposeA; self.transposeB = transposeB
            let (aRows, aCols) = transposeA ? (k, m) : (m, k)
            let (bRows, bCols) = transposeB ? (n, k) : (k, n)
            lda = aCols + pad; ldb = bCols + pad; ldc = n + pad
            var rng = RandomGenerator(seed: seed)
            func matrix(_ rows: Int, _ cols: Int, _ ld: Int) -> [Float] {
                var x = [Float](repeating: .nan, count: max(1, rows * ld))
                for i in 0..<rows { for j in 0..<cols { x[i * ld + j] = Float(rng.normal()) } }
                return x
            }
            a = matrix(aRows, aCols, lda)
            b = matrix(bRows, bCols, ldb)
            c = matrix(m, n, ldc)
            if let initialC { for i in 0..<m { for j in 0..<n { c[i * ldc + j] = initialC } } }
            // The naive triple loop, on op(A) and op(B) copied out as row-major Double matrices.
            var opA = [Double](repeating: 0, count: m * k), opB = [Double](repeating: 0, count: k * n)
            for i in 0..<m { for p in 0..<k { opA[i * k + p] = self.opA(i, p) } }
            for p in 0..<k { for j in 0..<n { opB[p * n + j] = self.opB(p, j) } }
            var exact = [Double](repeating: 0, count: m * n), magnitude = exact
            opA.withUnsafeBufferPointer { x in
                opB.withUnsafeBufferPointer { y in
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = 0.0, size = 0.0
                            for p in 0..<k {
                                let term = x[i * k + p] * y[p * n + j]
                                sum += term
                                size += Swift.abs(term)
                            }
                            exact[i * n + j] = sum
                            magnitude[i * n + j] = size
                        }
                    }
                }
            }
            self.exact = exact
            self.magnitude = magnitude
        }

        func opA(_ i: Int, _ p: Int) -> Double { Double(transposeA ? a[p * lda + i] : a[i * lda + p]) }
        func opB(_ p: Int, _ j: Int) -> Double { Double(transposeB ? b[j * ldb + p] : b[p * ldb + j]) }

        /// Checks `result` (C after the product) against the Double triple loop, within
        /// 2·K·ε_float·Σ|a·b| + the rounding of beta·C (the error bound of a K-term float sum).
        func check(_ result: [Float], beta: Float, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
            var failures = 0
            for i in 0..<m {
                for j in 0..<n {
                    let old = Double(c[i * ldc + j])
                    let expected = beta == 0 ? exact[i * n + j] : exact[i * n + j] + Double(beta) * old
                    let tolerance = 2 * Double(k + 1) * Double(Float.ulpOfOne)
                        * (magnitude[i * n + j] + Swift.abs(Double(beta) * old)) + 1e-30
                    let got = Double(result[i * ldc + j])
                    if !(Swift.abs(got - expected) <= tolerance) {
                        failures += 1
                        if failures <= 3 {
                            XCTFail("\(label): C[\(i), \(j)] = \(got), expected \(expected) ± \(tolerance)", file: file, line: line)
                        }
                    }
                }
            }
            // The padding of C must be untouched.
            for i in 0..<m { for j in n..<ldc where !result[i * ldc + j].isNaN {
                XCTFail("\(label): wrote C's padding at [\(i), \(j)]", file: file, line: line); return
            } }
            if failures > 3 { XCTFail("\(label): \(failures) elements wrong in all", file: file, line: line) }
        }

        /// Runs the kernel on a copy of C and returns it.
        func runKernel(beta: Float, threads: Int = 1, split: SGEMMKernel.Split? = nil,
                       instructionSet: SGEMMKernel.InstructionSet) -> [Float] {
            var out = c
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { pc in
                        SGEMMKernel.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                          a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                          beta: beta, c: pc.baseAddress!, ldc: ldc,
                                          threads: threads, split: split, instructionSet: instructionSet)
                    }
                }
            }
            return out
        }

        /// Runs `MatMul.gemm` (whatever backend is in force) on a copy of C and returns it.
        func runMatMul(beta: Float) -> [Float] {
            var out = c
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { pc in
                        MatMul.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                    a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                    beta: beta, c: pc.baseAddress!, ldc: ldc)
                    }
                }
            }
            return out
        }

        var name: String { "\(m)×\(n)×\(k) \(transposeA ? "T" : "N")\(transposeB ? "T" : "N")" }
    }

    static let transpositions = [(false, false), (true, false), (false, true), (true, true)]

    /// Odd and course-sized shapes: 1×1×1 up to a layer of the MNIST MLP, edge tiles in both
    /// directions, each tile width (≤ 16, ≤ 32, wider) and K longer than one K block; last
    /// panels of 1–4 columns (computed as dot products when A is not transposed) with K a
    /// multiple of 16 or not, and 1–7 rows in the last row block.
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (7, 13, 5), (17, 33, 65), (100, 40, 784), (129, 47, 300),
        (3, 200, 2), (25, 30, 97), (100, 10, 20), (50, 16, 9), (31, 100, 33), (9, 49, 1100),
        (37, 100, 100), (20, 98, 16), (11, 97, 17), (6, 148, 40), (1, 50, 33),
    ]

    func testEveryShapeAndTranspositionMatchesTheNaiveProduct() {
        for (m, n, k) in Self.shapes {
            for (ta, tb) in Self.transpositions {
                let problem = Problem(m, n, k, transposeA: ta, transposeB: tb, seed: UInt64(m * 31 + n * 7 + k))
                for instructionSet in SGEMMKernel.InstructionSet.allCases {
                    problem.check(problem.runKernel(beta: 0, instructionSet: instructionSet), beta: 0,
                                  "\(instructionSet.rawValue) \(problem.name) beta 0")
                }
            }
        }
    }

    func testBetaOneAndOtherBetasAccumulateIntoC() {
        for (m, n, k) in [(7, 13, 5), (17, 33, 65), (24, 48, 16), (9, 49, 1100), (13, 100, 50)] {
            for (ta, tb) in Self.transpositions {
                let problem = Problem(m, n, k, transposeA: ta, transposeB: tb, seed: 5)
                for instructionSet in SGEMMKernel.InstructionSet.allCases {
                    for beta: Float in [1, 0.5, -2] {
                        problem.check(problem.runKernel(beta: beta, instructionSet: instructionSet), beta: beta,
                                      "\(instructionSet.rawValue) \(problem.name) beta \(beta)")
                    }
                }
            }
        }
    }

    func testBetaZeroNeverReadsC() {
        // BLAS semantics: with beta 0, NaN or infinity in C must not leak into the result.
        for instructionSet in SGEMMKernel.InstructionSet.allCases {
            for (ta, tb) in Self.transpositions {
                for (m, n, k) in [(17, 33, 65), (9, 100, 40)] {
                    let problem = Problem(m, n, k, transposeA: ta, transposeB: tb, initialC: .nan)
                    let result = problem.runKernel(beta: 0, instructionSet: instructionSet)
                    XCTAssertFalse(result.enumerated().contains { $0.offset % problem.ldc < problem.n && !$0.element.isFinite },
                                   "\(instructionSet.rawValue) \(problem.name)")
                }
            }
        }
    }

    func testStridedStorageWithLeadingDimensionsLongerThanRows() {
        for (m, n, k) in [(7, 13, 5), (17, 33, 65), (26, 20, 40), (13, 52, 40)] {
            for (ta, tb) in Self.transpositions {
                let problem = Problem(m, n, k, transposeA: ta, transposeB: tb, pad: 3, seed: 9)
                for instructionSet in SGEMMKernel.InstructionSet.allCases {
                    problem.check(problem.runKernel(beta: 1, instructionSet: instructionSet), beta: 1,
                                  "\(instructionSet.rawValue) \(problem.name) padded")
                }
            }
        }
    }

    func testSeveralThreadsSplittingRowsOrKAgree() {
        let instructionSet = SGEMMKernel.available ?? .avx2
        for (m, n, k, ta, tb) in [(100, 40, 784, false, false), (25, 30, 3000, true, false),
                                  (129, 47, 300, false, true), (9, 16, 700, true, true),
                                  (20, 250, 30, false, true), (13, 150, 17, true, false), (40, 100, 100, false, false)] {
            let problem = Problem(m, n, k, transposeA: ta, transposeB: tb, seed: 11)
            for threads in [2, 3] {
                for split in [SGEMMKernel.Split.rows, .columns, .k] {
                    for beta: Float in [0, 1] {
                        problem.check(problem.runKernel(beta: beta, threads: threads, split: split,
                                                        instructionSet: instructionSet),
                                      beta: beta, "\(problem.name) \(threads) threads split \(split) beta \(beta)")
                    }
                }
            }
        }
    }

    func testZeroSizedProductsOnlyScaleC() {
        let problem = Problem(4, 5, 0, seed: 3)
        let result = problem.runKernel(beta: 2, instructionSet: .avx2)
        for i in 0..<4 { for j in 0..<5 { XCTAssertEqual(result[i * problem.ldc + j], 2 * problem.c[i * problem.ldc + j]) } }
        let none = Problem(0, 5, 7, seed: 3)
        XCTAssertEqual(none.runKernel(beta: 0, instructionSet: .avx2).count, none.c.count)
    }

    func testMatMulGemmWithEachBackendMatchesTheNaiveProduct() {
        // Whatever GEMMSelection picks, and each backend forced.
        let problems = Self.transpositions.map { Problem(64, 40, 300, transposeA: $0.0, transposeB: $0.1, seed: 21) }
        for backend: GEMMBackend? in [nil, .blas, .kernel(threads: 1), .kernel(threads: 2)] {
            GEMMSelection.$forced.withValue(backend) {
                for problem in problems {
                    problem.check(problem.runMatMul(beta: 0), beta: 0, "MatMul.gemm \(String(describing: backend)) \(problem.name)")
                }
                let a: Tensor<Float> = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
                let b: Tensor<Float> = Tensor(shape: [2, 2], scalars: [1, 0, 0, 1])
                XCTAssertEqual(MatMul.multiply(a, b), a)
                XCTAssertEqual(MatMul.multiply(a, a, transposeA: true).scalars, [35, 44, 44, 56])
            }
        }
    }

    func testSelectionRule() {
        // Double products never reach the kernel; float ones only where it was compiled for a SIMD ISA.
        if SGEMMKernel.available == nil {
            XCTAssertEqual(GEMMSelection.choose(transposeA: false, transposeB: false, m: 10_000, n: 40, k: 784), .blas)
        }
        GEMMSelection.$forced.withValue(.blas) {
            XCTAssertEqual(GEMMSelection.choose(transposeA: false, transposeB: false, m: 1, n: 1, k: 1), .blas)
        }
        let d: Tensor<Double> = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        GEMMSelection.$forced.withValue(.kernel(threads: 2)) {
            XCTAssertEqual(MatMul.multiply(d, d).scalars, [7, 10, 15, 22])  // BLAS dgemm regardless
        }
    }
}
