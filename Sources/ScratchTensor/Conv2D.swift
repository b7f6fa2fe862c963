#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The convolution layer's kernels, image by image.
//
// The course computes a convolution as one big product: im2col of the whole batch
// (`col [N·OH·OW, C·FH·FW]`), times the filters, then a transpose of the `[N·OH·OW, FN]`
// result to `[N, FN, OH, OW]`. For a batch of 100 MNIST images that writes and reads
// several matrices of 6–45 MB, which miss every cache (and, freshly allocated, fault in
// every page). Here each image is handled on its own, with everything in L2:
//
//   colT = im2col of one image, transposed: [C·FH·FW, OH·OW]     (rows: contiguous runs of the input)
//   out_n = W_col · colT                     [FN, OH·OW] = the image's [FN, OH, OW] slice, + b
//   backward: db += row sums of g_n,  dW_colᵀ += colT · g_nᵀ,  dx_n = col2im(W_colᵀ · g_n)
//
// (g_n = ∂L/∂out_n.) These are the course's sums (`col · W_colᵀ` is `(W_col · colT)ᵀ`), only
// their order of summation may differ. `colT` is rebuilt in the backward pass instead of
// being kept (a few KB of input per image against megabytes of `col`). How the products run
// is a `Strategy`: through `MatMul.gemm` (double precision, BLAS builds), on the micro-kernels
// with im2col writing their packed panels (`Conv2DKernel.swift`), or, for stride 1 on AVX-512,
// without im2col at all (`Conv2DImplicit.swift`). ReLU and max pooling can run in the same
// pass (`Epilogue`): the pooled output is all that is written. Images are shared out over the
// cores in chunks of consecutive images; the weight and bias gradients are summed per chunk,
// then chunk by chunk in order, so a result does not depend on which thread ran what.

/// Convolution forward and backward passes on `[N, C, H, W]` batches, one image at a time
/// (see the comment at the top of `Conv2D.swift`). ``im2col(_:geometry:)`` and
/// ``col2im(_:inputShape:geometry:)`` remain the course's batch-wide formulation.
public enum Conv2D {
    /// What runs after the convolution in the same pass over each image, while its output is
    /// still in cache: ReLU, then max pooling. `none` is the convolution alone.
    public struct Epilogue: Sendable, Equatable {
        /// max(0, ·) after the bias.
        public var relu: Bool
        /// A max-pooling window over the convolution's output (its input size is OH×OW).
        public var maxPool: ConvolutionGeometry?

        public init(relu: Bool = false, maxPool: ConvolutionGeometry? = nil) {
            self.relu = relu
            self.maxPool = maxPool
        }

        public static let none = Epilogue()
    }

    /// `x [N, C, H, W]` convolved with `weight [FN, C, FH, FW]`, plus `bias [FN]` →
    /// `[N, FN, OH, OW]`: the course's `im2col(x)·W_colᵀ + b`, reshaped and transposed.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func forward<T: TensorScalar>(
        _ x: Tensor<T>, weight: Tensor<T>, bias: Tensor<T>, geometry g: ConvolutionGeometry
    ) -> Tensor<T> {
        forward(x, weight: weight, bias: bias, geometry: g, then: .none, recordingWinners: false).output
    }

    /// The convolution followed by `epilogue` (ReLU, max pooling) in one pass: the same
    /// numbers as ``forward(_:weight:bias:geometry:)``, then `relu()`, then
    /// ``Pool2D/maxForward(_:geometry:recordingWinners:)``, without writing the convolution's
    /// full output when it is pooled. Returns `[N, FN, OH, OW]`, or the pooled `[N, FN, PH, PW]`
    /// and, with `recordingWinners`, each pooling window's winner (for the backward pass).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func forward<T: TensorScalar>(
        _ x: Tensor<T>, weight: Tensor<T>, bias: Tensor<T>, geometry g: ConvolutionGeometry,
        then epilogue: Epilogue, recordingWinners: Bool
    ) -> (output: Tensor<T>, winners: [UInt8]) {
        var buffers = ConvolutionBuffers<T>()
        forward(x, weight: weight, bias: bias, geometry: g, then: epilogue, recordingWinners: recordingWinners, into: &buffers)
        return (buffers.output, buffers.winners)
    }

    /// ``forward(_:weight:bias:geometry:then:recordingWinners:)`` into `buffers`' output and
    /// winners, written over while their sizes stay the same (a layer's, from the step before).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func forward<T: TensorScalar>(
        _ x: Tensor<T>, weight: Tensor<T>, bias: Tensor<T>, geometry g: ConvolutionGeometry,
        then epilogue: Epilogue, recordingWinners: Bool, into buffers: inout ConvolutionBuffers<T>
    ) {
        let d = ConvDimensions(input: x.shape, weight: weight.shape, geometry: g)
        precondition(bias.count == d.fn, "convolution: \(bias.count) biases for \(d.fn) filters")
        let pool = epilogue.maxPool
        if let pool {
            precondition(pool.inputHeight == d.oh && pool.inputWidth == d.ow && pool.windowSize < Int(Pool2D.paddingWon),
                         "convolution: the pooling window \(pool) does not fit the \(d.oh)×\(d.ow) output")
        }
        let (outHeight, outWidth) = pool.map { ($0.outputHeight, $0.outputWidth) } ?? (d.oh, d.ow)
        let count = d.n * d.fn * outHeight * outWidth
        let winnerCount = pool != nil && recordingWinners ? count : 0
        let workers = workerCount(T.self, images: d.n, multiplyAdds: d.n * d.fn * d.positions * d.ck)
        let chunks = chunkCount(images: d.n, workers: workers)
        let strategy = strategy(T.self)
        let kernel = kernelFamily(strategy)
        let implicit = implicitPlan(d, strategy, weights: nil, cached: &buffers.forwardPlan)
        if buffers.winners.count != winnerCount { buffers.winners = [UInt8](repeating: 0, count: winnerCount) }
        buffers.winners.withUnsafeMutableBufferPointer { wins in
            buffers.output.overwrite(d.n, d.fn, outHeight, outWidth) { out in
                x.scalars.withUnsafeBufferPointer { xp in
                    weight.scalars.withUnsafeBufferPointer { wp in
                        bias.scalars.withUnsafeBufferPointer { bp in
                            let job = ForwardJob(d: d, x: xp.baseAddress!, w: wp.baseAddress!, b: bp.baseAddress!,
                                                 out: out, relu: epilogue.relu, pool: pool,
                                                 winners: winnerCount > 0 ? wins.baseAddress : nil,
                                                 kernel: kernel, implicit: implicit)
                            forEachChunk(images: d.n, chunks: chunks, workers: workers, job)
                        }
                    }
                }
            }
        }
    }

    /// The backward pass for ``forward(_:weight:bias:geometry:)``: from `dout [N, FN, OH, OW]`
    /// and the forward input `x`, the weight gradient `[FN, C, FH, FW]`, the bias gradient
    /// `[FN]` and, when `inputGradient` is true, ∂L/∂x (`x`'s shape).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func backward<T: TensorScalar>(
        _ dout: Tensor<T>, input x: Tensor<T>, weight: Tensor<T>, geometry g: ConvolutionGeometry,
        inputGradient: Bool = true
    ) -> (dx: Tensor<T>?, dW: Tensor<T>, db: Tensor<T>) {
        backward(dout, input: x, weight: weight, geometry: g, through: .none, output: dout, winners: [],
                 inputGradient: inputGradient)
    }

    /// The backward pass for ``forward(_:weight:bias:geometry:then:recordingWinners:)``:
    /// `dout` is ∂L/∂(the fused output), `output` that output and `winners` the pooling
    /// winners recorded with it. The gradient goes back through the pooling (to each window's
    /// winner), the ReLU (where the output is positive) and the convolution, image by image.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func backward<T: TensorScalar>(
        _ dout: Tensor<T>, input x: Tensor<T>, weight: Tensor<T>, geometry g: ConvolutionGeometry,
        through epilogue: Epilogue, output: Tensor<T>, winners: [UInt8], inputGradient: Bool = true
    ) -> (dx: Tensor<T>?, dW: Tensor<T>, db: Tensor<T>) {
        var buffers = ConvolutionBuffers<T>()
        buffers.output = output
        buffers.winners = winners
        var dW = Tensor<T>(), db = Tensor<T>()
        backward(dout, input: x, weight: weight, geometry: g, through: epilogue, inputGradient: inputGradient,
                 buffers: &buffers, dW: &dW, db: &db)
        return (inputGradient ? buffers.inputGradient : nil, dW, db)
    }

    /// ``backward(_:input:weight:geometry:through:output:winners:inputGradient:)`` after a
    /// ``forward(_:weight:bias:geometry:then:recordingWinners:into:)`` into `buffers` (whose
    /// output and winners it reads), writing ∂L/∂x into `buffers.inputGradient` and the
    /// parameter gradients into `dW` and `db`, over their elements while the sizes stay the same.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func backward<T: TensorScalar>(
        _ dout: Tensor<T>, input x: Tensor<T>, weight: Tensor<T>, geometry g: ConvolutionGeometry,
        through epilogue: Epilogue, inputGradient: Bool, buffers: inout ConvolutionBuffers<T>,
        dW: inout Tensor<T>, db: inout Tensor<T>
    ) {
        let d = ConvDimensions(input: x.shape, weight: weight.shape, geometry: g)
        let pool = epilogue.maxPool
        let (outHeight, outWidth) = pool.map { ($0.outputHeight, $0.outputWidth) } ?? (d.oh, d.ow)
        precondition(dout.rank == 4 && dout.shape[0] == d.n && dout.shape[1] == d.fn && dout.shape[2] == outHeight && dout.shape[3] == outWidth,
                     "convolution backward: dout \(dout.shape) does not match the output [\(d.n), \(d.fn), \(outHeight), \(outWidth)]")
        precondition(epilogue == .none || buffers.output.shape == dout.shape,
                     "convolution backward: output \(buffers.output.shape) ≠ dout \(dout.shape)")
        precondition(pool == nil || buffers.winners.count == dout.count,
                     "convolution backward: \(buffers.winners.count) pooling winners for \(dout.count) outputs")
        let macs = d.n * d.fn * d.positions * d.ck * (inputGradient ? 2 : 1)
        let workers = workerCount(T.self, images: d.n, multiplyAdds: macs)
        let chunks = chunkCount(images: d.n, workers: workers)
        let gradientSize = d.fn * d.ck + d.fn               // dW_colᵀ then db, per chunk
        let strategy = strategy(T.self)
        let kernel = kernelFamily(strategy)
        let implicit = weight.scalars.withUnsafeBufferPointer { wp in
            implicitPlan(d, strategy, weights: inputGradient ? UnsafeRawPointer(wp.baseAddress!).assumingMemoryBound(to: Float.self) : nil,
                         backward: true, cached: &buffers.backwardPlan)
        }
        if inputGradient {
            buffers.inputGradient.reuse(shape: x.shape)
        }
        let partialCount = max(1, chunks) * gradientSize
        let partialBuffer = ScratchPool.packing.take(bytes: partialCount * MemoryLayout<T>.stride)
        defer { ScratchPool.packing.give(partialBuffer) }
        let partials = partialBuffer.pointer.bindMemory(to: T.self, capacity: partialCount)
        partials.initialize(repeating: 0, count: partialCount)
        let epilogueOutput = epilogue == .none ? dout : buffers.output
        x.scalars.withUnsafeBufferPointer { xp in
            weight.scalars.withUnsafeBufferPointer { wp in
                dout.scalars.withUnsafeBufferPointer { gp in
                    epilogueOutput.scalars.withUnsafeBufferPointer { op in
                        buffers.winners.withUnsafeBufferPointer { wins in
                            buffers.inputGradient.scalars.withUnsafeMutableBufferPointer { dxBuffer in
                                let job = BackwardJob(d: d, x: xp.baseAddress!, w: wp.baseAddress!, dout: gp.baseAddress!,
                                                      dx: inputGradient ? dxBuffer.baseAddress : nil,
                                                      partials: partials, gradientSize: gradientSize,
                                                      relu: epilogue.relu, pool: pool, output: op.baseAddress,
                                                      winners: wins.baseAddress, kernel: kernel, implicit: implicit)
                                forEachChunk(images: d.n, chunks: chunks, workers: workers, job)
                            }
                        }
                    }
                }
            }
        }
        // The chunks' sums, added in chunk order (so the result does not depend on the threads).
        dW.reuse(shape: weight.shape)
        db.reuse(count: d.fn)
        dW.scalars.withUnsafeMutableBufferPointer { w in
            db.scalars.withUnsafeMutableBufferPointer { b in
                w.update(repeating: 0)
                b.update(repeating: 0)
                for chunk in 0..<chunks {
                    let part = partials + chunk * gradientSize   // dW_colᵀ [C·FH·FW, FN], db
                    for f in 0..<d.fn {
                        for r in 0..<d.ck { w[f * d.ck + r] += part[r * d.fn + f] }
                    }
                    for f in 0..<d.fn { b[f] += part[d.fn * d.ck + f] }
                }
            }
        }
    }

    /// Threads for a convolution of `images` images and `multiplyAdds` multiply-adds: 2
    /// (at most ``GEMMSelection/threadLimit``, at most the cores) for float32 work of at least
    /// ``parallelThreshold`` when the products run on ScratchNet's kernel; else 1 (BLAS, and
    /// double precision, are called from one thread only).
    static func workerCount<T>(_: T.Type, images: Int, multiplyAdds: Int) -> Int {
        guard T.self == Float.self, images > 1, multiplyAdds >= parallelThreshold else { return 1 }
        guard case .kernel(let allowed) = GEMMSelection.choose(transposeA: false, transposeB: false,
                                                               m: 1 << 12, n: 1 << 12, k: 1 << 12) else { return 1 }
        return max(1, min(2, allowed, images))
    }

    /// How a float32 convolution computes its products (double precision always goes
    /// through `MatMul`, that is BLAS).
    public enum Strategy: Sendable, Equatable {
        /// im2col per image, every product through `MatMul.gemm` (BLAS or ScratchNet's kernel).
        case matMul
        /// ScratchNet's micro-kernels called directly, im2col writing their packed panels
        /// (`Conv2DKernel.swift`), for this kernel family.
        case packed(SGEMMKernel.InstructionSet)
        /// Stride 1 without im2col on the AVX-512 micro-kernels (`Conv2DImplicit.swift`); where
        /// that does not apply (other strides; a backward pass with dx of fewer than 8 input
        /// channels or padding ≥ the filter), `.packed(.avx512)`.
        case implicit
    }

    /// Forces a ``Strategy`` for the float32 convolutions run inside `withValue` (tests and
    /// benchmarks; `.implicit` and `.packed(.avx512)` need ``avx512Runs``). `nil`, the
    /// default: `.implicit` where ScratchNet's kernel runs with AVX-512, `.packed` with its
    /// other family, `.matMul` where `GEMMSelection` picks BLAS (debug builds, no SIMD target).
    @TaskLocal public static var forcedStrategy: Strategy? = nil

    /// Whether this build and CPU can run the AVX-512 kernels (compiled for AVX-512 or the
    /// native CPU, and the CPU reports AVX-512F), even where ``SGEMMKernel/available`` is `nil`
    /// (a debug build: correct there, only slow).
    public static let avx512Runs: Bool = {
        #if arch(x86_64) && os(Linux) && (SCRATCHNET_SIMD_AVX512 || SCRATCHNET_SIMD_NATIVE)
        return CPUFeatures.cpuFlags().contains("avx512f")
        #else
        return false
        #endif
    }()

    /// The strategy for a convolution of scalars `T`.
    static func strategy<T>(_: T.Type) -> Strategy {
        guard T.self == Float.self else { return .matMul }
        if let forcedStrategy { return forcedStrategy }
        guard case .kernel = GEMMSelection.choose(transposeA: false, transposeB: false, m: 64, n: 64, k: 64) else {
            return .matMul
        }
        let family = SGEMMKernel.available ?? .avx2
        return family == .avx512 ? .implicit : .packed(family)
    }

    /// The kernel family of a ``Strategy`` (`nil`: through `MatMul`).
    static func kernelFamily(_ strategy: Strategy) -> SGEMMKernel.InstructionSet? {
        switch strategy {
        case .matMul: nil
        case .packed(let family): family
        case .implicit: .avx512
        }
    }

    /// The implicit plan (`Conv2DImplicit.swift`) when the strategy is `.implicit` and the
    /// convolution fits it (see ``Strategy/implicit``); `nil` otherwise.
    /// The plan in `cached` is used again (with the new filters flipped into it) when it was
    /// made for the same sizes; else a new one is made and kept there.
    static func implicitPlan(_ d: ConvDimensions, _ strategy: Strategy, weights: UnsafePointer<Float>?,
                             backward: Bool = false, cached: inout ImplicitConvolution?) -> ImplicitConvolution? {
        guard strategy == .implicit, ImplicitConvolution.applies(d, .avx512, backward: backward) else { return nil }
        if let plan = cached, plan.d == d, plan.hasFlippedFilters == (weights != nil) {
            if let weights { plan.flip(weights) }
            return plan
        }
        let plan = ImplicitConvolution(d, weights: weights)
        cached = plan
        return plan
    }

    /// Multiply-adds from which a convolution shares its images out over two threads.
    public static let parallelThreshold = 2_000_000

    /// Consecutive-image chunks: a few per thread, so a thread slowed by another process
    /// does not hold the other up for long.
    static func chunkCount(images: Int, workers: Int) -> Int {
        workers <= 1 ? 1 : min(images, 4 * workers)
    }

    /// Runs `job` on each of `chunks` consecutive ranges of `0..<images`, on `workers`
    /// threads (each product inside on one thread).
    static func forEachChunk<Job: ImageChunkJob>(images: Int, chunks: Int, workers: Int, _ job: Job) {
        if workers <= 1 {
            for chunk in 0..<chunks { job.run(chunk: chunk, images: (chunk * images / chunks)..<((chunk + 1) * images / chunks)) }
            return
        }
        ParallelLoop.run(chunks, Chunks(job: job, images: images, chunks: chunks))
    }

    /// Chunk `iteration` of a batch's images, for ``ParallelLoop``.
    private struct Chunks<Job: ImageChunkJob>: ParallelJob {
        let job: Job
        let images: Int, chunks: Int
        func run(iteration chunk: Int) {
            job.run(chunk: chunk, images: (chunk * images / chunks)..<((chunk + 1) * images / chunks))
        }
    }
}

/// A convolution pass over a range of a batch's images, chunk `chunk` of them.
protocol ImageChunkJob {
    func run(chunk: Int, images: Range<Int>)
}

/// The sizes of one convolution: input `[n, c, h, w]`, filters `[fn, c, fh, fw]`, output `[n, fn, oh, ow]`.
struct ConvDimensions: Equatable {
    let n: Int, c: Int, h: Int, w: Int
    let fn: Int, fh: Int, fw: Int, s: Int, p: Int
    let oh: Int, ow: Int

    init(input: [Int], weight: [Int], geometry g: ConvolutionGeometry) {
        precondition(input.count == 4 && input[2] == g.inputHeight && input[3] == g.inputWidth,
                     "convolution expects [N, C, \(g.inputHeight), \(g.inputWidth)], got \(input)")
        precondition(weight.count == 4 && weight[1] == input[1] && weight[2] == g.filterHeight && weight[3] == g.filterWidth,
                     "convolution: filters \(weight) do not fit the input \(input) and \(g.filterHeight)×\(g.filterWidth) windows")
        (n, c, h, w) = (input[0], input[1], input[2], input[3])
        (fn, fh, fw, s, p) = (weight[0], g.filterHeight, g.filterWidth, g.stride, g.pad)
        (oh, ow) = (g.outputHeight, g.outputWidth)
    }

    /// Rows of `colT` (columns of the course's `col`): C·FH·FW.
    var ck: Int { c * fh * fw }
    /// Output positions per image: OH·OW.
    var positions: Int { oh * ow }
    var imageSize: Int { c * h * w }
    /// The padded image: (H + 2P) × (W + 2P) per channel.
    var paddedHeight: Int { h + 2 * p }
    var paddedWidth: Int { w + 2 * p }
    var paddedSize: Int { p == 0 ? 0 : c * paddedHeight * paddedWidth }
    /// A 1×1 filter with stride 1 and no padding: `colT` is the image itself.
    var pointwise: Bool { fh == 1 && fw == 1 && s == 1 && p == 0 }
    /// Whether the forward product is computed as `colTᵀ·W_colᵀ` (`[OH·OW, FN]`, then
    /// transposed into place) rather than `W_col·colT`: when `colT` is much larger than the
    /// output, so that it is read in place instead of being packed by the kernel.
    var positionsFirst: Bool { ck >= 2 * fn }
}

/// Copies one image into a zero border of `P` pixels (`[C, H + 2P, W + 2P]`).
@inline(__always)
func padImage<T: TensorScalar>(_ src: UnsafePointer<T>, _ d: ConvDimensions, into dst: UnsafeMutablePointer<T>) {
    let (hp, wp, p) = (d.paddedHeight, d.paddedWidth, d.p)
    dst.update(repeating: 0, count: d.c * hp * wp)
    for ci in 0..<d.c {
        for y in 0..<d.h {
            copyRun(dst + (ci * hp + y + p) * wp + p, src + (ci * d.h + y) * d.w, d.w)
        }
    }
}

/// `colT[(ci, fy, fx), (oy, ox)] = padded[ci, oy·S + fy, ox·S + fx]` for one image whose
/// padded planes are `planeSize` apart with rows `rowStride` apart → `dst [C·FH·FW, OH·OW]`.
@inline(__always)
func im2colTransposed<T: TensorScalar>(_ src: UnsafePointer<T>, planeSize: Int, rowStride: Int,
                                       _ d: ConvDimensions, into dst: UnsafeMutablePointer<T>) {
    let (s, oh, ow) = (d.s, d.oh, d.ow)
    var row = dst
    for ci in 0..<d.c {
        let plane = src + ci * planeSize
        for fy in 0..<d.fh {
            for fx in 0..<d.fw {
                for oy in 0..<oh {
                    let from = plane + (oy * s + fy) * rowStride + fx
                    if s == 1 {
                        copyRun(row + oy * ow, from, ow)
                    } else {
                        for ox in 0..<ow { row[oy * ow + ox] = from[ox * s] }
                    }
                }
                row += oh * ow
            }
        }
    }
}

/// The adjoint of ``im2colTransposed(_:planeSize:rowStride:_:into:)``: adds every element
/// of `colT` to the (padded) pixel it was read from. `dst` must start zeroed.
@inline(__always)
func col2imTransposed<T: TensorScalar>(_ src: UnsafePointer<T>, planeSize: Int, rowStride: Int,
                                       _ d: ConvDimensions, into dst: UnsafeMutablePointer<T>) {
    let (s, oh, ow) = (d.s, d.oh, d.ow)
    var row = src
    for ci in 0..<d.c {
        let plane = dst + ci * planeSize
        for fy in 0..<d.fh {
            for fx in 0..<d.fw {
                for oy in 0..<oh {
                    let to = plane + (oy * s + fy) * rowStride + fx
                    if s == 1 {
                        addRun(row + oy * ow, into: to, ow)
                    } else {
                        for ox in 0..<ow { to[ox * s] += row[oy * ow + ox] }
                    }
                }
                row += oh * ow
            }
        }
    }
}

/// `dst[0..<count] = src[0..<count]` (16, 8, 4 lanes at a time for float32: the runs are short).
@inline(__always)
func copyRun<T: TensorScalar>(_ dst: UnsafeMutablePointer<T>, _ src: UnsafePointer<T>, _ count: Int) {
    var i = 0
    if T.self == Float.self {
        let d = UnsafeMutableRawPointer(dst), s = UnsafeRawPointer(src)
        while i + 16 <= count {
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self), toByteOffset: 4 * i, as: SIMD16<Float>.self)
            i += 16
        }
        if i + 8 <= count {
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self), toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        if i + 4 <= count {
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self), toByteOffset: 4 * i, as: SIMD4<Float>.self)
            i += 4
        }
    }
    while i < count { dst[i] = src[i]; i += 1 }
}

/// `dst[0..<count] += src[0..<count]` (16, 8, 4 lanes at a time for float32).
@inline(__always)
func addRun<T: TensorScalar>(_ src: UnsafePointer<T>, into dst: UnsafeMutablePointer<T>, _ count: Int) {
    var i = 0
    if T.self == Float.self {
        let d = UnsafeMutableRawPointer(dst), s = UnsafeRawPointer(src)
        while i + 16 <= count {
            let sum = d.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self) + s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
            d.storeBytes(of: sum, toByteOffset: 4 * i, as: SIMD16<Float>.self)
            i += 16
        }
        if i + 8 <= count {
            let sum = d.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) + s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            d.storeBytes(of: sum, toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        if i + 4 <= count {
            let sum = d.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self) + s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self)
            d.storeBytes(of: sum, toByteOffset: 4 * i, as: SIMD4<Float>.self)
            i += 4
        }
    }
    while i < count { dst[i] += src[i]; i += 1 }
}

/// `line[0..<count] += bias`, then max(0, ·) when `relu` (16 lanes at a time for float32).
@inline(__always)
func addBias<T: TensorScalar>(_ bias: T, relu: Bool, _ line: UnsafeMutablePointer<T>, _ count: Int) {
    var i = 0
    if T.self == Float.self {
        let raw = UnsafeMutableRawPointer(line)
        let b = SIMD16<Float>(repeating: Float(bias))
        let zero = SIMD16<Float>()
        while i + 16 <= count {
            var v = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self) + b
            if relu { v.replace(with: zero, where: v .<= zero) }
            raw.storeBytes(of: v, toByteOffset: 4 * i, as: SIMD16<Float>.self)
            i += 16
        }
    }
    if relu {
        while i < count { let v = line[i] + bias; line[i] = v > 0 ? v : 0; i += 1 }
    } else {
        while i < count { line[i] += bias; i += 1 }
    }
}

/// Σ of `count` contiguous elements (16 lanes at a time for float32).
@inline(__always)
func contiguousSum<T: TensorScalar>(_ p: UnsafePointer<T>, _ count: Int) -> T {
    var i = 0
    var total: T = 0
    if T.self == Float.self {
        let f = UnsafeRawPointer(p)
        var acc = SIMD16<Float>()
        while i + 16 <= count {
            acc += f.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        total = T(acc.sum())
    } else {
        var a0: T = 0, a1: T = 0, a2: T = 0, a3: T = 0
        while i + 4 <= count {
            a0 += p[i]; a1 += p[i + 1]; a2 += p[i + 2]; a3 += p[i + 3]
            i += 4
        }
        total = (a0 + a1) + (a2 + a3)
    }
    while i < count { total += p[i]; i += 1 }
    return total
}

/// One forward pass's operands, shared by the threads.
private struct ForwardJob<T: TensorScalar>: ImageChunkJob, @unchecked Sendable {
    let d: ConvDimensions
    let x: UnsafePointer<T>, w: UnsafePointer<T>, b: UnsafePointer<T>
    /// `[N, FN, OH, OW]`, or the pooled `[N, FN, PH, PW]`.
    let out: UnsafeMutablePointer<T>
    let relu: Bool
    let pool: ConvolutionGeometry?
    let winners: UnsafeMutablePointer<UInt8>?
    /// Float32 on ScratchNet's micro-kernels (`Conv2DKernel.swift`), else products through `MatMul`.
    let kernel: SGEMMKernel.InstructionSet?
    /// Stride 1 on AVX-512: without im2col (`Conv2DImplicit.swift`).
    let implicit: ImplicitConvolution?

    @inline(__always)
    func run(chunk: Int, images: Range<Int>) { run(images) }

    func run(_ images: Range<Int>) {
        if let implicit {
            return implicit.forward(images, x: UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                                    w: UnsafeRawPointer(w).assumingMemoryBound(to: Float.self),
                                    b: UnsafeRawPointer(b).assumingMemoryBound(to: Float.self),
                                    out: UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self),
                                    relu: relu, pool: pool, winners: winners)
        }
        if let kernel { return runKernel(images, kernel) }
        let (fn, ck, positions) = (d.fn, d.ck, d.positions)
        let colSize = d.pointwise ? 0 : ck * positions
        let rowsSize = d.positionsFirst ? positions * fn : 0
        let convSize = pool == nil ? 0 : fn * positions
        ScratchPool.convolution.with(T.self, count: d.paddedSize + colSize + rowsSize + convSize) { scratch in
            let padded = scratch, colT = scratch + d.paddedSize, rows = colT + colSize, conv = rows + rowsSize
            let pooledSize = pool.map { fn * $0.outputPositions } ?? 0
            for n in images {
                let columns = imageColumns(d, x + n * d.imageSize, padded: padded, colT: colT)
                let o = pool == nil ? out + n * fn * positions : conv
                if d.positionsFirst {
                    // rows [OH·OW, FN] = colTᵀ · W_colᵀ, then o[f, j] = rows[j, f] + b[f].
                    MatMul.gemm(transposeA: true, transposeB: true, m: positions, n: fn, k: ck,
                                a: columns, lda: positions, b: w, ldb: ck, beta: 0, c: rows, ldc: fn)
                    for f in 0..<fn {
                        let bias = b[f]
                        let line = o + f * positions
                        for j in 0..<positions { line[j] = rows[j * fn + f] }
                        addBias(bias, relu: relu, line, positions)
                    }
                } else {
                    MatMul.gemm(transposeA: false, transposeB: false, m: fn, n: positions, k: ck,
                                a: w, lda: ck, b: columns, ldb: positions, beta: 0, c: o, ldc: positions)
                    for f in 0..<fn { addBias(b[f], relu: relu, o + f * positions, positions) }
                }
                if let pool {
                    MaxPoolJob(g: pool, src: UnsafePointer(conv), out: out + n * pooledSize,
                               winners: winners.map { $0 + n * pooledSize }).forward(0..<fn)
                }
            }
        }
    }

    /// `run` for float32 on the micro-kernels. `W_col · colT` with im2col writing the packed
    /// B operand directly, when each output row's run of OW positions stays inside one panel;
    /// otherwise `colTᵀ · W_colᵀ` with colT read in place (A, transposed) and W packed once,
    /// the `[OH·OW, FN]` result transposed into place.
    @inline(__always)
    func runKernel(_ images: Range<Int>, _ instructionSet: SGEMMKernel.InstructionSet) {
        let (fn, ck, positions) = (d.fn, d.ck, d.positions)
        let panels = ConvPanels(instructionSet, n: positions)
        let filterPanels = ConvPanels(instructionSet, n: fn)
        let packedB = positions <= panels.nr || panels.nr % d.ow == 0
        let x = UnsafeRawPointer(self.x).assumingMemoryBound(to: Float.self)
        let w = UnsafeRawPointer(self.w).assumingMemoryBound(to: Float.self)
        let b = UnsafeRawPointer(self.b).assumingMemoryBound(to: Float.self)
        let out = UnsafeMutableRawPointer(self.out).assumingMemoryBound(to: Float.self)
        let packedSize = packedB ? ck * panels.paddedN : ck * positions + ck * filterPanels.paddedN
        let rowsSize = packedB ? 0 : positions * fn
        let convSize = pool == nil ? 0 : fn * positions
        let edgeSize = packedB ? panels.scratchCount(kc: ck) : filterPanels.scratchCount(kc: ck)
        let total = d.paddedSize + packedSize + rowsSize + convSize + edgeSize
        ScratchPool.convolution.with(Float.self, count: total) { scratch in
            let padded = scratch, packed = padded + d.paddedSize, rows = packed + packedSize
            let conv = rows + rowsSize, edge = conv + convSize
            // colTᵀ · W_colᵀ: colT in `packed`, then W_colᵀ packed once for every image.
            let colT = packed, packedW = packed + ck * positions
            if !packedB { filterPanels.pack(transposing: w, ld: ck, kc: ck, into: packedW) }
            let pooledSize = pool.map { fn * $0.outputPositions } ?? 0
            for n in images {
                let image = x + n * d.imageSize
                let (source, planeSize, rowStride) = d.p > 0
                    ? (UnsafePointer(padded), d.paddedHeight * d.paddedWidth, d.paddedWidth) : (image, d.h * d.w, d.w)
                if d.p > 0 { padImage(image, d, into: padded) }
                let o = pool == nil ? out + n * fn * positions : conv
                if packedB {
                    im2colPacked(source, planeSize: planeSize, rowStride: rowStride, d, panels, into: packed)
                    panels.multiply(m: fn, kc: ck, a: w, lda: ck, columnsA: false, packed: UnsafePointer(packed),
                                    c: o, ldc: positions, beta: 0, scratch: edge)
                    for f in 0..<fn { addBias(b[f], relu: relu, o + f * positions, positions) }
                } else {
                    let columns: UnsafePointer<Float>
                    if d.pointwise {
                        columns = image
                    } else {
                        im2colTransposed(source, planeSize: planeSize, rowStride: rowStride, d, into: colT)
                        columns = UnsafePointer(colT)
                    }
                    filterPanels.multiply(m: positions, kc: ck, a: columns, lda: positions, columnsA: true,
                                          packed: UnsafePointer(packedW), c: rows, ldc: fn, beta: 0, scratch: edge)
                    transposeAddingBias(UnsafePointer(rows), positions: positions, filters: fn, bias: b, relu: relu, into: o)
                }
                if let pool {
                    MaxPoolJob(g: pool, src: UnsafePointer(conv), out: out + n * pooledSize,
                               winners: winners.map { $0 + n * pooledSize }).forward(0..<fn)
                }
            }
        }
    }
}

/// One image's `colT [C·FH·FW, OH·OW]`: the image itself for a 1×1 filter, else built in
/// `colT` (through a padded copy in `padded` when the convolution pads).
@inline(__always)
private func imageColumns<T: TensorScalar>(_ d: ConvDimensions, _ image: UnsafePointer<T>,
                                           padded: UnsafeMutablePointer<T>, colT: UnsafeMutablePointer<T>) -> UnsafePointer<T> {
    if d.pointwise { return image }
    if d.p > 0 {
        padImage(image, d, into: padded)
        im2colTransposed(UnsafePointer(padded), planeSize: d.paddedHeight * d.paddedWidth, rowStride: d.paddedWidth, d, into: colT)
    } else {
        im2colTransposed(image, planeSize: d.h * d.w, rowStride: d.w, d, into: colT)
    }
    return UnsafePointer(colT)
}

/// One backward pass's operands, shared by the threads.
private struct BackwardJob<T: TensorScalar>: ImageChunkJob, @unchecked Sendable {
    let d: ConvDimensions
    let x: UnsafePointer<T>, w: UnsafePointer<T>, dout: UnsafePointer<T>
    let dx: UnsafeMutablePointer<T>?
    /// Per chunk: dW transposed, `[C·FH·FW, FN]`, then db `[FN]`; zero to start.
    let partials: UnsafeMutablePointer<T>
    let gradientSize: Int
    /// The fused epilogue: the gradient first goes back through the pooling and the ReLU,
    /// using the forward output (`[N, FN, OH, OW]` or pooled) and the pooling winners.
    let relu: Bool
    let pool: ConvolutionGeometry?
    let output: UnsafePointer<T>?
    let winners: UnsafePointer<UInt8>?
    /// Float32 on ScratchNet's micro-kernels (`Conv2DKernel.swift`), else products through `MatMul`.
    let kernel: SGEMMKernel.InstructionSet?
    /// Stride 1 on AVX-512: without im2col (`Conv2DImplicit.swift`).
    let implicit: ImplicitConvolution?

    /// ∂L/∂(convolution output) of image `n`: `dout`'s slice, or built in `dconv` from the
    /// gradient of the fused output (back through the pooling to each window's winner, and
    /// through the ReLU where the output is positive); `dpooled` is scratch for the pooled size.
    @inline(__always)
    func convolutionGradient(_ n: Int, dconv: UnsafeMutablePointer<T>, dpooled: UnsafeMutablePointer<T>) -> UnsafePointer<T> {
        let size = d.fn * d.positions
        if let pool {
            let pooledSize = d.fn * pool.outputPositions
            let from = dout + n * pooledSize, y = output! + n * pooledSize
            if relu {
                for k in 0..<pooledSize { dpooled[k] = y[k] > 0 ? from[k] : 0 }
            } else {
                dpooled.update(from: from, count: pooledSize)
            }
            MaxPoolBackwardJob(g: pool, dout: UnsafePointer(dpooled), winners: winners! + n * pooledSize, dx: dconv).run(0..<d.fn)
            return UnsafePointer(dconv)
        }
        if relu {
            let from = dout + n * size, y = output! + n * size
            for k in 0..<size { dconv[k] = y[k] > 0 ? from[k] : 0 }
            return UnsafePointer(dconv)
        }
        return dout + n * size
    }

    /// Writes ∂L/∂x of one image from `dcolT` (its `[C·FH·FW, OH·OW]` gradient), through
    /// `padded` when the convolution pads.
    @inline(__always)
    func foldColumns(_ dcolT: UnsafePointer<T>, into target: UnsafeMutablePointer<T>, padded: UnsafeMutablePointer<T>) {
        if d.p > 0 {
            let (hp, wp, p) = (d.paddedHeight, d.paddedWidth, d.p)
            padded.update(repeating: 0, count: d.paddedSize)
            col2imTransposed(dcolT, planeSize: hp * wp, rowStride: wp, d, into: padded)
            for ci in 0..<d.c {
                for y in 0..<d.h {
                    copyRun(target + (ci * d.h + y) * d.w, padded + (ci * hp + y + p) * wp + p, d.w)
                }
            }
        } else {
            target.update(repeating: 0, count: d.imageSize)
            col2imTransposed(dcolT, planeSize: d.h * d.w, rowStride: d.w, d, into: target)
        }
    }

    @inline(__always)
    func run(chunk: Int, images: Range<Int>) {
        if let implicit { return runImplicit(images, chunk: chunk, implicit) }
        if let kernel { return runKernel(images, chunk: chunk, kernel) }
        let (fn, ck, positions) = (d.fn, d.ck, d.positions)
        let dWT = partials + chunk * gradientSize
        let db = dWT + fn * ck
        let colSize = d.pointwise ? 0 : ck * positions
        let dcolSize = dx == nil || d.pointwise ? 0 : ck * positions
        let pooledSize = pool.map { fn * $0.outputPositions } ?? 0
        let gradSize = relu || pool != nil ? fn * positions + pooledSize : 0
        ScratchPool.convolution.with(T.self, count: d.paddedSize + colSize + dcolSize + gradSize) { scratch in
            let padded = scratch, colT = scratch + d.paddedSize, dcolT = colT + colSize
            let dconv = dcolT + dcolSize, dpooled = dconv + fn * positions
            var first = true
            for n in images {
                let g = convolutionGradient(n, dconv: dconv, dpooled: dpooled)
                for f in 0..<fn { db[f] += contiguousSum(g + f * positions, positions) }
                // dW_colᵀ += colT · gᵀ   ([C·FH·FW, FN]; colT read in place, g packed)
                let columns = imageColumns(d, x + n * d.imageSize, padded: padded, colT: colT)
                MatMul.gemm(transposeA: false, transposeB: true, m: ck, n: fn, k: positions,
                            a: columns, lda: positions, b: g, ldb: positions, beta: first ? 0 : 1, c: dWT, ldc: fn)
                first = false
                // dx_n = col2im(W_colᵀ · g)
                guard let dx else { continue }
                let target = dx + n * d.imageSize
                if d.pointwise {
                    MatMul.gemm(transposeA: true, transposeB: false, m: ck, n: positions, k: fn,
                                a: w, lda: ck, b: g, ldb: positions, beta: 0, c: target, ldc: positions)
                    continue
                }
                MatMul.gemm(transposeA: true, transposeB: false, m: ck, n: positions, k: fn,
                            a: w, lda: ck, b: g, ldb: positions, beta: 0, c: dcolT, ldc: positions)
                foldColumns(UnsafePointer(dcolT), into: target, padded: padded)
            }
        }
    }

    /// `run` on the implicit kernels (stride 1, AVX-512).
    @inline(__always)
    func runImplicit(_ images: Range<Int>, chunk: Int, _ implicit: ImplicitConvolution) {
        let (fn, positions) = (d.fn, d.positions)
        let pooledSize = pool.map { fn * $0.outputPositions } ?? 0
        let gradSize = relu || pool != nil ? fn * positions + pooledSize : 0
        let dWT = UnsafeMutableRawPointer(partials + chunk * gradientSize).assumingMemoryBound(to: Float.self)
        ScratchPool.convolution.with(T.self, count: gradSize) { scratch in
            let dconv = scratch, dpooled = scratch + fn * positions
            implicit.backward(images, x: UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                              gradient: { n in
                                  UnsafeRawPointer(convolutionGradient(n, dconv: dconv, dpooled: dpooled))
                                      .assumingMemoryBound(to: Float.self)
                              },
                              dWT: dWT, db: dWT + fn * d.ck,
                              dx: dx.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) })
        }
    }

    /// `run` for float32 on the micro-kernels: colT is read in place, the gradient packed.
    @inline(__always)
    func runKernel(_ images: Range<Int>, chunk: Int, _ instructionSet: SGEMMKernel.InstructionSet) {
        let (fn, ck, positions) = (d.fn, d.ck, d.positions)
        let filterPanels = ConvPanels(instructionSet, n: fn)          // B = g_nᵀ [OH·OW, FN]
        let positionPanels = ConvPanels(instructionSet, n: positions) // B = g_n [FN, OH·OW]
        let w = UnsafeRawPointer(self.w).assumingMemoryBound(to: Float.self)
        let dWT = UnsafeMutableRawPointer(partials + chunk * gradientSize).assumingMemoryBound(to: Float.self)
        let db = dWT + fn * ck
        let colSize = d.pointwise ? 0 : ck * positions
        let packedGTSize = positions * filterPanels.paddedN
        let packedGSize = dx == nil ? 0 : fn * positionPanels.paddedN
        let dcolSize = dx == nil || d.pointwise ? 0 : ck * positions
        let pooledSize = pool.map { fn * $0.outputPositions } ?? 0
        let gradSize = relu || pool != nil ? fn * positions + pooledSize : 0
        let edgeSize = max(filterPanels.scratchCount(kc: positions), positionPanels.scratchCount(kc: fn))
        let total = d.paddedSize + colSize + packedGTSize + packedGSize + dcolSize + gradSize + edgeSize
        ScratchPool.convolution.with(Float.self, count: total) { scratch in
            let padded = scratch, colT = padded + d.paddedSize, packedGT = colT + colSize
            let packedG = packedGT + packedGTSize, dcolT = packedG + packedGSize
            let dconv = dcolT + dcolSize, dpooled = dconv + fn * positions, edge = dconv + gradSize
            var first = true
            for n in images {
                let gT = convolutionGradient(n, dconv: UnsafeMutableRawPointer(dconv).assumingMemoryBound(to: T.self),
                                             dpooled: UnsafeMutableRawPointer(dpooled).assumingMemoryBound(to: T.self))
                let g = UnsafeRawPointer(gT).assumingMemoryBound(to: Float.self)
                for f in 0..<fn { db[f] += contiguousSum(g + f * positions, positions) }
                // dW_colᵀ += colT · g_nᵀ
                let columnsT = imageColumns(d, x + n * d.imageSize,
                                            padded: UnsafeMutableRawPointer(padded).assumingMemoryBound(to: T.self),
                                            colT: UnsafeMutableRawPointer(colT).assumingMemoryBound(to: T.self))
                let columns = UnsafeRawPointer(columnsT).assumingMemoryBound(to: Float.self)
                filterPanels.pack(transposing: g, ld: positions, kc: positions, into: packedGT)
                filterPanels.multiply(m: ck, kc: positions, a: columns, lda: positions, columnsA: false,
                                      packed: UnsafePointer(packedGT), c: dWT, ldc: fn, beta: first ? 0 : 1, scratch: edge)
                first = false
                // dx_n = col2im(W_colᵀ · g_n)
                guard let dx else { continue }
                let target = UnsafeMutableRawPointer(dx + n * d.imageSize).assumingMemoryBound(to: Float.self)
                positionPanels.pack(rows: g, ld: positions, kc: fn, into: packedG)
                positionPanels.multiply(m: ck, kc: fn, a: w, lda: ck, columnsA: true, packed: UnsafePointer(packedG),
                                        c: d.pointwise ? target : dcolT, ldc: positions, beta: 0, scratch: edge)
                if !d.pointwise {
                    foldColumns(UnsafeRawPointer(dcolT).assumingMemoryBound(to: T.self), into: dx + n * d.imageSize,
                                padded: UnsafeMutableRawPointer(padded).assumingMemoryBound(to: T.self))
                }
            }
        }
    }
}

/// What a convolution layer keeps from one training step to the next: its (fused) output and
/// pooling winners, its input gradient, and the implicit kernels' plans. Written over while
/// the sizes stay the same, so the layer's steps allocate none of them again.
public struct ConvolutionBuffers<T: TensorScalar>: Sendable {
    /// The last forward pass's output and, when pooled in training, each window's winner.
    public internal(set) var output = Tensor<T>()
    public internal(set) var winners: [UInt8] = []
    /// ∂L/∂x from the last backward pass that computed it.
    public internal(set) var inputGradient = Tensor<T>()
    var forwardPlan: ImplicitConvolution?
    var backwardPlan: ImplicitConvolution?

    public init() {}
}
