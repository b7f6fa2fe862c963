import RealModule

// Elementwise arithmetic and the course's activation functions.
//
// Every loop over elements lives in ScratchTensor and is pre-specialized for
// Float and Double with `@_specialize`: generic code called across a module
// boundary otherwise runs unspecialized, measured ~60× slower here.

extension Tensor {
    /// Applies `f` to every element (inlined into the specialized callers below).
    @inline(__always)
    func mapElements(_ f: (Scalar) -> Scalar) -> Tensor {
        var out = self
        out.scalars.withUnsafeMutableBufferPointer { o in
            for i in o.indices { o[i] = f(o[i]) }
        }
        return out
    }

    /// Combines two tensors of the same element count elementwise.
    @inline(__always)
    func zipElements(_ other: Tensor, _ f: (Scalar, Scalar) -> Scalar) -> Tensor {
        precondition(count == other.count, "elementwise shapes differ: \(shape) and \(other.shape)")
        var out = self
        out.scalars.withUnsafeMutableBufferPointer { o in
            other.scalars.withUnsafeBufferPointer { b in
                for i in o.indices { o[i] = f(o[i], b[i]) }
            }
        }
        return out
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (a: Tensor, b: Tensor) -> Tensor { a.zipElements(b, +) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.zipElements(b, -) }

    /// Elementwise (Hadamard) product.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.zipElements(b, *) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.zipElements(b, /) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (a: Tensor, s: Scalar) -> Tensor { a.mapElements { $0 * s } }

    public static func * (s: Scalar, a: Tensor) -> Tensor { a * s }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (a: Tensor, s: Scalar) -> Tensor { a.mapElements { $0 + s } }

    public static func - (a: Tensor, s: Scalar) -> Tensor { a + (-s) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (s: Scalar, a: Tensor) -> Tensor { a.mapElements { s - $0 } }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (s: Scalar, a: Tensor) -> Tensor { a.mapElements { s / $0 } }

    public static func / (a: Tensor, s: Scalar) -> Tensor { a * (1 / s) }

    public static prefix func - (a: Tensor) -> Tensor { a * -1 }

    public static func += (a: inout Tensor, b: Tensor) { a.addScaled(b, by: 1) }
    public static func -= (a: inout Tensor, b: Tensor) { a.addScaled(b, by: -1) }

    /// `self += alpha · other` in place (BLAS's axpy).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func addScaled(_ other: Tensor, by alpha: Scalar) {
        precondition(count == other.count, "elementwise shapes differ: \(shape) and \(other.shape)")
        scalars.withUnsafeMutableBufferPointer { o in
            other.scalars.withUnsafeBufferPointer { b in
                for i in o.indices { o[i] += alpha * b[i] }
            }
        }
    }

    /// Adds a `[columns]` vector to every row (the bias of an Affine layer).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func addingRowVector(_ v: Tensor) -> Tensor {
        let n = columns
        precondition(v.count == n, "row vector has \(v.count) elements, rows have \(n)")
        var out = self
        out.scalars.withUnsafeMutableBufferPointer { o in
            v.scalars.withUnsafeBufferPointer { b in
                for r in 0..<rows {
                    let base = r * n
                    for j in 0..<n { o[base + j] += b[j] }
                }
            }
        }
        return out
    }

    /// Multiplies every row elementwise by a `[columns]` vector.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func multiplyingRowVector(_ v: Tensor) -> Tensor {
        let n = columns
        precondition(v.count == n, "row vector has \(v.count) elements, rows have \(n)")
        var out = self
        out.scalars.withUnsafeMutableBufferPointer { o in
            v.scalars.withUnsafeBufferPointer { b in
                for r in 0..<rows {
                    let base = r * n
                    for j in 0..<n { o[base + j] *= b[j] }
                }
            }
        }
        return out
    }

    // MARK: Elementwise functions

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func exp() -> Tensor { mapElements { Scalar.exp($0) } }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func log() -> Tensor { mapElements { Scalar.log($0) } }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sqrt() -> Tensor { mapElements { $0.squareRoot() } }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func squared() -> Tensor { mapElements { $0 * $0 } }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func abs() -> Tensor { mapElements { Swift.abs($0) } }

    /// −1, 0 or +1 per element (NumPy's `np.sign`; the L1 penalty's gradient).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sign() -> Tensor { mapElements { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) } }

    /// σ(x) = 1 / (1 + exp(−x)).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sigmoid() -> Tensor { mapElements { 1 / (1 + Scalar.exp(-$0)) } }

    /// max(0, x).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func relu() -> Tensor { mapElements { $0 > 0 ? $0 : 0 } }

    /// max(0, x) and the mask (1 where x > 0, else 0) in one pass.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func reluWithMask() -> (output: Tensor, mask: Tensor) {
        var out = self
        var mask = Tensor(shape: shape)
        out.scalars.withUnsafeMutableBufferPointer { o in
            mask.scalars.withUnsafeMutableBufferPointer { m in
                for i in o.indices {
                    let positive = o[i] > 0
                    m[i] = positive ? 1 : 0
                    o[i] = positive ? o[i] : 0
                }
            }
        }
        return (out, mask)
    }

    /// tanh(x).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func tanh() -> Tensor { mapElements { Scalar.tanh($0) } }

    /// 1 where x > 0, else 0 (the ReLU derivative; 0 at x = 0 as in the course).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func positiveMask() -> Tensor { mapElements { $0 > 0 ? 1 : 0 } }

    /// 1 where `x > threshold`, else 0.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func greaterMask(than threshold: Scalar) -> Tensor { mapElements { $0 > threshold ? 1 : 0 } }

    /// True when every element is finite (no NaN or ±∞).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func isFinite() -> Bool {
        scalars.withUnsafeBufferPointer { p in p.allSatisfy { $0.isFinite } }
    }
}
