// Batch normalization's passes over a `[N, D]` batch, fused: the course's formulas element by
// element, in the order the layer's tensor expressions compute them (so the numbers are the
// same to the last bit), with a few passes over the batch instead of one per operation and
// no temporaries but the results. Per-column sums run down the rows in order, as `sumRows()`.

extension Tensor {
    /// Batch normalization at inference: `((x − μ) · 1/√(σ² + ε)) · γ + β` per column, with the
    /// running statistics μ and σ². `x` is read as `[N, D]`; the result has `x`'s shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func batchNormalizationInference(
        _ x: Tensor, mean: Tensor, variance: Tensor, epsilon: Scalar, gamma: Tensor, beta: Tensor
    ) -> Tensor {
        let d = x.columns
        precondition(mean.count == d && variance.count == d && gamma.count == d && beta.count == d,
                     "batch normalization over \(d) columns needs [\(d)] statistics and parameters")
        let negativeMean = -mean
        let inverseStd = 1 / (variance + epsilon).sqrt()
        return x.scalars.withUnsafeBufferPointer { px in
            negativeMean.scalars.withUnsafeBufferPointer { m in
                inverseStd.scalars.withUnsafeBufferPointer { s in
                    gamma.scalars.withUnsafeBufferPointer { g in
                        beta.scalars.withUnsafeBufferPointer { b in
                            Tensor(uninitializedShape: x.shape, count: px.count) { o in
                                for r in 0..<x.rows {
                                    let base = r * d
                                    for j in 0..<d {
                                        (o + base + j).initialize(to: ((px[base + j] + m[j]) * s[j]) * g[j] + b[j])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Batch normalization in training, over the batch's own statistics, written into `pass`
    /// (over the tensors of the step before, when their sizes fit: no allocation).
    ///
    /// ```
    /// μ = mean(x),  xc = x − μ,  σ² = mean(xc²),  std = √(σ² + ε)
    /// xn = xc · 1/std,  out = xn · γ + β
    /// ```
    /// `x` is read as `[N, D]`; `out`, `centered` (xc) and `normalized` (xn) are `[N, D]`, the
    /// statistics `[D]`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func batchNormalizationTraining(
        _ x: Tensor, epsilon: Scalar, gamma: Tensor, beta: Tensor, into pass: inout BatchNormalizationPass<Scalar>
    ) {
        let (n, d) = (x.rows, x.columns)
        precondition(gamma.count == d && beta.count == d, "batch normalization over \(d) columns needs [\(d)] γ and β")
        let inverseN = 1 / Scalar(Swift.max(n, 1))
        x.sumRows(into: &pass.mean)
        pass.variance.reuse(shape: gamma.shape)
        pass.std.reuse(shape: gamma.shape)
        pass.inverseStd.reuse(shape: gamma.shape)
        pass.out.reuse(rows: n, columns: d)
        pass.centered.reuse(rows: n, columns: d)
        pass.normalized.reuse(rows: n, columns: d)
        x.scalars.withUnsafeBufferPointer { px in
            pass.mean.scalars.withUnsafeMutableBufferPointer { m in
                pass.variance.scalars.withUnsafeMutableBufferPointer { v in
                    pass.std.scalars.withUnsafeMutableBufferPointer { std in
                        pass.inverseStd.scalars.withUnsafeMutableBufferPointer { s in
                            pass.centered.scalars.withUnsafeMutableBufferPointer { c in
                                pass.normalized.scalars.withUnsafeMutableBufferPointer { xn in
                                    pass.out.scalars.withUnsafeMutableBufferPointer { o in
                                        gamma.scalars.withUnsafeBufferPointer { g in
                                            beta.scalars.withUnsafeBufferPointer { b in
                                                for j in 0..<d {
                                                    m[j] *= inverseN   // μ = Σ x / N
                                                    v[j] = 0
                                                }
                                                for r in 0..<n {
                                                    let base = r * d
                                                    for j in 0..<d {
                                                        let centered = px[base + j] + -m[j]   // x + (−μ)
                                                        c[base + j] = centered
                                                        v[j] += centered * centered
                                                    }
                                                }
                                                for j in 0..<d {
                                                    v[j] *= inverseN   // σ² = Σ xc² / N
                                                    std[j] = (v[j] + epsilon).squareRoot()
                                                    s[j] = 1 / std[j]
                                                }
                                                for r in 0..<n {
                                                    let base = r * d
                                                    for j in 0..<d {
                                                        let normalized = c[base + j] * s[j]
                                                        xn[base + j] = normalized
                                                        o[base + j] = normalized * g[j] + b[j]
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The backward pass of ``batchNormalizationTraining(_:epsilon:gamma:beta:into:)`` (the
    /// book's computational graph), from that `pass`, into its `dx` and into `dgamma` and
    /// `dbeta` (over their elements, when their sizes fit):
    /// ```
    /// dβ = Σ dout,  dγ = Σ xn·dout,  dxn = dout·γ
    /// dstd = −Σ(dxn·xc) / std²,  dσ² = dstd / std · 0.5
    /// dxc = dxn · 1/std + (xc · dσ²) · 2/N,  dμ = Σ dxc
    /// dx = dxc − dμ / N
    /// ```
    /// Sums run over the batch (per column). `dout` is read as `[N, D]`; `dx` is `[N, D]`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func batchNormalizationBackward(
        _ dout: Tensor, gamma: Tensor, pass: inout BatchNormalizationPass<Scalar>, dgamma: inout Tensor, dbeta: inout Tensor
    ) {
        let (n, d) = (pass.centered.rows, pass.centered.columns)
        precondition(dout.count == n * d && gamma.count == d,
                     "batch normalization backward: dout \(dout.shape) and γ \(gamma.shape) do not fit a pass over [\(n), \(d)]")
        let count = Scalar(n)
        let twoOverN = 2 / count, inverseN = 1 / count
        dgamma.reuse(shape: gamma.shape)
        dbeta.reuse(shape: gamma.shape)
        pass.dvar.reuse(shape: gamma.shape)
        pass.dmu.reuse(shape: gamma.shape)
        pass.dx.reuse(rows: n, columns: d)
        dout.scalars.withUnsafeBufferPointer { g0 in
            pass.normalized.scalars.withUnsafeBufferPointer { pxn in
                pass.centered.scalars.withUnsafeBufferPointer { pxc in
                    pass.std.scalars.withUnsafeBufferPointer { std in
                        pass.inverseStd.scalars.withUnsafeBufferPointer { s in
                            gamma.scalars.withUnsafeBufferPointer { g in
                                dbeta.scalars.withUnsafeMutableBufferPointer { db in
                                    dgamma.scalars.withUnsafeMutableBufferPointer { dg in
                                        pass.dvar.scalars.withUnsafeMutableBufferPointer { dv in
                                            pass.dmu.scalars.withUnsafeMutableBufferPointer { dm in
                                                pass.dx.scalars.withUnsafeMutableBufferPointer { dx in
                                                    for j in 0..<d { db[j] = 0; dg[j] = 0; dv[j] = 0; dm[j] = 0 }
                                                    for r in 0..<n {
                                                        let base = r * d
                                                        for j in 0..<d {
                                                            let v = g0[base + j]
                                                            db[j] += v
                                                            dg[j] += pxn[base + j] * v
                                                            dv[j] += (v * g[j]) * pxc[base + j]   // Σ dxn·xc
                                                        }
                                                    }
                                                    for j in 0..<d {
                                                        let dstd = -(dv[j] / (std[j] * std[j]))
                                                        dv[j] = dstd / std[j] * 0.5
                                                    }
                                                    for r in 0..<n {
                                                        let base = r * d
                                                        for j in 0..<d {
                                                            let v = (g0[base + j] * g[j]) * s[j] + (pxc[base + j] * dv[j]) * twoOverN
                                                            dx[base + j] = v   // dxc
                                                            dm[j] += v
                                                        }
                                                    }
                                                    for j in 0..<d { dm[j] = -dm[j] * inverseN }   // −dμ / N
                                                    for r in 0..<n {
                                                        let base = r * d
                                                        for j in 0..<d { dx[base + j] += dm[j] }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What batch normalization's training pass (``Tensor/batchNormalizationTraining(_:epsilon:gamma:beta:into:)``)
/// computes and its backward pass reads, and the input gradient that writes: the buffers a
/// ``BatchNormalization`` layer keeps, written over from step to step.
public struct BatchNormalizationPass<Scalar: TensorScalar>: Sendable {
    /// xn·γ + β, `[N, D]`.
    public internal(set) var out = Tensor<Scalar>()
    /// xc = x − μ and xn = xc · 1/std, `[N, D]`.
    public internal(set) var centered = Tensor<Scalar>()
    public internal(set) var normalized = Tensor<Scalar>()
    /// The batch's μ, σ² and std = √(σ² + ε), `[D]`.
    public internal(set) var mean = Tensor<Scalar>()
    public internal(set) var variance = Tensor<Scalar>()
    public internal(set) var std = Tensor<Scalar>()
    /// ∂L/∂x from the backward pass, `[N, D]`.
    public internal(set) var dx = Tensor<Scalar>()
    /// 1/std, and the backward pass's dσ² and −dμ/N, `[D]`.
    var inverseStd = Tensor<Scalar>()
    var dvar = Tensor<Scalar>()
    var dmu = Tensor<Scalar>()

    public init() {}
}
