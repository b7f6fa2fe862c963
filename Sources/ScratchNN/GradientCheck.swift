import ScratchTensor

/// Compares backpropagated gradients with numerical ones (course: the
/// gradient check, central difference with h = 1e-4). Run it in `Double`.
public enum GradientCheck {
    /// One compared gradient: the parameter name (or "x" for a layer's input)
    /// and the relative error ‖analytic − numerical‖ / (‖analytic‖ + ‖numerical‖).
    public struct Entry: Sendable, CustomStringConvertible {
        public let name: String
        public let relativeError: Double
        public var description: String { "\(name): \(relativeError)" }
    }

    /// Gradients whose norms add up to less than this are compared absolutely:
    /// central differences in Float64 carry ~1e-11 of rounding noise, so a
    /// gradient that is truly zero (a bias followed by batch normalization)
    /// must not count as a 100% error.
    public static let zeroFloor = 1e-5

    /// ‖a − b‖ / max(‖a‖ + ‖b‖, ``zeroFloor``).
    public static func relativeError<T: TensorScalar>(_ a: Tensor<T>, _ b: Tensor<T>) -> Double {
        Double((a - b).norm()) / Swift.max(Double(a.norm() + b.norm()), zeroFloor)
    }

    /// Checks every parameter of a network on one batch.
    public static func check<N: Network>(_ network: N, _ x: Tensor<N.Scalar>, labels: [Int]) -> [Entry] {
        let numerical = network.numericalGradient(x, labels: labels)
        network.gradient(x, labels: labels)
        return zip(network.parameters, numerical).map { p, n in
            Entry(name: p.name, relativeError: relativeError(p.gradient, n))
        }
    }

    /// Checks one layer's backward pass: its input gradient ("x") and each
    /// parameter's gradient, for the scalar function L = Σ forward(x) ⊙ R with a
    /// fixed random R (so ∂L/∂out = R).
    public static func check<L: Layer>(
        layer: L, input: Tensor<L.Scalar>, mode: Mode = .training, seed: UInt64 = 1, h: L.Scalar = 1e-4
    ) -> [Entry] {
        typealias T = L.Scalar
        var rng = RandomGenerator(seed: seed)
        let probe = layer.forward(input, mode: mode)
        let r = Tensor<T>(shape: probe.shape, scalars: (0..<probe.count).map { _ in T(rng.normal()) })
        func lossValue(_ x: Tensor<T>) -> T { (layer.forward(x, mode: mode) * r).sum() }

        // Numerical gradients first (they overwrite the layer's caches).
        var x = input
        var dxNumerical = Tensor<T>(shape: input.shape)
        for i in 0..<x.count {
            let original = x.scalars[i]
            x.scalars[i] = original + h
            let plus = lossValue(x)
            x.scalars[i] = original - h
            let minus = lossValue(x)
            x.scalars[i] = original
            dxNumerical.scalars[i] = (plus - minus) / (2 * h)
        }
        let parameterNumerical = layer.parameters.map { p in
            var grad = Tensor<T>(shape: p.value.shape)
            for i in 0..<p.value.count {
                let original = p.value.scalars[i]
                p.value.scalars[i] = original + h
                let plus = lossValue(input)
                p.value.scalars[i] = original - h
                let minus = lossValue(input)
                p.value.scalars[i] = original
                grad.scalars[i] = (plus - minus) / (2 * h)
            }
            return grad
        }

        _ = layer.forward(input, mode: mode)
        let dx = layer.backward(r)
        var entries = [Entry(name: "x", relativeError: relativeError(dx, dxNumerical))]
        for (p, n) in zip(layer.parameters, parameterNumerical) {
            entries.append(Entry(name: p.name, relativeError: relativeError(p.gradient, n)))
        }
        return entries
    }
}
