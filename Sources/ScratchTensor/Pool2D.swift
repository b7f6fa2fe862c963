// Max and average pooling over [N, C, H, W], computed directly per window.
//
// The book pools through im2col (one row per window, then a row max); that copies every
// window and, in NumPy, is the slowest part of a CNN step. These loops read each window
// in place. The results are the book's: padding counts as zeros (np.pad 'constant'),
// windows are scanned row by row, and the first maximum wins ties.

/// Pooling kernels: `x [N, C, H, W]` → `[N, C, OH, OW]` with OH, OW from a
/// ``ConvolutionGeometry`` whose filter is the pooling window.
public enum Pool2D {
    /// Max pooling. Returns the output and, per output element, the flat index into `x`
    /// of the maximum that won (the first in row-major window order on ties), or −1
    /// when a padding zero won.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func maxForward<T: TensorScalar>(_ x: Tensor<T>, geometry g: ConvolutionGeometry) -> (output: Tensor<T>, argmax: [Int]) {
        precondition(x.rank == 4 && x.shape[2] == g.inputHeight && x.shape[3] == g.inputWidth,
                     "max pooling expects [N, C, \(g.inputHeight), \(g.inputWidth)], got \(x.shape)")
        let planes = x.shape[0] * x.shape[1]
        let (h, w, oh, ow, fh, fw, s, p) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth,
                                            g.filterHeight, g.filterWidth, g.stride, g.pad)
        var out = Tensor<T>(shape: [x.shape[0], x.shape[1], oh, ow])
        var argmax = [Int](repeating: -1, count: out.count)
        out.scalars.withUnsafeMutableBufferPointer { o in
            argmax.withUnsafeMutableBufferPointer { a in
                x.scalars.withUnsafeBufferPointer { src in
                    var k = 0
                    for plane in 0..<planes {
                        let base = plane * h * w
                        for y in 0..<oh {
                            let top = y * s - p
                            let rowsInside = top >= 0 && top + fh <= h
                            for xo in 0..<ow {
                                let left = xo * s - p
                                if rowsInside && left >= 0 && left + fw <= w && fh == 2 && fw == 2 {
                                    // The course's 2×2 window, as a tree that keeps the first maximum:
                                    // (a, b) and (c, d) keep their left element on ties, then the top pair
                                    // wins a tie with the bottom one.
                                    let i0 = base + top * w + left, i1 = i0 + w
                                    let (v00, v01, v10, v11) = (src[i0], src[i0 + 1], src[i1], src[i1 + 1])
                                    let top2 = v01 > v00 ? v01 : v00, topIndex = v01 > v00 ? i0 + 1 : i0
                                    let bottom2 = v11 > v10 ? v11 : v10, bottomIndex = v11 > v10 ? i1 + 1 : i1
                                    let bottomWins = bottom2 > top2
                                    o[k] = bottomWins ? bottom2 : top2
                                    a[k] = bottomWins ? bottomIndex : topIndex
                                    k += 1
                                    continue
                                }
                                if rowsInside && left >= 0 && left + fw <= w {
                                    // Fast path: the whole window lies inside the image.
                                    var bestIndex = base + top * w + left
                                    var best = src[bestIndex]
                                    for dy in 0..<fh {
                                        let line = base + (top + dy) * w + left
                                        for dx in 0..<fw {
                                            let v = src[line + dx]
                                            let better = v > best
                                            best = better ? v : best
                                            bestIndex = better ? line + dx : bestIndex
                                        }
                                    }
                                    o[k] = best
                                    a[k] = bestIndex
                                    k += 1
                                    continue
                                }
                                // A window over the padding: padded positions read as 0.
                                var best = T(0)
                                var bestIndex = -1
                                var first = true
                                for dy in 0..<fh {
                                    let iy = top + dy
                                    let rowInside = iy >= 0 && iy < h
                                    for dx in 0..<fw {
                                        let ix = left + dx
                                        let index: Int
                                        let value: T
                                        if rowInside && ix >= 0 && ix < w {
                                            index = base + iy * w + ix
                                            value = src[index]
                                        } else {
                                            index = -1
                                            value = 0
                                        }
                                        if first || value > best {
                                            best = value
                                            bestIndex = index
                                            first = false
                                        }
                                    }
                                }
                                o[k] = best
                                a[k] = bestIndex
                                k += 1
                            }
                        }
                    }
                }
            }
        }
        return (out, argmax)
    }

    /// Max pooling's backward: each output gradient goes to the input element that won
    /// its window (overlapping windows add up). Shapes: `dout [N, C, OH, OW]` → `inputShape`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func maxBackward<T: TensorScalar>(_ dout: Tensor<T>, argmax: [Int], inputShape: [Int]) -> Tensor<T> {
        precondition(dout.count == argmax.count, "max pooling backward: \(dout.count) gradients for \(argmax.count) windows")
        var dx = Tensor<T>(shape: inputShape)
        dx.scalars.withUnsafeMutableBufferPointer { d in
            dout.scalars.withUnsafeBufferPointer { g in
                argmax.withUnsafeBufferPointer { a in
                    for k in 0..<a.count where a[k] >= 0 { d[a[k]] += g[k] }
                }
            }
        }
        return dx
    }

    /// Average pooling: the mean of each FH×FW window (padding zeros included, as the
    /// book's im2col-based pooling would count them).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func averageForward<T: TensorScalar>(_ x: Tensor<T>, geometry g: ConvolutionGeometry) -> Tensor<T> {
        precondition(x.rank == 4 && x.shape[2] == g.inputHeight && x.shape[3] == g.inputWidth,
                     "average pooling expects [N, C, \(g.inputHeight), \(g.inputWidth)], got \(x.shape)")
        let planes = x.shape[0] * x.shape[1]
        let (h, w, oh, ow, fh, fw, s, p) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth,
                                            g.filterHeight, g.filterWidth, g.stride, g.pad)
        let scale = 1 / T(fh * fw)
        var out = Tensor<T>(shape: [x.shape[0], x.shape[1], oh, ow])
        out.scalars.withUnsafeMutableBufferPointer { o in
            x.scalars.withUnsafeBufferPointer { src in
                var k = 0
                for plane in 0..<planes {
                    let base = plane * h * w
                    for y in 0..<oh {
                        let top = y * s - p
                        for xo in 0..<ow {
                            let left = xo * s - p
                            var total = T(0)
                            for dy in 0..<fh {
                                let iy = top + dy
                                guard iy >= 0 && iy < h else { continue }
                                let line = base + iy * w
                                for dx in 0..<fw where left + dx >= 0 && left + dx < w { total += src[line + left + dx] }
                            }
                            o[k] = total * scale
                            k += 1
                        }
                    }
                }
            }
        }
        return out
    }

    /// Average pooling's backward: each output gradient is spread evenly, 1/(FH·FW) to
    /// every element of its window. Shapes: `dout [N, C, OH, OW]` → `inputShape`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func averageBackward<T: TensorScalar>(_ dout: Tensor<T>, inputShape: [Int], geometry g: ConvolutionGeometry) -> Tensor<T> {
        precondition(inputShape.count == 4 && inputShape[2] == g.inputHeight && inputShape[3] == g.inputWidth,
                     "average pooling backward expects [N, C, \(g.inputHeight), \(g.inputWidth)], got \(inputShape)")
        let planes = inputShape[0] * inputShape[1]
        let (h, w, oh, ow, fh, fw, s, p) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth,
                                            g.filterHeight, g.filterWidth, g.stride, g.pad)
        precondition(dout.count == planes * oh * ow, "average pooling backward: dout \(dout.shape) does not match")
        let scale = 1 / T(fh * fw)
        var dx = Tensor<T>(shape: inputShape)
        dx.scalars.withUnsafeMutableBufferPointer { d in
            dout.scalars.withUnsafeBufferPointer { gr in
                var k = 0
                for plane in 0..<planes {
                    let base = plane * h * w
                    for y in 0..<oh {
                        let top = y * s - p
                        for xo in 0..<ow {
                            let left = xo * s - p
                            let share = gr[k] * scale
                            for dy in 0..<fh {
                                let iy = top + dy
                                guard iy >= 0 && iy < h else { continue }
                                let line = base + iy * w
                                for dx in 0..<fw where left + dx >= 0 && left + dx < w { d[line + left + dx] += share }
                            }
                            k += 1
                        }
                    }
                }
            }
        }
        return dx
    }
}
