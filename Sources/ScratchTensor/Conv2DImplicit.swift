// Stride-1 convolutions without im2col ("implicit GEMM") on AVX-512.
//
// With the padded image laid out as [C, Hp, Wp] and the output positions numbered on the same
// grid (q = oy·Wp + ox, of which the columns ox ≥ OW are computed and dropped), the im2col row
// of filter tap k = (c, fy, fx) is the padded image shifted by offset(k) = c·Hp·Wp + fy·Wp + fx.
// So the products read the image itself (ConvMicroKernels.swift):
//
//   forward   out_n [FN, grid] = W_col · colT            B row k = image + offset(k)
//   backward  dW_colᵀ [CK, FN] += colT · g_nᵀ            A row k = image + offset(k), g_n on the grid, packed
//             dx_n = the forward product of g_n, padded by FH−1−P, with the filters flipped and
//                    their two channel axes swapped (the transposed convolution, stride 1)
//
// Nothing of the size of colT is written at all; the cost is (FW−1) dropped columns per row
// of output. The results are the explicit path's up to the order of summation.

/// The plan of one stride-1 convolution on the implicit kernels: offsets and grid sizes, and
/// for the backward pass the flipped filters. Read by every thread; a layer keeps its plans
/// (``ConvolutionBuffers``) and flips the new filters into them at each backward pass.
final class ImplicitConvolution: @unchecked Sendable {
    let d: ConvDimensions
    /// The padded input and the output grid: Q = OH·Wp positions, computed in whole 48-wide tiles.
    let hp: Int, wp: Int, grid: Int, gridTiles: Int
    /// offset(k) for k = (c, fy, fx), in the padded input.
    let offsets: [Int32]
    /// Floats of the padded input buffer: every tile's reads stay inside it.
    let inputFloats: Int
    /// ∂L/∂x as a forward convolution of the gradient: its padded input [FN, Hg, Wg], its grid
    /// (H·Wg positions), its offsets for k = (f, fy, fx), and the filters W′[c, (f, fy, fx)] =
    /// W[f, c, FH−1−fy, FW−1−fx].
    let hg: Int, wg: Int, dxGrid: Int, dxGridTiles: Int
    let dxOffsets: [Int32]
    let dxInputFloats: Int
    private(set) var flipped: [Float]

    static let tile = 48, tileRows = 8

    /// Whether the implicit kernels compute this convolution (and, `backward`, its dx).
    static func applies(_ d: ConvDimensions, _ instructionSet: SGEMMKernel.InstructionSet, backward: Bool) -> Bool {
        guard instructionSet == .avx512, d.s == 1, d.n > 0 else { return false }
        // The offsets fit in Int32.
        guard d.c * (d.h + 2 * d.p) * (d.w + 2 * d.p) < Int(Int32.max) / 2 else { return false }
        // Backward: the transposed convolution needs P ≤ F − 1, and its product has C rows in
        // tiles of 8 (a 1-channel input, the first layer, goes the explicit way: measured 2× faster).
        return !backward || (d.p <= d.fh - 1 && d.p <= d.fw - 1 && d.c >= 8)
    }

    init(_ d: ConvDimensions, weights: UnsafePointer<Float>?) {
        self.d = d
        hp = d.h + 2 * d.p
        wp = d.w + 2 * d.p
        grid = d.oh * wp
        gridTiles = (grid + Self.tile - 1) / Self.tile * Self.tile
        var offsets: [Int32] = []
        offsets.reserveCapacity(d.ck)
        for ci in 0..<d.c { for fy in 0..<d.fh { for fx in 0..<d.fw { offsets.append(Int32(ci * hp * wp + fy * wp + fx)) } } }
        self.offsets = offsets
        inputFloats = Int(offsets.last ?? 0) + gridTiles
        // The transposed convolution.
        let (ph, pw) = (d.fh - 1 - d.p, d.fw - 1 - d.p)
        hg = d.oh + 2 * max(ph, 0)
        wg = d.ow + 2 * max(pw, 0)
        dxGrid = d.h * wg
        dxGridTiles = (dxGrid + Self.tile - 1) / Self.tile * Self.tile
        var dxOffsets: [Int32] = []
        if let weights {
            dxOffsets.reserveCapacity(d.fn * d.fh * d.fw)
            for f in 0..<d.fn { for fy in 0..<d.fh { for fx in 0..<d.fw { dxOffsets.append(Int32(f * hg * wg + fy * wg + fx)) } } }
            flipped = [Float](repeating: 0, count: d.c * d.fn * d.fh * d.fw)
        } else {
            flipped = []
        }
        self.dxOffsets = dxOffsets
        dxInputFloats = Int(dxOffsets.last ?? 0) + dxGridTiles
        if let weights { flip(weights) }
    }

    /// Whether the plan holds flipped filters (for ∂L/∂x).
    var hasFlippedFilters: Bool { !flipped.isEmpty }

    /// Writes `weights` [FN, C, FH, FW] flipped into ``flipped``: W′[c, (f, fy, fx)] = W[f, c, FH−1−fy, FW−1−fx].
    func flip(_ weights: UnsafePointer<Float>) {
        let taps = d.fh * d.fw
        flipped.withUnsafeMutableBufferPointer { flipped in
            for f in 0..<d.fn {
                for ci in 0..<d.c {
                    for fy in 0..<d.fh {
                        for fx in 0..<d.fw {
                            flipped[ci * d.fn * taps + f * taps + (d.fh - 1 - fy) * d.fw + (d.fw - 1 - fx)]
                                = weights[f * d.ck + ci * taps + fy * d.fw + fx]
                        }
                    }
                }
            }
        }
    }

    /// Copies image `src [C, H, W]` into the interior of `dst [C, Hp, Wp]` (whose border and
    /// tail stay as they are: zeroed once per buffer).
    @inline(__always)
    static func place(_ src: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                      into dst: UnsafeMutablePointer<Float>, paddedHeight: Int, paddedWidth: Int, top: Int, left: Int) {
        for ci in 0..<channels {
            for y in 0..<height {
                copyRun(dst + ((ci * paddedHeight + y + top) * paddedWidth + left), src + (ci * height + y) * width, width)
            }
        }
    }

    /// `c[rows, gridTiles] = a[rows, kc] · B` with B row k at `image + offsets[k]`, in 8×48 tiles
    /// (`c` has room for whole tiles: rows rounded up to 8).
    @inline(__always)
    static func product(rows: Int, kc: Int, a: UnsafePointer<Float>, offsets: UnsafePointer<Int32>,
                        image: UnsafePointer<Float>, columns: Int, c: UnsafeMutablePointer<Float>) {
        var i0 = 0
        while i0 < rows {
            let mr = min(tileRows, rows - i0)
            var j0 = 0
            while j0 < columns {
                convImplicitAVX512_8x48(kc, a + i0 * kc, kc, mr, offsets, image + j0, c + (i0 * columns + j0), columns, 0)
                j0 += tile
            }
            i0 += tileRows
        }
    }

    /// Floats of scratch for ``forward(_:x:w:b:out:relu:pool:winners:)`` on one thread.
    func forwardScratch(pooled: Bool) -> Int {
        inputFloats + roundedRows(d.fn) * gridTiles + Self.slack + (pooled ? d.fn * d.positions : 0)
    }

    /// Floats after the product that `maxPool2x2` may read.
    static let slack = 32

    func roundedRows(_ rows: Int) -> Int { (rows + Self.tileRows - 1) / Self.tileRows * Self.tileRows }

    /// The forward pass of `images` (see `Conv2D.forward(_:weight:bias:geometry:then:recordingWinners:)`).
    @inline(__always)
    func forward(_ images: Range<Int>, x: UnsafePointer<Float>, w: UnsafePointer<Float>, b: UnsafePointer<Float>,
                 out: UnsafeMutablePointer<Float>, relu: Bool, pool: ConvolutionGeometry?,
                 winners: UnsafeMutablePointer<UInt8>?) {
        let (fn, positions, oh, ow) = (d.fn, d.positions, d.oh, d.ow)
        let pooledSize = pool.map { fn * $0.outputPositions } ?? 0
        ScratchPool.convolution.with(Float.self, count: forwardScratch(pooled: pool != nil)) { scratch in
            let input = scratch, product = input + inputFloats, conv = product + roundedRows(fn) * gridTiles + Self.slack
            input.update(repeating: 0, count: inputFloats)
            offsets.withUnsafeBufferPointer { offsets in
                for n in images {
                    Self.place(x + n * d.imageSize, channels: d.c, height: d.h, width: d.w,
                               into: input, paddedHeight: hp, paddedWidth: wp, top: d.p, left: d.p)
                    Self.product(rows: fn, kc: d.ck, a: w, offsets: offsets.baseAddress!, image: UnsafePointer(input),
                                 columns: gridTiles, c: product)
                    if let pool, pool.filterHeight == 2, pool.filterWidth == 2, pool.stride == 2, pool.pad == 0 {
                        // Bias, 2×2 max pooling and ReLU straight from the product rows.
                        for f in 0..<fn {
                            let plane = n * pooledSize + f * pool.outputPositions
                            maxPool2x2(product + f * gridTiles, rowStride: wp, bias: b[f], relu: relu,
                                       outputHeight: pool.outputHeight, outputWidth: pool.outputWidth,
                                       into: out + plane, winners: winners.map { $0 + plane },
                                       writable: (fn - f) * pool.outputPositions, readable: .max)
                        }
                        continue
                    }
                    let o = pool == nil ? out + n * fn * positions : conv
                    for f in 0..<fn {
                        for oy in 0..<oh {
                            let line = o + (f * positions + oy * ow)
                            copyRun(line, product + (f * gridTiles + oy * wp), ow)
                            addBias(b[f], relu: relu, line, ow)
                        }
                    }
                    if let pool {
                        MaxPoolJob(g: pool, src: UnsafePointer(conv), out: out + n * pooledSize,
                                   winners: winners.map { $0 + n * pooledSize }).forward(0..<fn)
                    }
                }
            }
        }
    }

    /// The dW panels: B = g_nᵀ on the forward grid, `[grid, FN]` in panels of the family for FN.
    func filterPanels() -> ConvPanels { ConvPanels(.avx512, n: d.fn) }

    /// Floats of scratch for the backward pass on one thread (besides the fused gradient's).
    func backwardScratch(inputGradient: Bool) -> Int {
        let panels = filterPanels()
        var total = inputFloats + grid * panels.paddedN + 24 * 48
        if inputGradient { total += dxInputFloats + roundedRows(d.c) * dxGridTiles }
        return total
    }

    /// The backward pass of `images` with the gradient `gradient(n)` of each image's
    /// convolution output (`[FN, OH·OW]`): adds colT · g_nᵀ into `dWT [CK, FN]` (the first image
    /// overwrites when `overwrite`), Σ g_n into `db`, and writes dx_n when `dx` is given.
    @inline(__always)
    func backward(_ images: Range<Int>, x: UnsafePointer<Float>, gradient: (Int) -> UnsafePointer<Float>,
                  dWT: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>?) {
        let (fn, ck, positions, oh, ow) = (d.fn, d.ck, d.positions, d.oh, d.ow)
        let panels = filterPanels()
        let (mr, lanes) = (panels.mr, panels.family.lanes)
        let packedSize = grid * panels.paddedN
        let (ph, pw) = (d.fh - 1 - d.p, d.fw - 1 - d.p)
        ScratchPool.convolution.with(Float.self, count: backwardScratch(inputGradient: dx != nil)) { scratch in
            let input = scratch, packed = input + inputFloats, tile = packed + packedSize
            let gradInput = tile + 24 * 48, dxProduct = gradInput + (dx == nil ? 0 : dxInputFloats)
            input.update(repeating: 0, count: inputFloats)
            if dx != nil { gradInput.update(repeating: 0, count: dxInputFloats) }
            offsets.withUnsafeBufferPointer { offsetBuffer in
            dxOffsets.withUnsafeBufferPointer { dxOffsetBuffer in
            flipped.withUnsafeBufferPointer { flippedBuffer in
                let offsets = offsetBuffer.baseAddress!
                var first = true
                for n in images {
                    let g = gradient(n)
                    for f in 0..<fn { db[f] += contiguousSum(g + f * positions, positions) }
                    Self.place(x + n * d.imageSize, channels: d.c, height: d.h, width: d.w,
                               into: input, paddedHeight: hp, paddedWidth: wp, top: d.p, left: d.p)
                    // g_nᵀ on the grid, packed: element (q, f) of the panel at j0 is packed[j0·grid + q·width + f − j0];
                    // the dropped columns (ox ≥ OW) are zero.
                    packed.update(repeating: 0, count: packedSize)
                    var j0 = 0
                    while j0 < fn {
                        let width = panels.width(at: j0)
                        let end = min(fn, j0 + width)
                        let panel = packed + j0 * grid
                        for oy in 0..<oh {
                            for ox in 0..<ow {
                                let dst = panel + (oy * wp + ox) * width
                                let src = g + (oy * ow + ox)
                                for f in j0..<end { dst[f - j0] = src[f * positions] }
                            }
                        }
                        j0 += width
                    }
                    // dW_colᵀ [CK, FN] (+)= colT · g_nᵀ, colT's rows read from the padded input.
                    var r0 = 0
                    while r0 < ck {
                        let rows = min(mr, ck - r0)
                        var j0 = 0
                        while j0 < fn {
                            let width = panels.width(at: j0)
                            let vectors = width / lanes
                            let columns = min(width, fn - j0)
                            let panel = UnsafePointer(packed + j0 * grid)
                            let c = dWT + (r0 * fn + j0)
                            if rows == mr && columns == width {
                                Self.gather(vectors: vectors, mr: mr, grid, UnsafePointer(input), offsets + r0, rows, panel, c, fn,
                                            first ? 0 : 1)
                            } else {
                                Self.gather(vectors: vectors, mr: mr, grid, UnsafePointer(input), offsets + r0, rows, panel, tile,
                                            width, 0)
                                for r in 0..<rows {
                                    let dst = c + r * fn, src = tile + r * width
                                    if first {
                                        copyRun(dst, UnsafePointer(src), columns)
                                    } else {
                                        addRun(UnsafePointer(src), into: dst, columns)
                                    }
                                }
                            }
                            j0 += width
                        }
                        r0 += mr
                    }
                    first = false
                    // dx_n: the transposed convolution of g_n.
                    guard let dx else { continue }
                    Self.place(g, channels: fn, height: oh, width: ow, into: gradInput,
                               paddedHeight: hg, paddedWidth: wg, top: ph, left: pw)
                    Self.product(rows: d.c, kc: fn * d.fh * d.fw, a: flippedBuffer.baseAddress!,
                                 offsets: dxOffsetBuffer.baseAddress!, image: UnsafePointer(gradInput),
                                 columns: dxGridTiles, c: dxProduct)
                    let target = dx + n * d.imageSize
                    for ci in 0..<d.c {
                        for y in 0..<d.h {
                            copyRun(target + (ci * d.h + y) * d.w, dxProduct + (ci * dxGridTiles + y * wg), d.w)
                        }
                    }
                }
            }
            }
            }
        }
    }

    @inline(__always)
    static func gather(vectors: Int, mr: Int, _ kc: Int, _ image: UnsafePointer<Float>, _ rowOffsets: UnsafePointer<Int32>,
                       _ rows: Int, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ beta: Float) {
        switch (mr, vectors) {
        case (24, 1): convGatherAVX512_24x16(kc, image, rowOffsets, rows, b, c, ldc, beta)
        case (12, 2): convGatherAVX512_12x32(kc, image, rowOffsets, rows, b, c, ldc, beta)
        case (8, 1): convGatherAVX512_8x16(kc, image, rowOffsets, rows, b, c, ldc, beta)
        case (8, 2): convGatherAVX512_8x32(kc, image, rowOffsets, rows, b, c, ldc, beta)
        case (8, 3): convGatherAVX512_8x48(kc, image, rowOffsets, rows, b, c, ldc, beta)
        default: preconditionFailure("no implicit convolution kernel \(mr)×\(vectors * 16)")
        }
    }
}

/// 2×2 max pooling with stride 2 of one channel, `src` rows `rowStride` apart, after adding
/// `bias` (then max(0, ·) when `relu`): the same values and winners as bias, ReLU and
/// ``Pool2D/maxForward(_:geometry:recordingWinners:)`` one after the other (the first maximum
/// in row-major window order wins; ReLU commutes with the maximum). 16 windows at a time where
/// the 32 floats of each of a block's two rows lie before `src + readable` (else one at a
/// time); a block may write up to 15 outputs past its row's end when they lie before
/// `out + writable` (what the next rows, and the caller afterwards, overwrite).
@inline(__always)
func maxPool2x2(_ src: UnsafePointer<Float>, rowStride: Int, bias: Float?, relu: Bool,
                outputHeight: Int, outputWidth: Int, into out: UnsafeMutablePointer<Float>,
                winners: UnsafeMutablePointer<UInt8>?, writable: Int, readable: Int) {
    typealias V = SIMD16<Float>
    let vb = V(repeating: bias ?? 0), zero = V()
    let b = bias ?? 0, adds = bias != nil
    for py in 0..<outputHeight {
        let r0 = src + 2 * py * rowStride, r1 = r0 + rowStride
        let o = out + py * outputWidth
        let wl = winners.map { $0 + py * outputWidth }
        var px = 0
        while px < outputWidth && (2 * py + 1) * rowStride + 2 * px + 32 <= readable {
            let t = SIMD32<Float>(lowHalf: UnsafeRawPointer(r0 + 2 * px).loadUnaligned(as: V.self),
                                  highHalf: UnsafeRawPointer(r0 + 2 * px + 16).loadUnaligned(as: V.self))
            let u = SIMD32<Float>(lowHalf: UnsafeRawPointer(r1 + 2 * px).loadUnaligned(as: V.self),
                                  highHalf: UnsafeRawPointer(r1 + 2 * px + 16).loadUnaligned(as: V.self))
            var v00 = t.evenHalf, v01 = t.oddHalf, v10 = u.evenHalf, v11 = u.oddHalf
            if adds { v00 += vb; v01 += vb; v10 += vb; v11 += vb }
            let topRight = v01 .> v00, bottomRight = v11 .> v10
            let top = v00.replacing(with: v01, where: topRight), bottom = v10.replacing(with: v11, where: bottomRight)
            let bottomWins = bottom .> top
            var best = top.replacing(with: bottom, where: bottomWins)
            if relu { best.replace(with: zero, where: best .<= zero) }
            let count = min(16, outputWidth - px)
            let safe = py * outputWidth + px + 16 <= writable
            if count == 16 || safe {
                UnsafeMutableRawPointer(o + px).storeBytes(of: best, as: V.self)
            } else {
                withUnsafeBytes(of: best) { (o + px).update(from: $0.assumingMemoryBound(to: Float.self).baseAddress!, count: count) }
            }
            if let wl {
                let topPosition = SIMD16<Int32>().replacing(with: 1, where: topRight)
                let bottomPosition = SIMD16<Int32>(repeating: 2).replacing(with: 3, where: bottomRight)
                let position = SIMD16<UInt8>(truncatingIfNeeded: topPosition.replacing(with: bottomPosition, where: bottomWins))
                if count == 16 || safe {
                    UnsafeMutableRawPointer(wl + px).storeBytes(of: position, as: SIMD16<UInt8>.self)
                } else {
                    withUnsafeBytes(of: position) { (wl + px).update(from: $0.assumingMemoryBound(to: UInt8.self).baseAddress!, count: count) }
                }
            }
            px += 16
        }
        while px < outputWidth {
            let v00 = adds ? r0[2 * px] + b : r0[2 * px], v01 = adds ? r0[2 * px + 1] + b : r0[2 * px + 1]
            let v10 = adds ? r1[2 * px] + b : r1[2 * px], v11 = adds ? r1[2 * px + 1] + b : r1[2 * px + 1]
            let topRight = v01 > v00, bottomRight = v11 > v10
            let top = topRight ? v01 : v00, bottom = bottomRight ? v11 : v10
            let bottomWins = bottom > top
            let best = bottomWins ? bottom : top
            o[px] = relu && !(best > 0) ? 0 : best
            wl?[px] = bottomWins ? (bottomRight ? 3 : 2) : (topRight ? 1 : 0)
            px += 1
        }
    }
}
