import RealModule

/// A seeded, portable random number generator (xoshiro256**, seeded through
/// SplitMix64): the same seed gives the same numbers on every platform.
///
/// Pass it `inout` wherever randomness is drawn (initializers, minibatches,
/// dropout masks) so a whole run is reproducible from one seed.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Double?

    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal sample (Box–Muller; the second value is kept for the next call).
    public mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        var u1 = uniform()
        while u1 <= .leastNormalMagnitude { u1 = uniform() }
        let u2 = uniform()
        let radius = (-2 * Double.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareNormal = radius * Double.sin(angle)
        return radius * Double.cos(angle)
    }

    /// A uniform integer in `0..<upperBound`.
    public mutating func int(below upperBound: Int) -> Int {
        Int.random(in: 0..<upperBound, using: &self)
    }

    /// `count` indices drawn uniformly from `0..<upperBound` with replacement
    /// (NumPy's `np.random.choice(n, size)`), as the course draws minibatches.
    public mutating func indices(count: Int, below upperBound: Int) -> [Int] {
        var list: [Int] = []
        indices(count: count, below: upperBound, into: &list)
        return list
    }

    /// ``indices(count:below:)`` written over `list` (no allocation once it has held `count`).
    public mutating func indices(count: Int, below upperBound: Int, into list: inout [Int]) {
        list.removeAll(keepingCapacity: true)
        list.reserveCapacity(count)
        for _ in 0..<count { list.append(int(below: upperBound)) }
    }

    /// A random permutation of `0..<count` (for epoch-mode shuffling).
    public mutating func permutation(_ count: Int) -> [Int] {
        var p: [Int] = []
        permutation(count, into: &p)
        return p
    }

    /// ``permutation(_:)`` written over `p` (no allocation once it has held `count`).
    public mutating func permutation(_ count: Int, into p: inout [Int]) {
        p.removeAll(keepingCapacity: true)
        p.append(contentsOf: 0..<count)
        p.shuffle(using: &self)
    }
}

