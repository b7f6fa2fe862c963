// The reshapes around a convolution's matrix product: the product of im2col's
// `col [N·OH·OW, C·FH·FW]` with the filters gives one row per output position
// (channels last); the layers above want `[N, FN, OH, OW]` (channels first).

extension Tensor {
    /// `[N·P, C]` rows (one per output position, channels last) → `[N, C, OH, OW]`,
    /// adding `bias[c]` to every element of channel `c` (NumPy:
    /// `(rows + b).reshape(N, OH, OW, -1).transpose(0, 3, 1, 2)`), where P = OH·OW.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func channelsFirst(batch: Int, height: Int, width: Int, addingBias bias: Tensor) -> Tensor {
        let positions = height * width
        let channels = columns
        precondition(rows == batch * positions, "channelsFirst: \(shape) does not hold \(batch)×\(height)×\(width) rows")
        precondition(bias.count == channels, "channelsFirst: \(bias.count) biases for \(channels) channels")
        var out = Tensor(shape: [batch, channels, height, width])
        out.scalars.withUnsafeMutableBufferPointer { o in
            scalars.withUnsafeBufferPointer { x in
                bias.scalars.withUnsafeBufferPointer { b in
                    for n in 0..<batch {
                        let source = n * positions * channels
                        let target = n * channels * positions
                        for c in 0..<channels {
                            let bc = b[c]
                            let plane = target + c * positions
                            var from = source + c
                            for p in 0..<positions {
                                o[plane + p] = x[from] + bc
                                from += channels
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// `[N, C, H, W]` → `[N·H·W, C]`, one row per position, channels last (NumPy:
    /// `x.transpose(0, 2, 3, 1).reshape(-1, C)`): the convolution's backward view of `dout`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func channelsLast() -> Tensor {
        precondition(rank == 4, "channelsLast expects [N, C, H, W], got \(shape)")
        let (batch, channels, positions) = (shape[0], shape[1], shape[2] * shape[3])
        var out = Tensor(shape: [batch * positions, channels])
        out.scalars.withUnsafeMutableBufferPointer { o in
            scalars.withUnsafeBufferPointer { x in
                for n in 0..<batch {
                    let source = n * channels * positions
                    let target = n * positions * channels
                    for c in 0..<channels {
                        let plane = source + c * positions
                        var to = target + c
                        for p in 0..<positions {
                            o[to] = x[plane + p]
                            to += channels
                        }
                    }
                }
            }
        }
        return out
    }

    /// Σ over batch and positions per channel: `[N, C, H, W]` → `[C]` (a convolution's `db`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func channelSums() -> Tensor {
        precondition(rank == 4, "channelSums expects [N, C, H, W], got \(shape)")
        let (batch, channels, positions) = (shape[0], shape[1], shape[2] * shape[3])
        var out = Tensor(shape: [channels])
        out.scalars.withUnsafeMutableBufferPointer { o in
            scalars.withUnsafeBufferPointer { x in
                for n in 0..<batch {
                    for c in 0..<channels {
                        let plane = (n * channels + c) * positions
                        var s: Scalar = 0
                        for p in 0..<positions { s += x[plane + p] }
                        o[c] += s
                    }
                }
            }
        }
        return out
    }
}
