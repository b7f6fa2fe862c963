import RealModule

// Float32 loops written with the concrete `SIMD16<Float>` / `SIMD8<Float>` types.
//
// Selects such as ReLU's `x > 0 ? x : 0` do not vectorise as plain loops here (LLVM turns
// them into branches: scalar, and mispredicted half the time on activations), and generic
// `SIMD16<Scalar>` comparisons and masks compile lane by lane even when specialized. With
// the concrete types each is one compare and one blend (or a max) per 16 elements.
// The generic callers use these when `Scalar == Float` and a scalar loop otherwise.

enum FloatLoops {
    typealias V16 = SIMD16<Float>
    typealias V8 = SIMD8<Float>

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V16 {
        UnsafeRawPointer(p).loadUnaligned(as: V16.self)
    }
    @inline(__always) static func store(_ v: V16, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V16.self)
    }
    @inline(__always) static func load8(_ p: UnsafePointer<Float>) -> V8 {
        UnsafeRawPointer(p).loadUnaligned(as: V8.self)
    }
    @inline(__always) static func store8(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
    }

    /// `o[i] = y[i] > 0 ? x[i] : 0` (`o` may be uninitialized).
    static func select(_ x: UnsafePointer<Float>, where y: UnsafePointer<Float>,
                       into o: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        while i + 16 <= n {
            store(V16.zero.replacing(with: load(x + i), where: load(y + i) .> 0), o + i)
            i += 16
        }
        while i < n {
            (o + i).initialize(to: y[i] > 0 ? x[i] : 0)
            i += 1
        }
    }

    /// `o[i] = y[i] > threshold ? 1 : 0` (`o` may be uninitialized).
    static func greaterMask(_ y: UnsafePointer<Float>, than threshold: Float,
                            into o: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        while i + 16 <= n {
            store(V16.zero.replacing(with: 1, where: load(y + i) .> threshold), o + i)
            i += 16
        }
        while i < n {
            (o + i).initialize(to: y[i] > threshold ? 1 : 0)
            i += 1
        }
    }

    /// `o[j] = Σ_r x[r, j]` over the rows in order, 16 columns at a time (the scalar loop
    /// does not vectorise: `o` might alias `x`). The same sums as adding row by row.
    static func sumRows(_ x: UnsafePointer<Float>, rows: Int, columns n: Int, into o: UnsafeMutablePointer<Float>) {
        var j = 0
        while j + 16 <= n {
            var s = V16.zero
            for r in 0..<rows { s += load(x + (r &* n &+ j)) }
            store(s, o + j)
            j += 16
        }
        while j < n {
            var s: Float = 0
            for r in 0..<rows { s += x[r &* n &+ j] }
            o[j] = s
            j += 1
        }
    }

    /// `row[j] += bias[j]` for j in 0..<n.
    static func addBias(_ row: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, count n: Int) {
        var j = 0
        while j + 16 <= n {
            store(load(row + j) + load(bias + j), row + j)
            j += 16
        }
        while j < n {
            row[j] += bias[j]
            j += 1
        }
    }

    /// `row[j] = max(0, row[j] + bias[j])` for j in 0..<n (NaN becomes 0, as `x > 0 ? x : 0`).
    static func addBiasReLU(_ row: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, count n: Int) {
        var j = 0
        while j + 16 <= n {
            let v = load(row + j) + load(bias + j)
            store(V16.zero.replacing(with: v, where: v .> 0), row + j)
            j += 16
        }
        if j + 8 <= n {
            let v = load8(row + j) + load8(bias + j)
            store8(V8.zero.replacing(with: v, where: v .> 0), row + j)
            j += 8
        }
        while j < n {
            let v = row[j] + bias[j]
            row[j] = v > 0 ? v : 0
            j += 1
        }
    }
}

extension UnsafePointer {
    /// The same address read as Float (only where the caller has checked `Pointee == Float`).
    @inline(__always) var float: UnsafePointer<Float> { UnsafeRawPointer(self).assumingMemoryBound(to: Float.self) }
}

extension UnsafeMutablePointer {
    /// The same address written as Float (only where the caller has checked `Pointee == Float`).
    @inline(__always) var float: UnsafeMutablePointer<Float> { UnsafeMutableRawPointer(self).assumingMemoryBound(to: Float.self) }
}

extension FloatLoops {
    /// `out = x·W + b` (then ReLU) for sparse rows x: row r's nonzeros are entries
    /// `starts[r]..<starts[r + 1]` of `columns`/`values`; W `[K, n]` has rows `ldw` apart, a
    /// multiple of 16 with zeros past column n, and so has `bias`. `out` is `[rows, n]` and may
    /// be uninitialized.
    ///
    /// Each row's accumulators (up to 8 vectors: 128 columns per pass) take one fused
    /// multiply-add per nonzero in column order, as the dense kernel does with every column;
    /// two rows go side by side so that two independent chains hide the FMA latency. (Four
    /// rows side by side, grouped by length, measured slower: the loop is bound by reading
    /// W's rows from L2 and the nonzeros from memory, which a row order by length scatters.)
    struct SparseAffine: VectorPanels, @unchecked Sendable {
        let starts: UnsafePointer<Int>
        let columns: UnsafePointer<Int32>
        let values: UnsafePointer<Float>
        let w: UnsafePointer<Float>
        let ldw: Int
        let n: Int
        let bias: UnsafePointer<Float>
        let relu: Bool
        let out: UnsafeMutablePointer<Float>

        func panel<Count: VectorCount>(_: Count.Type, _ c0: Int, _ rows: Range<Int>) {
            // W's rows as one panel wide (every layer up to 128 wide): a stride known when
            // compiling, which frees the register the loop otherwise reloads it into.
            if ldw == Count.vectors &* 16 {
                panel(Count.self, c0, rows, ldw: Count.vectors &* 16)
            } else {
                panel(Count.self, c0, rows, ldw: ldw)
            }
        }

        @inline(__always)
        private func panel<Count: VectorCount>(_: Count.Type, _ c0: Int, _ rows: Range<Int>, ldw: Int) {
            let vectors = Count.vectors
            let (starts, columns, values) = (self.starts, self.columns, self.values)
            let wp = w + c0
            var r = rows.lowerBound
            while r + 2 <= rows.upperBound {
                var a = zeroRow, b = zeroRow
                var p = starts[r], q = starts[r + 1]
                let pEnd = starts[r + 1], qEnd = starts[r + 2]
                // Two rows' multiply-adds written interleaved: the same as two addProduct calls,
                // but measured 3–4% faster on the MLP evaluations.
                while p < pEnd && q < qEnd {
                    let wa = wp + Int(columns[p]) &* ldw, xa = V16(repeating: values[p])
                    let wb = wp + Int(columns[q]) &* ldw, xb = V16(repeating: values[q])
                    a.0 = a.0.addingProduct(xa, load(wa))
                    b.0 = b.0.addingProduct(xb, load(wb))
                    if vectors > 1 {
                        a.1 = a.1.addingProduct(xa, load(wa + 16))
                        b.1 = b.1.addingProduct(xb, load(wb + 16))
                    }
                    if vectors > 2 {
                        a.2 = a.2.addingProduct(xa, load(wa + 32))
                        b.2 = b.2.addingProduct(xb, load(wb + 32))
                    }
                    if vectors > 3 {
                        a.3 = a.3.addingProduct(xa, load(wa + 48))
                        b.3 = b.3.addingProduct(xb, load(wb + 48))
                    }
                    if vectors > 4 {
                        a.4 = a.4.addingProduct(xa, load(wa + 64))
                        b.4 = b.4.addingProduct(xb, load(wb + 64))
                    }
                    if vectors > 5 {
                        a.5 = a.5.addingProduct(xa, load(wa + 80))
                        b.5 = b.5.addingProduct(xb, load(wb + 80))
                    }
                    if vectors > 6 {
                        a.6 = a.6.addingProduct(xa, load(wa + 96))
                        b.6 = b.6.addingProduct(xb, load(wb + 96))
                    }
                    if vectors > 7 {
                        a.7 = a.7.addingProduct(xa, load(wa + 112))
                        b.7 = b.7.addingProduct(xb, load(wb + 112))
                    }
                    p &+= 1
                    q &+= 1
                }
                while p < pEnd {
                    addProduct(vectors, values[p], wp + Int(columns[p]) &* ldw, to: &a)
                    p &+= 1
                }
                while q < qEnd {
                    addProduct(vectors, values[q], wp + Int(columns[q]) &* ldw, to: &b)
                    q &+= 1
                }
                finish(vectors, c0, r, a)
                finish(vectors, c0, r + 1, b)
                r += 2
            }
            if r < rows.upperBound {
                var a = zeroRow
                for p in starts[r]..<starts[r + 1] {
                    addProduct(vectors, values[p], wp + Int(columns[p]) &* ldw, to: &a)
                }
                finish(vectors, c0, r, a)
            }
        }

        /// Adds the bias (and applies ReLU) and stores the row's columns `c0..<c0 + 16·vectors`
        /// that exist.
        @inline(__always)
        private func finish(_ vectors: Int, _ c0: Int, _ r: Int, _ a: Row) {
            let o = out + r &* n + c0
            let valid = min(vectors * 16, n - c0)
            for i in 0..<vectors {
                var v = FloatLoops.vector(i, of: a) + load(bias + c0 + 16 * i)
                if relu { v = V16.zero.replacing(with: v, where: v .> 0) }
                let lanes = valid - 16 * i
                if lanes >= 16 {
                    store(v, o + 16 * i)
                } else {
                    for l in 0..<lanes { (o + 16 * i + l).initialize(to: v[l]) }
                }
            }
        }
    }
}

/// A number of vectors known at compile time (in specialized code): the width of a
/// register tile in a ``VectorPanels`` kernel.
protocol VectorCount { static var vectors: Int { get } }
enum OneVector: VectorCount { static var vectors: Int { 1 } }
enum TwoVectors: VectorCount { static var vectors: Int { 2 } }
enum ThreeVectors: VectorCount { static var vectors: Int { 3 } }
enum FourVectors: VectorCount { static var vectors: Int { 4 } }
enum FiveVectors: VectorCount { static var vectors: Int { 5 } }
enum SixVectors: VectorCount { static var vectors: Int { 6 } }
enum SevenVectors: VectorCount { static var vectors: Int { 7 } }
enum EightVectors: VectorCount { static var vectors: Int { 8 } }

/// A kernel that computes rows of an n-column output in panels of up to 8 vectors (128
/// columns), one loop per panel width with the accumulators of one row in registers.
protocol VectorPanels {
    /// Columns of the output.
    var n: Int { get }
    /// Columns `c0..<c0 + 16·Count.vectors` (those that exist) of output rows `rows`.
    func panel<Count: VectorCount>(_: Count.Type, _ c0: Int, _ rows: Range<Int>)
}

extension VectorPanels {
    /// Output rows `rows`, panel by panel (the vector count is a type, so each width gets its
    /// own loop without the unused accumulators).
    func run(rows: Range<Int>) {
        var c0 = 0
        while c0 < n {
            let vectors = min(8, (n - c0 + 15) / 16)
            switch vectors {
            case 1: panel(OneVector.self, c0, rows)
            case 2: panel(TwoVectors.self, c0, rows)
            case 3: panel(ThreeVectors.self, c0, rows)
            case 4: panel(FourVectors.self, c0, rows)
            case 5: panel(FiveVectors.self, c0, rows)
            case 6: panel(SixVectors.self, c0, rows)
            case 7: panel(SevenVectors.self, c0, rows)
            default: panel(EightVectors.self, c0, rows)
            }
            c0 += vectors * 16
        }
    }
}

extension FloatLoops {
    /// One output row's accumulators in a ``VectorPanels`` kernel: columns
    /// c0 + 16·i ..< c0 + 16·(i + 1) in element i.
    typealias Row = (V16, V16, V16, V16, V16, V16, V16, V16)
    static var zeroRow: Row { (V16(), V16(), V16(), V16(), V16(), V16(), V16(), V16()) }

    /// Element `i` of `a`.
    @inline(__always)
    static func vector(_ i: Int, of a: Row) -> V16 {
        i == 0 ? a.0 : i == 1 ? a.1 : i == 2 ? a.2 : i == 3 ? a.3 : i == 4 ? a.4 : i == 5 ? a.5 : i == 6 ? a.6 : a.7
    }

    /// Sets element `i` of `a`.
    @inline(__always)
    static func setVector(_ i: Int, of a: inout Row, to v: V16) {
        switch i {
        case 0: a.0 = v
        case 1: a.1 = v
        case 2: a.2 = v
        case 3: a.3 = v
        case 4: a.4 = v
        case 5: a.5 = v
        case 6: a.6 = v
        default: a.7 = v
        }
    }

    /// `a += value · row[0..<16·vectors]`, one fused multiply-add per vector.
    @inline(__always)
    static func addProduct(_ vectors: Int, _ value: Float, _ row: UnsafePointer<Float>, to a: inout Row) {
        let x = V16(repeating: value)
        a.0 = a.0.addingProduct(x, load(row))
        if vectors > 1 { a.1 = a.1.addingProduct(x, load(row + 16)) }
        if vectors > 2 { a.2 = a.2.addingProduct(x, load(row + 32)) }
        if vectors > 3 { a.3 = a.3.addingProduct(x, load(row + 48)) }
        if vectors > 4 { a.4 = a.4.addingProduct(x, load(row + 64)) }
        if vectors > 5 { a.5 = a.5.addingProduct(x, load(row + 80)) }
        if vectors > 6 { a.6 = a.6.addingProduct(x, load(row + 96)) }
        if vectors > 7 { a.7 = a.7.addingProduct(x, load(row + 112)) }
    }

    /// `xᵀ·dout` for sparse rows x, by output row: `out[k, :] = Σ v·dout[r, :]` over the
    /// nonzeros (r, v) of x's column k, r ascending, one fused multiply-add each.
    ///
    /// It reads x's nonzeros listed by column: column k's are `entries[begins[k]..<ends[k]]`
    /// (``SparseRows/transposedProduct(_:into:)`` lists them with room left between columns,
    /// ``SparseColumnLists`` back to back). It accumulates each output row in registers, two
    /// rows side by side (two independent chains hide the FMA latency), and stores it once;
    /// with `continuing` the sums start from `out`'s rows instead of 0, so that rows listed and
    /// multiplied in chunks sum in one chain, as all at once. (Adding each nonzero's product to
    /// its row of `out` in place, straight from x's rows, needs a load and a store of that row
    /// per nonzero: measured 1.2 times slower for 40 columns and twice as slow for 100, the
    /// stores bounding it.) `dout` has rows `ldd` apart, a multiple of 16 with zeros past
    /// column n, numbered as the entries' rows; `out` is `[K, n]`.
    struct SparseTransposedProduct: VectorPanels {
        let begins: UnsafePointer<Int>
        let ends: UnsafePointer<Int>
        let entries: UnsafePointer<SparseEntry<Float>>
        let dout: UnsafePointer<Float>
        let ldd: Int
        let n: Int
        let out: UnsafeMutablePointer<Float>
        let continuing: Bool

        func panel<Count: VectorCount>(_: Count.Type, _ c0: Int, _ rows: Range<Int>) {
            let vectors = Count.vectors
            let (begins, ends, e, ldd) = (self.begins, self.ends, self.entries, self.ldd)
            let d = dout + c0
            var k = rows.lowerBound
            while k < rows.upperBound {
                let pair = k + 1 < rows.upperBound
                var a = continuing ? sums(vectors, c0, k) : zeroRow
                var b = continuing && pair ? sums(vectors, c0, k + 1) : zeroRow
                var p = begins[k], q = pair ? begins[k + 1] : 0
                let pEnd = ends[k], qEnd = pair ? ends[k + 1] : 0
                while p < pEnd && q < qEnd {
                    addProduct(vectors, e[p].value, d + Int(e[p].row) &* ldd, to: &a)
                    addProduct(vectors, e[q].value, d + Int(e[q].row) &* ldd, to: &b)
                    p &+= 1
                    q &+= 1
                }
                while p < pEnd {
                    addProduct(vectors, e[p].value, d + Int(e[p].row) &* ldd, to: &a)
                    p &+= 1
                }
                while q < qEnd {
                    addProduct(vectors, e[q].value, d + Int(e[q].row) &* ldd, to: &b)
                    q &+= 1
                }
                finish(vectors, c0, k, a)
                if pair { finish(vectors, c0, k + 1, b) }
                k += 2
            }
        }

        /// Output row k's columns `c0..<c0 + 16·vectors` as they are (zeros past column n).
        @inline(__always)
        private func sums(_ vectors: Int, _ c0: Int, _ k: Int) -> Row {
            let o = out + k &* n + c0
            let valid = min(vectors * 16, n - c0)
            var a = zeroRow
            for i in 0..<vectors {
                let lanes = valid - 16 * i
                var v = V16()
                if lanes >= 16 { v = load(o + 16 * i) } else { for l in 0..<lanes { v[l] = o[16 * i + l] } }
                FloatLoops.setVector(i, of: &a, to: v)
            }
            return a
        }

        /// Stores output row k's columns `c0..<c0 + 16·vectors` that exist.
        @inline(__always)
        private func finish(_ vectors: Int, _ c0: Int, _ k: Int, _ a: Row) {
            let o = out + k &* n + c0
            let valid = min(vectors * 16, n - c0)
            for i in 0..<vectors {
                let v = FloatLoops.vector(i, of: a)
                let lanes = valid - 16 * i, p = o + 16 * i
                if lanes >= 16 {
                    store(v, p)
                    continue
                }
                // The last, partial vector: 8 lanes at once, then one by one.
                var l = 0
                if lanes >= 8 {
                    store8(v.lowHalf, p)
                    l = 8
                }
                while l < lanes {
                    p[l] = v[l]
                    l += 1
                }
            }
        }
    }
}

extension FloatLoops {
    /// Whether any of the 16 floats at `p` is nonzero (−0 counts as zero, NaN as nonzero).
    /// (Eight 64-bit words OR-ed together: SIMD comparisons and reductions compile lane by
    /// lane here.)
    @inline(__always)
    static func anyNonzero(_ p: UnsafePointer<Float>) -> Bool {
        let q = UnsafeRawPointer(p)
        var bits = q.loadUnaligned(as: UInt64.self)
        for i in 1..<8 { bits |= q.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self) }
        return bits & 0x7fff_ffff_7fff_ffff != 0
    }
}

extension FloatLoops {
    /// `o[i] += alpha · sign(x[i])` (sign −1, 0 or +1; 0 for NaN, as `x > 0 ? 1 : (x < 0 ? −1 : 0)`).
    static func addScaledSign(_ x: UnsafePointer<Float>, by alpha: Float, into o: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        while i + 16 <= n {
            let v = load(x + i)
            let sign = V16.zero.replacing(with: 1, where: v .> 0).replacing(with: -1, where: v .< 0)
            store(load(o + i) + alpha * sign, o + i)
            i += 16
        }
        while i < n {
            let sign: Float = x[i] > 0 ? 1 : (x[i] < 0 ? -1 : 0)
            o[i] += alpha * sign
            i += 1
        }
    }

    /// Σ f(x[i]) in 32 running partial sums (two vectors), added up at the end: a sum in
    /// element order is one long chain of dependent additions, 4 cycles each.
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, count n: Int, _ f: (V16) -> V16, _ f1: (Float) -> Float) -> Float {
        var s0 = V16(), s1 = V16()
        var i = 0
        while i + 32 <= n {
            s0 += f(load(x + i))
            s1 += f(load(x + i + 16))
            i += 32
        }
        if i + 16 <= n {
            s0 += f(load(x + i))
            i += 16
        }
        var total = (s0 + s1).sum()
        while i < n {
            total += f1(x[i])
            i += 1
        }
        return total
    }

    /// e^x for 16 lanes with |x| ≤ 87, the way Cephes' `expf` computes it: x = n·ln2 + r with
    /// integer n and |r| ≤ ln2/2 (ln2 split in two parts so that r is exact), e^r by a degree-7
    /// polynomial, and 2ⁿ put straight into the exponent bits. Within 1 ulp of the C library's
    /// `expf` (checked on a fine grid over the range); all 16 lanes in a few vector instructions.
    @inline(__always)
    static func exp(_ x: V16) -> V16 {
        // n = round(x·log2(e)): adding 1.5·2²³ rounds to an integer and leaves it in the low bits.
        let shifted = x * 1.44269504088896341 + 12582912
        let n = shifted - 12582912
        let r = (x - n * 0.693359375).addingProduct(n, V16(repeating: 2.12194440e-4))
        var p = V16(repeating: 1.9875691500e-4)
        p = V16(repeating: 1.3981999507e-3).addingProduct(p, r)
        p = V16(repeating: 8.3334519073e-3).addingProduct(p, r)
        p = V16(repeating: 4.1665795894e-2).addingProduct(p, r)
        p = V16(repeating: 1.6666665459e-1).addingProduct(p, r)
        p = V16(repeating: 5.0000001201e-1).addingProduct(p, r)
        p = r.addingProduct(p, r * r) + 1
        // 2ⁿ: the biased exponent n + 127 in bits 23…30 (n is within ±126 here).
        let exponent = (unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: V16.self)
    }

    /// `o[i] = 1 / (1 + e^(−x[i]))`, 16 lanes at a time with ``exp(_:)``: within 4 ulp of the
    /// scalar formula with the C library's `expf` (where e^(−x) is large, its last bit can
    /// change how 1 + e^(−x) rounds). e^(−x) is computed for x clamped to ±87:
    /// for x ≥ 87 σ(x) rounds to 1 either way; below −87 the true σ(x) < 1.7e-38 and the
    /// result is that small, or 0 below −88.72, where `expf(−x)` overflows. NaN stays NaN.
    static func sigmoid(_ x: UnsafePointer<Float>, into o: UnsafeMutablePointer<Float>, count n: Int) {
        let limit = V16(repeating: 87)
        var i = 0
        while i < n {
            let lanes = min(16, n - i)
            var v = V16()
            if lanes == 16 { v = load(x + i) } else { for l in 0..<lanes { v[l] = x[i + l] } }
            // pointwiseMin/Max, not `clamped`, which checks its bounds lane by lane (6× slower here).
            let y = (1 / (1 + exp(-pointwiseMax(pointwiseMin(v, limit), -limit))))
                .replacing(with: 0, where: v .< -88.72284)
                .replacing(with: .nan, where: v .!= v)
            if lanes == 16 { store(y, o + i) } else { for l in 0..<lanes { (o + i + l).initialize(to: y[l]) } }
            i += 16
        }
    }

    /// `o[r] = x[indices[r]]` for rows of n floats, 16 rows at a time side by side.
    static func gatherRows(_ indices: [Int], from x: UnsafePointer<Float>, columns n: Int, into o: UnsafeMutablePointer<Float>) {
        indices.withUnsafeBufferPointer { idx in
            var r0 = 0
            while r0 < idx.count {
                let r1 = min(r0 + 16, idx.count)
                var j = 0
                while j + 16 <= n {
                    for r in r0..<r1 { store(load(x + idx[r] &* n + j), o + r &* n + j) }
                    j += 16
                }
                if j < n {
                    for r in r0..<r1 { (o + r &* n + j).initialize(from: x + idx[r] &* n + j, count: n - j) }
                }
                r0 = r1
            }
        }
    }
}
