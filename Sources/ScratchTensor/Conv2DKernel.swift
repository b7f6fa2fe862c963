// The float32 products of `Conv2D` on ScratchNet's own micro-kernels (Kernels/), without
// going through `MatMul`.
//
// A per-image product is small (SimpleConvNet: 30×576×25), so `SGEMMKernel.sgemm`'s fixed
// costs, and above all its packing of B, weigh as much as the arithmetic: the kernel copies
// `colT` into panels just after im2col wrote it. Here im2col writes the panels itself, and the
// other operands are packed once per image from data already in cache:
//
//   forward   out_n [FN, OH·OW]   = W_col · colT           A = W (in place), B = colT written packed by im2col
//   backward  dW_colᵀ [CK, FN]   += colT · g_nᵀ            A = colT (in place), B = g_nᵀ packed (FN·OH·OW values)
//             dcolT [CK, OH·OW]   = W_colᵀ · g_n            A = W read transposed, B = g_n packed
//
// (CK = C·FH·FW, g_n = ∂L/∂out_n.) The micro-kernels and tile shapes are SGEMMKernel's
// (`KernelFamily`); tiles at the bottom or right edge go through a small buffer, as there.

/// The panels of a packed B operand `[kc, n]` for a kernel family: panel `j0` (a multiple of
/// NR) holds columns `j0..<j0 + width` with element (k, j) at `packed[j0·kc + k·width + j − j0]`,
/// `width` a whole number of vectors (only the last panel may be narrower than NR); columns
/// past `n` are zero.
struct ConvPanels {
    let family: KernelFamily
    let n: Int

    init(_ instructionSet: SGEMMKernel.InstructionSet, n: Int) {
        family = KernelFamily(instructionSet, n: n)
        self.n = n
    }

    var nr: Int { family.nr }
    var mr: Int { family.mr }
    /// `n` rounded up to whole vectors: the floats per k of all panels together.
    var paddedN: Int { (n + family.lanes - 1) / family.lanes * family.lanes }

    /// The width of the panel starting at column `j0`.
    @inline(__always)
    func width(at j0: Int) -> Int {
        min(family.maxVectors, (n - j0 + family.lanes - 1) / family.lanes) * family.lanes
    }

    /// Zeroes the columns past `n` of the last panel, for `kc` values of k.
    @inline(__always)
    func zeroPadding(_ packed: UnsafeMutablePointer<Float>, kc: Int) {
        guard n > 0 else { return }
        let j0 = (n - 1) / nr * nr
        let width = width(at: j0)
        let valid = n - j0
        guard valid < width else { return }
        let panel = packed + j0 * kc
        for k in 0..<kc { (panel + k * width + valid).update(repeating: 0, count: width - valid) }
    }

    /// `C[m, n] = op(A)·B + beta·C` with B packed in these panels (`kc` values of k); op(A) is A's
    /// rows (element (i, k) at `a[i·lda + k]`) or, with `columnsA`, A read transposed (element
    /// (i, k) at `a[k·lda + i]`). `scratch` holds MR·NR + MR·kc floats (edge tile, edge rows of A).
    @inline(__always)
    func multiply(m: Int, kc: Int, a: UnsafePointer<Float>, lda: Int, columnsA: Bool,
                  packed: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float,
                  scratch: UnsafeMutablePointer<Float>) {
        let (mr, lanes) = (family.mr, family.lanes)
        let tile = scratch, edgeA = scratch + mr * nr
        var i0 = 0
        while i0 < m {
            let rows = min(mr, m - i0)
            var aBlock = columnsA ? a + i0 : a + i0 * lda
            var aStride = lda
            if columnsA && rows < mr {
                // op(A)[i, k] = a[k·lda + i]: the missing rows would read past the matrix.
                for k in 0..<kc {
                    let src = a + k * lda + i0, dst = edgeA + k * mr
                    for r in 0..<mr { dst[r] = r < rows ? src[r] : 0 }
                }
                aBlock = UnsafePointer(edgeA)
                aStride = mr
            }
            var j0 = 0
            while j0 < n {
                let width = width(at: j0)
                let vectors = width / lanes
                let columns = min(width, n - j0)
                let panel = packed + j0 * kc
                let cTile = c + i0 * ldc + j0
                if rows == mr && columns == width {
                    family.callKernel(vectors: vectors, columns: columnsA, kc, aBlock, aStride, rows, panel, cTile, ldc, beta)
                } else {
                    family.callKernel(vectors: vectors, columns: columnsA, kc, aBlock, aStride, rows, panel, tile, width, 0)
                    for r in 0..<rows {
                        let dst = cTile + r * ldc, src = tile + r * width
                        if beta == 0 {
                            copyRun(dst, UnsafePointer(src), columns)
                        } else {
                            for j in 0..<columns { dst[j] = beta * dst[j] + src[j] }
                        }
                    }
                }
                j0 += width
            }
            i0 += mr
        }
    }

    /// Floats of scratch ``multiply(m:kc:a:lda:columnsA:packed:c:ldc:beta:scratch:)`` needs.
    func scratchCount(kc: Int) -> Int { family.mr * nr + family.mr * kc }

    /// Packs rows `[kc, n]` (row k at `src + k·ld`) into these panels.
    @inline(__always)
    func pack(rows src: UnsafePointer<Float>, ld: Int, kc: Int, into packed: UnsafeMutablePointer<Float>) {
        zeroPadding(packed, kc: kc)
        var j0 = 0
        while j0 < n {
            let width = width(at: j0)
            let columns = min(width, n - j0)
            let panel = packed + j0 * kc
            for k in 0..<kc { copyRun(panel + k * width, src + k * ld + j0, columns) }
            j0 += width
        }
    }

    /// Packs the transpose of `src [n, kc]` (row j at `src + j·ld`): element (k, j) = src[j·ld + k].
    /// Eight rows of `src` are walked side by side (then 4, 2, 1), so each k writes adjacent floats.
    @inline(__always)
    func pack(transposing src: UnsafePointer<Float>, ld: Int, kc: Int, into packed: UnsafeMutablePointer<Float>) {
        zeroPadding(packed, kc: kc)
        var j0 = 0
        while j0 < n {
            let width = width(at: j0)
            let end = min(n, j0 + width)
            var j = j0
            while j + 8 <= end {
                let s = src + j * ld
                var p = packed + j0 * kc + (j - j0)
                for k in 0..<kc {
                    p[0] = s[k]; p[1] = s[ld &+ k]; p[2] = s[2 &* ld &+ k]; p[3] = s[3 &* ld &+ k]
                    p[4] = s[4 &* ld &+ k]; p[5] = s[5 &* ld &+ k]; p[6] = s[6 &* ld &+ k]; p[7] = s[7 &* ld &+ k]
                    p += width
                }
                j += 8
            }
            if j + 4 <= end {
                let s = src + j * ld
                var p = packed + j0 * kc + (j - j0)
                for k in 0..<kc {
                    p[0] = s[k]; p[1] = s[ld &+ k]; p[2] = s[2 &* ld &+ k]; p[3] = s[3 &* ld &+ k]
                    p += width
                }
                j += 4
            }
            if j + 2 <= end {
                let s = src + j * ld
                var p = packed + j0 * kc + (j - j0)
                for k in 0..<kc {
                    p[0] = s[k]; p[1] = s[ld &+ k]
                    p += width
                }
                j += 2
            }
            if j < end {
                let s = src + j * ld
                var p = packed + j0 * kc + (j - j0)
                for k in 0..<kc { p.pointee = s[k]; p += width }
                j += 1
            }
            j0 += width
        }
    }
}

/// im2col of one image straight into packed panels of `colT [C·FH·FW, OH·OW]` (the B operand
/// of the forward product, `panels.n` = OH·OW, kc = C·FH·FW): element ((ci, fy, fx), (oy, ox))
/// = `src[ci·planeSize + (oy·S + fy)·rowStride + ox·S + fx]` of the (padded) image.
@inline(__always)
func im2colPacked(_ src: UnsafePointer<Float>, planeSize: Int, rowStride: Int, _ d: ConvDimensions,
                  _ panels: ConvPanels, into packed: UnsafeMutablePointer<Float>) {
    let (s, oh, ow, kc, nr) = (d.s, d.oh, d.ow, d.ck, panels.nr)
    let lastStart = (panels.n - 1) / nr * nr
    let lastWidth = panels.width(at: lastStart)
    panels.zeroPadding(packed, kc: kc)
    var r = 0
    for ci in 0..<d.c {
        let plane = src + ci &* planeSize
        for fy in 0..<d.fh {
            for fx in 0..<d.fw {
                // Walk the positions in order, tracking the panel (no divisions).
                var j0 = 0, width = lastStart == 0 ? lastWidth : nr
                var dst = packed + r &* width        // element (r, j) of the panel at j0
                var col = 0                           // j − j0
                for oy in 0..<oh {
                    let from = plane + ((oy &* s &+ fy) &* rowStride &+ fx)
                    var ox = 0
                    while ox < ow {
                        if col == width {
                            j0 &+= width
                            width = j0 == lastStart ? lastWidth : nr
                            dst = packed + (j0 &* kc &+ r &* width)
                            col = 0
                        }
                        let run = min(ow &- ox, width &- col)
                        if s == 1 {
                            copyRun(dst + col, from + ox, run)
                        } else {
                            for t in 0..<run { dst[col &+ t] = from[(ox &+ t) &* s] }
                        }
                        ox &+= run
                        col &+= run
                    }
                }
                r += 1
            }
        }
    }
}

/// `out_n[f, j] = rows[j, f] + bias[f]` (then max(0, ·) when `relu`): the `[OH·OW, FN]` result of
/// the positions-first product, transposed into the image's `[FN, OH·OW]` slice.
@inline(__always)
func transposeAddingBias(_ rows: UnsafePointer<Float>, positions: Int, filters: Int, bias: UnsafePointer<Float>,
                         relu: Bool, into out: UnsafeMutablePointer<Float>) {
    var j = 0
    // 16 positions at a time: each filter's 16 values are gathered into one vector.
    while j + 16 <= positions {
        let block = rows + j &* filters
        for f in 0..<filters {
            var v = SIMD16<Float>()
            var p = block + f
            for lane in 0..<16 { v[lane] = p.pointee; p += filters }
            v += SIMD16<Float>(repeating: bias[f])
            if relu { v.replace(with: SIMD16<Float>(), where: v .<= SIMD16<Float>()) }
            UnsafeMutableRawPointer(out + (f &* positions &+ j)).storeBytes(of: v, as: SIMD16<Float>.self)
        }
        j += 16
    }
    while j < positions {
        for f in 0..<filters {
            let v = rows[j &* filters &+ f] + bias[f]
            out[f &* positions &+ j] = relu && !(v > 0) ? 0 : v
        }
        j += 1
    }
}
