// In-place elementwise updates: one loop over a parameter, its gradient and an optimizer's
// per-parameter state, instead of a temporary tensor per operation of the formula.
//
// These are `@inlinable` so that the loop body (a closure written where the formula is, in
// the optimizer) is inlined and specialized together with the caller: call them from code
// that is itself specialized for Float/Double (`@_specialize`), or they run generic and slow.

extension Tensor {
    /// For every index i: `body(&value[i], gradient[i])`.
    @inlinable @inline(__always)
    public static func updateElements(
        _ value: inout Tensor, _ gradient: Tensor, _ body: (inout Scalar, Scalar) -> Void
    ) {
        precondition(value.count == gradient.count, "shapes differ: \(value.shape) and \(gradient.shape)")
        gradient.scalars.withUnsafeBufferPointer { g in
            value.scalars.withUnsafeMutableBufferPointer { p in
                for i in 0..<p.count { body(&p[i], g[i]) }
            }
        }
    }

    /// For every index i: `body(&value[i], &state[i], gradient[i])`.
    @inlinable @inline(__always)
    public static func updateElements(
        _ value: inout Tensor, _ state: inout Tensor, _ gradient: Tensor,
        _ body: (inout Scalar, inout Scalar, Scalar) -> Void
    ) {
        precondition(value.count == gradient.count && state.count == gradient.count,
                     "shapes differ: \(value.shape), \(state.shape) and \(gradient.shape)")
        gradient.scalars.withUnsafeBufferPointer { g in
            state.scalars.withUnsafeMutableBufferPointer { s in
                value.scalars.withUnsafeMutableBufferPointer { p in
                    for i in 0..<p.count { body(&p[i], &s[i], g[i]) }
                }
            }
        }
    }

    /// For every index i: `body(&value[i], &state1[i], &state2[i], gradient[i])`.
    @inlinable @inline(__always)
    public static func updateElements(
        _ value: inout Tensor, _ state1: inout Tensor, _ state2: inout Tensor, _ gradient: Tensor,
        _ body: (inout Scalar, inout Scalar, inout Scalar, Scalar) -> Void
    ) {
        precondition(value.count == gradient.count && state1.count == gradient.count && state2.count == gradient.count,
                     "shapes differ: \(value.shape), \(state1.shape), \(state2.shape) and \(gradient.shape)")
        gradient.scalars.withUnsafeBufferPointer { g in
            state1.scalars.withUnsafeMutableBufferPointer { s1 in
                state2.scalars.withUnsafeMutableBufferPointer { s2 in
                    value.scalars.withUnsafeMutableBufferPointer { p in
                        for i in 0..<p.count { body(&p[i], &s1[i], &s2[i], g[i]) }
                    }
                }
            }
        }
    }
}
