extension Tensor {
    /// A dropout mask of `shape`: element by element in row-major order, 1 where a uniform draw
    /// from `rng` exceeds `ratio` (the unit is kept), else 0. One draw per element, in order,
    /// so the same seed gives the same masks as `(rand(shape) > ratio)`. `ratio` is in 0…1.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func dropoutMask(shape: [Int], ratio: Double, using rng: inout RandomGenerator) -> Tensor {
        .fresh { dropoutMask(shape: shape, ratio: ratio, using: &rng, into: &$0) }
    }

    /// ``dropoutMask(shape:ratio:using:)`` written over `mask`'s elements when it has as many
    /// (``Tensor/init()``): the mask a Dropout layer draws anew every step.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func dropoutMask(shape: [Int], ratio: Double, using rng: inout RandomGenerator, into mask: inout Tensor) {
        precondition(ratio >= 0 && ratio <= 1, "dropout ratio must be in [0, 1], got \(ratio)")
        let count = shape.reduce(1, *)
        // uniform() is k·2⁻⁵³ for k = next() >> 11, so `uniform() > ratio` is `k > t` with
        // t = ⌊ratio·2⁵³⌋ (both scalings exact); `(t − k) >> 63` is that comparison without a
        // branch, which mispredicted at every unit dropped (a third of the mask's time).
        let t = UInt64((ratio * 0x1.0p53).rounded(.down))
        mask.overwrite(shape: shape, count: count) { o in
            var generator = rng   // a local copy keeps the state in registers
            for i in 0..<count {
                let keep = (t &- (generator.next() >> 11)) >> 63
                (o + i).initialize(to: Scalar(Int(truncatingIfNeeded: keep)))
            }
            rng = generator
        }
    }
}
