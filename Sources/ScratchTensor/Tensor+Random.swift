extension Tensor {
    /// A dropout mask of `shape`: element by element in row-major order, 1 where a uniform draw
    /// from `rng` exceeds `ratio` (the unit is kept), else 0. One draw per element, in order,
    /// so the same seed gives the same masks as `(rand(shape) > ratio)`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func dropoutMask(shape: [Int], ratio: Double, using rng: inout RandomGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(uninitializedShape: shape, count: count) { o in
            for i in 0..<count { (o + i).initialize(to: rng.uniform() > ratio ? 1 : 0) }
        }
    }
}
