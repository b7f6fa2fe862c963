// In-place elementwise updates: one loop over a parameter, its gradient and an optimizer's
// per-parameter state, instead of a temporary tensor per operation of the formula.
//
// The body sees 16 elements at a time as `SIMD16` vectors, so an optimizer's formula, written
// once with the usual operators (`p = p - lr * g / (h.squareRoot() + 1e-7)`), runs as vector
// instructions: each lane gets exactly the operations the scalar formula would do, in the same
// order, so the numbers are the same. (A scalar loop with a square root and a division per
// element cost Adam 2 ms per SimpleConvNet step.) The last, partial vector is padded with zeros
// and only its real lanes are written back.
//
// These are `@inlinable` so that the body (a closure written where the formula is, in the
// optimizer) is inlined and specialized together with the caller: call them from code that is
// itself specialized for Float/Double (`@_specialize`), or they run generic and slow.

extension Tensor {
    /// 16 elements of a tensor as one vector.
    public typealias Lanes = SIMD16<Scalar>

    /// For every index i: `body(&value[i], gradient[i])`, 16 indices at a time.
    @inlinable @inline(__always)
    public static func updateElements(_ value: inout Tensor, _ gradient: Tensor, _ body: (inout Lanes, Lanes) -> Void) {
        precondition(value.count == gradient.count, "shapes differ: \(value.shape) and \(gradient.shape)")
        gradient.scalars.withUnsafeBufferPointer { g in
            value.scalars.withUnsafeMutableBufferPointer { p in
                forEachLanes(p.count) { i, n in
                    var pv = loadLanes(p, i, n)
                    body(&pv, loadLanes(g, i, n))
                    storeLanes(pv, p, i, n)
                }
            }
        }
    }

    /// For every index i: `body(&value[i], &state[i], gradient[i])`, 16 indices at a time.
    @inlinable @inline(__always)
    public static func updateElements(
        _ value: inout Tensor, _ state: inout Tensor, _ gradient: Tensor, _ body: (inout Lanes, inout Lanes, Lanes) -> Void
    ) {
        precondition(value.count == gradient.count && state.count == gradient.count,
                     "shapes differ: \(value.shape), \(state.shape) and \(gradient.shape)")
        gradient.scalars.withUnsafeBufferPointer { g in
            state.scalars.withUnsafeMutableBufferPointer { s in
                value.scalars.withUnsafeMutableBufferPointer { p in
                    forEachLanes(p.count) { i, n in
                        var (pv, sv) = (loadLanes(p, i, n), loadLanes(s, i, n))
                        body(&pv, &sv, loadLanes(g, i, n))
                        storeLanes(pv, p, i, n)
                        storeLanes(sv, s, i, n)
                    }
                }
            }
        }
    }

    /// For every index i: `body(&value[i], &state1[i], &state2[i], gradient[i])`, 16 indices at a time.
    @inlinable @inline(__always)
    public static func updateElements(
        _ value: inout Tensor, _ state1: inout Tensor, _ state2: inout Tensor, _ gradient: Tensor,
        _ body: (inout Lanes, inout Lanes, inout Lanes, Lanes) -> Void
    ) {
        precondition(value.count == gradient.count && state1.count == gradient.count && state2.count == gradient.count,
                     "shapes differ: \(value.shape), \(state1.shape), \(state2.shape) and \(gradient.shape)")
        gradient.scalars.withUnsafeBufferPointer { g in
            state1.scalars.withUnsafeMutableBufferPointer { s1 in
                state2.scalars.withUnsafeMutableBufferPointer { s2 in
                    value.scalars.withUnsafeMutableBufferPointer { p in
                        forEachLanes(p.count) { i, n in
                            var (pv, v1, v2) = (loadLanes(p, i, n), loadLanes(s1, i, n), loadLanes(s2, i, n))
                            body(&pv, &v1, &v2, loadLanes(g, i, n))
                            storeLanes(pv, p, i, n)
                            storeLanes(v1, s1, i, n)
                            storeLanes(v2, s2, i, n)
                        }
                    }
                }
            }
        }
    }

    /// `body(start, lanes)` for start = 0, 16, 32, … below `count`; lanes is 16 except at the end.
    @inlinable @inline(__always)
    static func forEachLanes(_ count: Int, _ body: (Int, Int) -> Void) {
        var i = 0
        while i + 16 <= count {
            body(i, 16)
            i += 16
        }
        if i < count { body(i, count - i) }
    }

    /// Elements `i..<i + n` of `buffer` (n ≤ 16), zero-padded to 16 lanes.
    @inlinable @inline(__always)
    static func loadLanes(_ buffer: UnsafeBufferPointer<Scalar>, _ i: Int, _ n: Int) -> Lanes {
        if n == 16 { return UnsafeRawPointer(buffer.baseAddress! + i).loadUnaligned(as: Lanes.self) }
        var v = Lanes()
        for l in 0..<n { v[l] = buffer[i + l] }
        return v
    }

    @inlinable @inline(__always)
    static func loadLanes(_ buffer: UnsafeMutableBufferPointer<Scalar>, _ i: Int, _ n: Int) -> Lanes {
        loadLanes(UnsafeBufferPointer(buffer), i, n)
    }

    /// Writes the first `n` lanes of `v` to elements `i..<i + n` of `buffer`.
    @inlinable @inline(__always)
    static func storeLanes(_ v: Lanes, _ buffer: UnsafeMutableBufferPointer<Scalar>, _ i: Int, _ n: Int) {
        if n == 16 {
            UnsafeMutableRawPointer(buffer.baseAddress! + i).storeBytes(of: v, as: Lanes.self)
        } else {
            for l in 0..<n { buffer[i + l] = v[l] }
        }
    }
}
