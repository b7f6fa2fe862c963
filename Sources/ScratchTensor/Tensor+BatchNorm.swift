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

    /// Batch normalization in training, over the batch's own statistics.
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
        _ x: Tensor, epsilon: Scalar, gamma: Tensor, beta: Tensor
    ) -> (out: Tensor, centered: Tensor, normalized: Tensor, mean: Tensor, variance: Tensor, std: Tensor) {
        let (n, d) = (x.rows, x.columns)
        precondition(gamma.count == d && beta.count == d, "batch normalization over \(d) columns needs [\(d)] γ and β")
        let shape = [n, d]
        let mean = x.reshaped(shape).meanRows()
        let negativeMean = -mean
        var squares = Tensor(shape: [d])
        let centered = x.scalars.withUnsafeBufferPointer { px in
            negativeMean.scalars.withUnsafeBufferPointer { m in
                squares.scalars.withUnsafeMutableBufferPointer { sq in
                    Tensor(uninitializedShape: shape, count: n * d) { o in
                        for r in 0..<n {
                            let base = r * d
                            for j in 0..<d {
                                let c = px[base + j] + m[j]
                                (o + base + j).initialize(to: c)
                                sq[j] += c * c
                            }
                        }
                    }
                }
            }
        }
        let variance = squares * (1 / Scalar(Swift.max(n, 1)))
        let std = (variance + epsilon).sqrt()
        let inverseStd = 1 / std
        var normalized = Tensor(shape: shape)
        let out = centered.scalars.withUnsafeBufferPointer { c in
            inverseStd.scalars.withUnsafeBufferPointer { s in
                gamma.scalars.withUnsafeBufferPointer { g in
                    beta.scalars.withUnsafeBufferPointer { b in
                        normalized.scalars.withUnsafeMutableBufferPointer { xn in
                            Tensor(uninitializedShape: shape, count: n * d) { o in
                                for r in 0..<n {
                                    let base = r * d
                                    for j in 0..<d {
                                        let v = c[base + j] * s[j]
                                        xn[base + j] = v
                                        (o + base + j).initialize(to: v * g[j] + b[j])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (out, centered, normalized, mean, variance, std)
    }

    /// The backward pass of ``batchNormalizationTraining(_:epsilon:gamma:beta:)`` (the book's
    /// computational graph):
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
        _ dout: Tensor, centered xc: Tensor, normalized xn: Tensor, std: Tensor, gamma: Tensor
    ) -> (dx: Tensor, dgamma: Tensor, dbeta: Tensor) {
        let (n, d) = (xc.rows, xc.columns)
        precondition(dout.count == n * d && xn.count == n * d && std.count == d && gamma.count == d,
                     "batch normalization backward: shapes \(dout.shape), \(xc.shape), \(xn.shape), \(std.shape), \(gamma.shape) do not fit")
        let shape = [n, d]
        let count = Scalar(n)
        var dbeta = Tensor(shape: [d]), dgamma = Tensor(shape: [d]), dxnXc = Tensor(shape: [d])
        dout.scalars.withUnsafeBufferPointer { g0 in
            xn.scalars.withUnsafeBufferPointer { pxn in
                xc.scalars.withUnsafeBufferPointer { pxc in
                    gamma.scalars.withUnsafeBufferPointer { g in
                        dbeta.scalars.withUnsafeMutableBufferPointer { db in
                            dgamma.scalars.withUnsafeMutableBufferPointer { dg in
                                dxnXc.scalars.withUnsafeMutableBufferPointer { dc in
                                    for r in 0..<n {
                                        let base = r * d
                                        for j in 0..<d {
                                            let v = g0[base + j]
                                            db[j] += v
                                            dg[j] += pxn[base + j] * v
                                            dc[j] += (v * g[j]) * pxc[base + j]
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let dstd = -(dxnXc / (std * std))
        let dvar = dstd / std * 0.5
        let inverseStd = 1 / std
        let twoOverN = 2 / count
        var dmu = Tensor(shape: [d])
        let dxc = dout.scalars.withUnsafeBufferPointer { g0 in
            xc.scalars.withUnsafeBufferPointer { pxc in
                gamma.scalars.withUnsafeBufferPointer { g in
                    inverseStd.scalars.withUnsafeBufferPointer { s in
                        dvar.scalars.withUnsafeBufferPointer { dv in
                            dmu.scalars.withUnsafeMutableBufferPointer { dm in
                                Tensor(uninitializedShape: shape, count: n * d) { o in
                                    for r in 0..<n {
                                        let base = r * d
                                        for j in 0..<d {
                                            let v = (g0[base + j] * g[j]) * s[j] + (pxc[base + j] * dv[j]) * twoOverN
                                            (o + base + j).initialize(to: v)
                                            dm[j] += v
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let dx = dxc.addingRowVector(-dmu * (1 / count))
        return (dx, dgamma, dbeta)
    }
}
