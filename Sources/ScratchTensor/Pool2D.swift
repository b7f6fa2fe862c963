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

// MARK: - Max pooling with one byte per window

extension Pool2D {
    /// Marks a window whose maximum was a padding zero in ``maxForward(_:geometry:recordingWinners:)``'s `winners`.
    public static let paddingWon: UInt8 = .max

    /// Max pooling that records each window's winner as its position inside the window,
    /// `dy·FW + dx` (``paddingWon`` when a padding zero won): one byte per output instead of
    /// ``maxForward(_:geometry:)``'s flat `Int` index. The same outputs and the same winners
    /// (the first maximum in row-major window order). Without `recordingWinners`, `winners`
    /// is empty (inference). Large batches are split over the cores by channel planes.
    /// - Precondition: the window has at most 254 elements.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func maxForward<T: TensorScalar>(
        _ x: Tensor<T>, geometry g: ConvolutionGeometry, recordingWinners: Bool
    ) -> (output: Tensor<T>, winners: [UInt8]) {
        precondition(x.rank == 4 && x.shape[2] == g.inputHeight && x.shape[3] == g.inputWidth,
                     "max pooling expects [N, C, \(g.inputHeight), \(g.inputWidth)], got \(x.shape)")
        precondition(g.windowSize < Int(paddingWon), "max pooling with one byte per window needs at most 254 elements per window")
        let planes = x.shape[0] * x.shape[1]
        let outPlane = g.outputPositions
        let count = planes * outPlane
        var winners: [UInt8] = []
        let workers = PlaneSplit.workers(elements: x.count, planes: planes)
        let scalars = [T](unsafeUninitializedCapacity: count) { out, initialized in
            let recorded = [UInt8](unsafeUninitializedCapacity: recordingWinners ? count : 0) { wins, recordedCount in
                x.scalars.withUnsafeBufferPointer { src in
                    let job = MaxPoolJob(g: g, src: src.baseAddress!, out: out.baseAddress!,
                                         winners: recordingWinners ? wins.baseAddress : nil)
                    PlaneSplit.run(planes: planes, workers: workers) { range in job.forward(range) }
                }
                recordedCount = recordingWinners ? count : 0
            }
            winners = recorded
            initialized = count
        }
        return (Tensor(shape: [x.shape[0], x.shape[1], g.outputHeight, g.outputWidth], scalars: scalars), winners)
    }

    /// The backward pass for ``maxForward(_:geometry:recordingWinners:)``: each output
    /// gradient goes to its window's winner (overlapping windows add up; none when a padding
    /// zero won). Shapes: `dout [N, C, OH, OW]` → `inputShape`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func maxBackward<T: TensorScalar>(
        _ dout: Tensor<T>, winners: [UInt8], inputShape: [Int], geometry g: ConvolutionGeometry
    ) -> Tensor<T> {
        precondition(inputShape.count == 4 && inputShape[2] == g.inputHeight && inputShape[3] == g.inputWidth,
                     "max pooling backward expects [N, C, \(g.inputHeight), \(g.inputWidth)], got \(inputShape)")
        let planes = inputShape[0] * inputShape[1]
        precondition(dout.count == planes * g.outputPositions && winners.count == dout.count,
                     "max pooling backward: \(dout.count) gradients and \(winners.count) winners for \(planes) planes of \(g.outputPositions)")
        let count = planes * g.inputHeight * g.inputWidth
        let workers = PlaneSplit.workers(elements: count, planes: planes)
        let scalars = [T](unsafeUninitializedCapacity: count) { dx, initialized in
            dout.scalars.withUnsafeBufferPointer { gr in
                winners.withUnsafeBufferPointer { wins in
                    let job = MaxPoolBackwardJob(g: g, dout: gr.baseAddress!, winners: wins.baseAddress!, dx: dx.baseAddress!)
                    PlaneSplit.run(planes: planes, workers: workers) { range in job.run(range) }
                }
            }
            initialized = count
        }
        return Tensor(shape: inputShape, scalars: scalars)
    }
}

/// Shares channel planes out over the cores for the pooling kernels.
enum PlaneSplit {
    /// 2 threads (at most ``GEMMSelection/threadLimit`` and the cores) from 256 K input elements.
    static func workers(elements: Int, planes: Int) -> Int {
        guard elements >= 1 << 18, planes > 1 else { return 1 }
        return GEMMSelection.availableThreads
    }

    static func run(planes: Int, workers: Int, _ body: @Sendable (Range<Int>) -> Void) {
        guard workers > 1 else { body(0..<planes); return }
        let chunks = min(planes, 4 * workers)
        ParallelLoop.run(chunks) { chunk in
            body((chunk * planes / chunks)..<((chunk + 1) * planes / chunks))
        }
    }
}

/// Max pooling over a range of planes (also run by the fused convolution, `Conv2D.swift`).
struct MaxPoolJob<T: TensorScalar>: @unchecked Sendable {
    let g: ConvolutionGeometry
    let src: UnsafePointer<T>
    let out: UnsafeMutablePointer<T>
    let winners: UnsafeMutablePointer<UInt8>?

    @inline(__always)
    func forward(_ planes: Range<Int>) {
        let (h, w, oh, ow, fh, fw, s, p) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth,
                                            g.filterHeight, g.filterWidth, g.stride, g.pad)
        if fh == 2 && fw == 2 && s == 2 && p == 0 && T.self == Float.self {
            // 16 windows at a time (`maxPool2x2`, Conv2DImplicit.swift), reading and writing
            // only inside this range of planes.
            for plane in planes {
                let remaining = planes.upperBound - plane
                maxPool2x2(UnsafeRawPointer(src + plane * h * w).assumingMemoryBound(to: Float.self), rowStride: w,
                           bias: nil, relu: false, outputHeight: oh, outputWidth: ow,
                           into: UnsafeMutableRawPointer(out + plane * oh * ow).assumingMemoryBound(to: Float.self),
                           winners: winners.map { $0 + plane * oh * ow }, writable: remaining * oh * ow,
                           readable: remaining * h * w)
            }
            return
        }
        if fh == 2 && fw == 2 && s == 2 && p == 0 {
            for plane in planes {
                let x = src + plane * h * w
                let o = out + plane * oh * ow
                let win = winners.map { $0 + plane * oh * ow }
                for y in 0..<oh {
                    let r0 = x + 2 * y * w, r1 = r0 + w
                    let line = o + y * ow
                    if let win {
                        let wl = win + y * ow
                        for xo in 0..<ow {
                            // The first maximum: (a, b) and (c, d) keep the left on ties, then the top pair wins a tie.
                            let (v00, v01, v10, v11) = (r0[2 * xo], r0[2 * xo + 1], r1[2 * xo], r1[2 * xo + 1])
                            let topRight = v01 > v00, bottomRight = v11 > v10
                            let top = topRight ? v01 : v00, bottom = bottomRight ? v11 : v10
                            let bottomWins = bottom > top
                            line[xo] = bottomWins ? bottom : top
                            wl[xo] = bottomWins ? (bottomRight ? 3 : 2) : (topRight ? 1 : 0)
                        }
                    } else {
                        for xo in 0..<ow {
                            let (v00, v01, v10, v11) = (r0[2 * xo], r0[2 * xo + 1], r1[2 * xo], r1[2 * xo + 1])
                            let top = v01 > v00 ? v01 : v00, bottom = v11 > v10 ? v11 : v10
                            line[xo] = bottom > top ? bottom : top
                        }
                    }
                }
            }
            return
        }
        for plane in planes {
            let x = src + plane * h * w
            var k = plane * oh * ow
            for y in 0..<oh {
                let top = y * s - p
                let rowsInside = top >= 0 && top + fh <= h
                for xo in 0..<ow {
                    let left = xo * s - p
                    var best: T
                    var bestPosition: UInt8
                    if rowsInside && left >= 0 && left + fw <= w {
                        best = x[top * w + left]
                        bestPosition = 0
                        for dy in 0..<fh {
                            let line = (top + dy) * w + left
                            for dx in 0..<fw {
                                let v = x[line + dx]
                                let better = v > best
                                best = better ? v : best
                                bestPosition = better ? UInt8(truncatingIfNeeded: dy * fw + dx) : bestPosition
                            }
                        }
                    } else {
                        // A window over the padding: padded positions read as 0 and win as "padding".
                        best = 0
                        bestPosition = Pool2D.paddingWon
                        var first = true
                        for dy in 0..<fh {
                            let iy = top + dy
                            let rowInside = iy >= 0 && iy < h
                            for dx in 0..<fw {
                                let ix = left + dx
                                let inside = rowInside && ix >= 0 && ix < w
                                let value = inside ? x[iy * w + ix] : 0
                                if first || value > best {
                                    best = value
                                    bestPosition = inside ? UInt8(truncatingIfNeeded: dy * fw + dx) : Pool2D.paddingWon
                                    first = false
                                }
                            }
                        }
                    }
                    out[k] = best
                    winners?[k] = bestPosition
                    k += 1
                }
            }
        }
    }
}

/// Max pooling's backward over a range of planes: every element of each plane is written.
struct MaxPoolBackwardJob<T: TensorScalar>: @unchecked Sendable {
    let g: ConvolutionGeometry
    let dout: UnsafePointer<T>
    let winners: UnsafePointer<UInt8>
    let dx: UnsafeMutablePointer<T>

    @inline(__always)
    func run(_ planes: Range<Int>) {
        let (h, w, oh, ow, fh, fw, s, p) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth,
                                            g.filterHeight, g.filterWidth, g.stride, g.pad)
        if fh == 2 && fw == 2 && s == 2 && p == 0 && oh * 2 == h && ow * 2 == w {
            // Windows tile the input: every input element is written once, no zeroing first.
            for plane in planes {
                let d = dx + plane * h * w
                let gr = dout + plane * oh * ow
                let win = winners + plane * oh * ow
                for y in 0..<oh {
                    let r0 = d + 2 * y * w, r1 = r0 + w
                    let gl = gr + y * ow, wl = win + y * ow
                    for xo in 0..<ow {
                        let v = gl[xo], pos = wl[xo]
                        r0[2 * xo] = pos == 0 ? v : 0
                        r0[2 * xo + 1] = pos == 1 ? v : 0
                        r1[2 * xo] = pos == 2 ? v : 0
                        r1[2 * xo + 1] = pos == 3 ? v : 0
                    }
                }
            }
            return
        }
        for plane in planes {
            let d = dx + plane * h * w
            d.update(repeating: 0, count: h * w)
            var k = plane * oh * ow
            for y in 0..<oh {
                let top = y * s - p
                for xo in 0..<ow {
                    let pos = winners[k]
                    if pos != Pool2D.paddingWon {
                        let position = Int(pos)
                        d[(top + position / fw) * w + xo * s - p + position % fw] += dout[k]
                    }
                    k += 1
                }
            }
        }
    }
}
