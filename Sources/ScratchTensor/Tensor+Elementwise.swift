import RealModule

// Elementwise arithmetic and the course's activation functions.
//
// Every loop over elements lives in ScratchTensor and is pre-specialized for
// Float and Double with `@_specialize`: generic code called across a module
// boundary otherwise runs unspecialized, measured ~60× slower here.

extension Tensor {
    /// Applies `f` to every element (inlined into the specialized callers below). The result
    /// is written straight into fresh storage: no copy of `self` first.
    @inline(__always)
    func mapElements(_ f: (Scalar) -> Scalar) -> Tensor { .fresh { mapElements(into: &$0, f) } }

    /// ``mapElements(_:)`` written over `out` (``overwrite(shape:count:_:)``).
    @inline(__always)
    func mapElements(into out: inout Tensor, _ f: (Scalar) -> Scalar) {
        scalars.withUnsafeBufferPointer { x in
            out.overwrite(shape: shape, count: x.count) { o in
                for i in 0..<x.count { (o + i).initialize(to: f(x[i])) }
            }
        }
    }

    /// Combines two tensors of the same element count elementwise (into fresh storage).
    @inline(__always)
    func zipElements(_ other: Tensor, _ f: (Scalar, Scalar) -> Scalar) -> Tensor { .fresh { zipElements(other, into: &$0, f) } }

    /// ``zipElements(_:_:)`` written over `out` (``overwrite(shape:count:_:)``).
    @inline(__always)
    func zipElements(_ other: Tensor, into out: inout Tensor, _ f: (Scalar, Scalar) -> Scalar) {
        precondition(count == other.count, "elementwise shapes differ: \(shape) and \(other.shape)")
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                out.overwrite(shape: shape, count: a.count) { o in
                    for i in 0..<a.count { (o + i).initialize(to: f(a[i], b[i])) }
                }
            }
        }
    }

    /// Applies `f` to each element and the element of `v` in its column (`v` has `columns`
    /// elements: a per-column vector broadcast over the rows).
    @inline(__always)
    func zipRowVector(_ v: Tensor, _ f: (Scalar, Scalar) -> Scalar) -> Tensor {
        let n = columns
        precondition(v.count == n, "row vector has \(v.count) elements, rows have \(n)")
        return scalars.withUnsafeBufferPointer { x in
            v.scalars.withUnsafeBufferPointer { b in
                Tensor(uninitializedShape: shape, count: x.count) { o in
                    for r in 0..<rows {
                        let base = r * n
                        for j in 0..<n { (o + base + j).initialize(to: f(x[base + j], b[j])) }
                    }
                }
            }
        }
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

    /// `self * other` (elementwise) written over `out`'s elements when it has as many
    /// (``Tensor/init()``): dropout's masked output and gradient, kept from step to step.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func multiplied(by other: Tensor, into out: inout Tensor) { zipElements(other, into: &out, *) }

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

    /// `self = self·keep + other·(1 − keep)` in place: a running average moved toward
    /// `other` (batch normalization's running statistics, `keep` its momentum).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func interpolate(toward other: Tensor, keeping keep: Scalar) {
        precondition(count == other.count, "elementwise shapes differ: \(shape) and \(other.shape)")
        let move = 1 - keep
        scalars.withUnsafeMutableBufferPointer { o in
            other.scalars.withUnsafeBufferPointer { b in
                for i in o.indices { o[i] = o[i] * keep + b[i] * move }
            }
        }
    }

    /// Adds a `[columns]` vector to every row (the bias of an Affine layer).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func addingRowVector(_ v: Tensor) -> Tensor { zipRowVector(v, +) }

    /// Multiplies every row elementwise by a `[columns]` vector.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func multiplyingRowVector(_ v: Tensor) -> Tensor { zipRowVector(v, *) }

    /// `self += alpha · sign(other)` in place (the L1 penalty's gradient λ·sign(W)).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func addScaledSign(of other: Tensor, by alpha: Scalar) {
        precondition(count == other.count, "elementwise shapes differ: \(shape) and \(other.shape)")
        scalars.withUnsafeMutableBufferPointer { o in
            other.scalars.withUnsafeBufferPointer { x in
                guard o.count > 0 else { return }
                if Scalar.self == Float.self {
                    FloatLoops.addScaledSign(x.baseAddress!.float, by: Float(alpha), into: o.baseAddress!.float, count: o.count)
                } else {
                    for i in o.indices { o[i] += alpha * (x[i] > 0 ? 1 : (x[i] < 0 ? -1 : 0)) }
                }
            }
        }
    }

    /// Adds a `[columns]` vector to every row in place.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func addRowVector(_ v: Tensor) {
        let n = columns, m = rows
        precondition(v.count == n, "row vector has \(v.count) elements, rows have \(n)")
        scalars.withUnsafeMutableBufferPointer { o in
            v.scalars.withUnsafeBufferPointer { b in
                for r in 0..<m {
                    let base = r * n
                    for j in 0..<n { o[base + j] += b[j] }
                }
            }
        }
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

    /// σ(x) = 1 / (1 + exp(−x)). In float32, 16 elements at a time with a vector e^x
    /// (``FloatLoops/exp(_:)``, within 1 ulp of the C library's `expf`; σ within 4 ulp): what makes the sigmoid
    /// networks' evaluations cheap.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sigmoid() -> Tensor { .fresh { sigmoid(into: &$0) } }

    /// ``sigmoid()`` written over `y`'s elements when it has as many (``Tensor/init()``).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sigmoid(into y: inout Tensor) {
        guard Scalar.self == Float.self else { return mapElements(into: &y) { 1 / (1 + Scalar.exp(-$0)) } }
        scalars.withUnsafeBufferPointer { x in
            y.overwrite(shape: shape, count: x.count) { o in
                FloatLoops.sigmoid(x.baseAddress!.float, into: o.float, count: x.count)
            }
        }
    }

    /// max(0, x).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func relu() -> Tensor { .fresh { relu(into: &$0) } }

    /// ``relu()`` written over `y`'s elements when it has as many (``Tensor/init()``).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func relu(into y: inout Tensor) {
        scalars.withUnsafeBufferPointer { x in
            y.overwrite(shape: shape, count: x.count) { o in
                Self.select(x.baseAddress!, where: x.baseAddress!, into: o, count: x.count)
            }
        }
    }

    /// `o[i] = y[i] > 0 ? x[i] : 0` for i in 0..<n: ReLU (`y` = `x`) and its backward pass.
    @inline(__always)
    static func select(_ x: UnsafePointer<Scalar>, where y: UnsafePointer<Scalar>,
                       into o: UnsafeMutablePointer<Scalar>, count n: Int) {
        if Scalar.self == Float.self {
            FloatLoops.select(x.float, where: y.float, into: o.float, count: n)
        } else {
            for i in 0..<n { (o + i).initialize(to: y[i] > 0 ? x[i] : 0) }
        }
    }

    /// `o[i] = y[i] > threshold ? 1 : 0` for i in 0..<n.
    @inline(__always)
    static func greaterMask(_ y: UnsafePointer<Scalar>, than threshold: Scalar,
                            into o: UnsafeMutablePointer<Scalar>, count n: Int) {
        if Scalar.self == Float.self {
            FloatLoops.greaterMask(y.float, than: Float(threshold), into: o.float, count: n)
        } else {
            for i in 0..<n { (o + i).initialize(to: y[i] > threshold ? 1 : 0) }
        }
    }

    /// max(0, x) and the mask (1 where x > 0, else 0) in one pass.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func reluWithMask() -> (output: Tensor, mask: Tensor) {
        scalars.withUnsafeBufferPointer { x in
            let mask = Tensor(uninitializedShape: shape, count: x.count) { m in
                Self.greaterMask(x.baseAddress!, than: 0, into: m, count: x.count)
            }
            return (relu(), mask)
        }
    }

    /// ReLU's backward pass: `self` (∂L/∂y) where `output` (y = max(0, x)) is positive, else 0.
    /// y > 0 exactly where x > 0, so this is `dout · mask` without storing a mask.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func masked(wherePositive output: Tensor) -> Tensor {
        .fresh { masked(wherePositive: output, into: &$0) }
    }

    /// ``masked(wherePositive:)`` written over `dx`'s elements when it has as many (``Tensor/init()``).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func masked(wherePositive output: Tensor, into dx: inout Tensor) {
        precondition(count == output.count, "elementwise shapes differ: \(shape) and \(output.shape)")
        scalars.withUnsafeBufferPointer { d in
            output.scalars.withUnsafeBufferPointer { y in
                dx.overwrite(shape: shape, count: d.count) { o in
                    Self.select(d.baseAddress!, where: y.baseAddress!, into: o, count: d.count)
                }
            }
        }
    }

    /// Sigmoid's backward pass from its output y: `self · (1 − y) · y`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sigmoidBackward(output y: Tensor) -> Tensor {
        .fresh { sigmoidBackward(output: y, into: &$0) }
    }

    /// ``sigmoidBackward(output:)`` written over `dx`'s elements when it has as many (``Tensor/init()``).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sigmoidBackward(output y: Tensor, into dx: inout Tensor) {
        zipElements(y, into: &dx) { d, y in d * (1 - y) * y }
    }

    /// Tanh's backward pass from its output y: `self · (1 − y²)`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func tanhBackward(output y: Tensor) -> Tensor { .fresh { tanhBackward(output: y, into: &$0) } }

    /// ``tanhBackward(output:)`` written over `dx`'s elements when it has as many (``Tensor/init()``).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func tanhBackward(output y: Tensor, into dx: inout Tensor) {
        zipElements(y, into: &dx) { d, y in d * (1 - y * y) }
    }

    /// tanh(x).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func tanh() -> Tensor { mapElements { Scalar.tanh($0) } }

    /// ``tanh()`` written over `y`'s elements when it has as many (``Tensor/init()``).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func tanh(into y: inout Tensor) { mapElements(into: &y) { Scalar.tanh($0) } }

    /// 1 where x > 0, else 0 (the ReLU derivative; 0 at x = 0 as in the course).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func positiveMask() -> Tensor { greaterMask(than: 0) }

    /// 1 where `x > threshold`, else 0.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func greaterMask(than threshold: Scalar) -> Tensor {
        scalars.withUnsafeBufferPointer { x in
            Tensor(uninitializedShape: shape, count: x.count) { o in
                Self.greaterMask(x.baseAddress!, than: threshold, into: o, count: x.count)
            }
        }
    }

    /// True when every element is finite (no NaN or ±∞).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func isFinite() -> Bool {
        scalars.withUnsafeBufferPointer { p in p.allSatisfy { $0.isFinite } }
    }
}
