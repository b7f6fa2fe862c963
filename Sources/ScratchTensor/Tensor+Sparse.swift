/// The rows of a mostly-zero matrix stored by their nonzero elements (compressed sparse
/// rows, CSR): how an MLP's first Affine layer reads a test set it evaluates again and again.
///
/// Four fifths of an MNIST image's 784 pixels are 0, so `x·W` over the nonzeros alone does a
/// fifth of the multiply-adds and reads a third of the bytes. The product skips only terms
/// `0·w`, adding the others in the same order as the dense product (k ascending, one fused
/// multiply-add each), so the results are the dense kernel's to the last bit (as long as W
/// holds no ∞ or NaN, where `0·w` is not 0).
///
/// Converting costs about two passes over the dense tensor (more than one dense product), so
/// it pays for sets used many times, not for a minibatch used once.
///
/// Shapes: built from a `[N, …]` tensor, read as `[N, columns]` (`columns` = the product of
/// every dimension but the first), like ``MatMul`` reads tensors.
public struct SparseRows<Scalar: TensorScalar>: Sendable, Equatable {
    /// The dense tensor's shape.
    public private(set) var shape: [Int]
    /// Elements per row (the product of every dimension of `shape` but the first).
    public private(set) var columns: Int
    /// Row r's nonzeros are entries `rowStarts[r]..<rowStarts[r + 1]` of `columnIndices` and `values`.
    public private(set) var rowStarts: [Int]
    /// The column of each nonzero, ascending within a row.
    public private(set) var columnIndices: [Int32]
    /// The nonzero values.
    public private(set) var values: [Scalar]
    /// The same nonzeros listed by column, when ``indexedByColumn()`` built them.
    private(set) var columnLists: SparseColumnLists<Scalar>?

    /// No rows: the buffer to hand ``gatherRows(_:listingColumns:into:)`` the first time.
    public init() {
        self.init(shape: [0, 0], columns: 0, rowStarts: [0], columnIndices: [], values: [])
    }

    /// The nonzeros of `dense`.
    public init(_ dense: Tensor<Scalar>) {
        self.init(dense, maximumDensity: 1)!
    }

    /// The nonzeros of `dense`, or nil when more than `maximumDensity` of its elements are
    /// nonzero (judged on the first 1,000 rows first, so a dense set is not converted in full).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init?(_ dense: Tensor<Scalar>, maximumDensity: Double) {
        let rows = dense.rows, n = dense.columns
        precondition(n <= Int(Int32.max), "rows of \(n) elements are too long for SparseRows")
        guard rows > 0, n > 0 else {
            self.init(shape: dense.shape, columns: n, rowStarts: [Int](repeating: 0, count: rows + 1),
                      columnIndices: [], values: [])
            return
        }
        let converted: SparseRows? = dense.scalars.withUnsafeBufferPointer { x in
            let base = SendablePointer(UnsafeMutableRawPointer(mutating: x.baseAddress!))
            let sample = min(rows, 1000)
            var sampleCount = 0
            for r in 0..<sample { sampleCount += Self.nonzeros(x.baseAddress! + r * n, count: n) }
            guard Double(sampleCount) <= maximumDensity * Double(sample * n) else { return nil }
            // Two passes, each on two threads for big sets: nonzeros per row, then the copy
            // straight into storage of the exact size.
            let threads = rows >= 4096 ? GEMMSelection.availableThreads : 1
            var starts = [Int](repeating: 0, count: rows + 1)
            starts.withUnsafeMutableBufferPointer { s in
                let sp = SendablePointer(UnsafeMutableRawPointer(s.baseAddress!))
                ParallelLoop.run(threads) { t in
                    let counts = sp.pointer.assumingMemoryBound(to: Int.self)
                    let x = base.pointer.assumingMemoryBound(to: Scalar.self)
                    for r in (t * rows / threads)..<((t + 1) * rows / threads) {
                        counts[r + 1] = Self.nonzeros(x + r * n, count: n)
                    }
                }
                for r in 0..<rows { s[r + 1] += s[r] }
            }
            let total = starts[rows]
            guard Double(total) <= maximumDensity * Double(rows * n) else { return nil }
            var values: [Scalar] = []
            let indices = [Int32](unsafeUninitializedCapacity: total) { indexBuffer, indexCount in
                values = [Scalar](unsafeUninitializedCapacity: total) { valueBuffer, valueCount in
                    guard total > 0 else { return }
                    let ip = SendablePointer(UnsafeMutableRawPointer(indexBuffer.baseAddress!))
                    let vp = SendablePointer(UnsafeMutableRawPointer(valueBuffer.baseAddress!))
                    starts.withUnsafeBufferPointer { s in
                        let sp = SendablePointer(UnsafeMutableRawPointer(mutating: s.baseAddress!))
                        ParallelLoop.run(threads) { t in
                            let x = base.pointer.assumingMemoryBound(to: Scalar.self)
                            let starts = sp.pointer.assumingMemoryBound(to: Int.self)
                            let indices = ip.pointer.assumingMemoryBound(to: Int32.self)
                            let values = vp.pointer.assumingMemoryBound(to: Scalar.self)
                            let band = (t * rows / threads)..<((t + 1) * rows / threads)
                            let first = starts[band.lowerBound], count = starts[band.upperBound] - first
                            FreshMemory.prefault(indices + first, bytes: count * 4)
                            FreshMemory.prefault(values + first, bytes: count * MemoryLayout<Scalar>.stride)
                            for r in band {
                                Self.compress(x + r * n, count: n, nonzeros: starts[r + 1] - starts[r],
                                              indices: indices + starts[r], values: values + starts[r])
                            }
                        }
                    }
                    valueCount = total
                }
                indexCount = total
            }
            return SparseRows(shape: dense.shape, columns: n, rowStarts: starts, columnIndices: indices, values: values)
        }
        guard let converted else { return nil }
        self = converted
    }

    /// How many of the `n` elements at `row` are nonzero.
    @inline(__always)
    static func nonzeros(_ row: UnsafePointer<Scalar>, count n: Int) -> Int {
        var c = 0, j = 0
        if Scalar.self == Float.self {
            // 16 at a time: a compare and a masked add of ones (exact up to 2²⁴ per lane).
            var ones = FloatLoops.V16.zero
            while j + 16 <= n {
                ones += FloatLoops.V16.zero.replacing(with: 1, where: FloatLoops.load(row.float + j) .!= 0)
                j += 16
            }
            c = Int(ones.sum())
        }
        while j < n {
            c &+= Int(unsafeBitCast(row[j] != 0, to: UInt8.self))
            j += 1
        }
        return c
    }

    /// Writes the nonzeros of the `n` elements at `row` (their columns and values, in order)
    /// to `indices` and `values`, which have room for exactly that many (`count`).
    @inline(__always)
    static func compress(_ row: UnsafePointer<Scalar>, count n: Int, nonzeros count: Int,
                         indices: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Scalar>) {
        // Branch-free: every element is written at the next free place, which advances only
        // past nonzeros (a zero's entry is overwritten by the next nonzero's). Blocks of 16
        // write in place while 16 places of the row remain; nearer the row's end (past it are
        // the next row's places) they go through a small buffer and only the nonzeros are
        // copied. Blocks of 16 zeros are skipped. (Writing every block to the buffer and
        // reading it back as vectors stalled on store forwarding: a third of the conversion.)
        var blockIndices: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0, 0, 0, 0)
        var blockValues: (Scalar, Scalar, Scalar, Scalar, Scalar, Scalar, Scalar, Scalar,
                          Scalar, Scalar, Scalar, Scalar, Scalar, Scalar, Scalar, Scalar)
            = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var written = 0, j = 0
        withUnsafeMutableBytes(of: &blockIndices) { ib in
            withUnsafeMutableBytes(of: &blockValues) { vb in
                let bi = ib.baseAddress!.assumingMemoryBound(to: Int32.self)
                let bv = vb.baseAddress!.assumingMemoryBound(to: Scalar.self)
                while j < n {
                    let end = min(j + 16, n)
                    if end - j < 16 || Scalar.self != Float.self || FloatLoops.anyNonzero(row.float + j) {
                        let inPlace = written + 16 <= count
                        let (toIndices, toValues) = inPlace ? (indices + written, values + written) : (bi, bv)
                        var c = 0
                        for jj in j..<end {
                            let v = row[jj]
                            toIndices[c] = Int32(truncatingIfNeeded: jj)
                            toValues[c] = v
                            c &+= Int(unsafeBitCast(v != 0, to: UInt8.self))
                        }
                        if !inPlace {
                            (indices + written).initialize(from: bi, count: c)
                            (values + written).initialize(from: bv, count: c)
                        }
                        written += c
                    }
                    j = end
                }
            }
        }
    }

    init(shape: [Int], columns: Int, rowStarts: [Int], columnIndices: [Int32], values: [Scalar]) {
        self.shape = shape
        self.columns = columns
        self.rowStarts = rowStarts
        self.columnIndices = columnIndices
        self.values = values
    }

    /// The same matrix whether or not either was ``indexedByColumn()``.
    public static func == (a: SparseRows, b: SparseRows) -> Bool {
        a.shape == b.shape && a.rowStarts == b.rowStarts && a.columnIndices == b.columnIndices && a.values == b.values
    }

    /// These rows with their nonzeros also listed by column, as ``transposedProduct(_:into:)``
    /// reads them (it lists them itself otherwise: a seventh of a 784-40-20-10 training step,
    /// the nonzeros' scattered writes to 784 lists): for a minibatch the trainer prepares on
    /// the second core while the first computes the step before. The same matrix.
    public func indexedByColumn() -> SparseRows {
        var lists = SparseColumnLists<Scalar>()
        lists.list(self)
        var indexed = self
        indexed.columnLists = lists
        return indexed
    }

    /// Whether ``indexedByColumn()`` listed these rows' nonzeros by column.
    public var isIndexedByColumn: Bool { columnLists != nil }

    /// Number of rows (the first dimension).
    public var rows: Int { rowStarts.count - 1 }
    /// Number of stored (nonzero) elements.
    public var nonzeroCount: Int { values.count }
    /// The fraction of elements that are nonzero.
    public var density: Double { rows * columns == 0 ? 0 : Double(nonzeroCount) / Double(rows * columns) }

    /// The dense tensor (zeros filled back in).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func densified() -> Tensor<Scalar> {
        var out = Tensor<Scalar>(shape: shape)
        out.scalars.withUnsafeMutableBufferPointer { o in
            for r in 0..<rows {
                for p in rowStarts[r]..<rowStarts[r + 1] { o[r * columns + Int(columnIndices[p])] = values[p] }
            }
        }
        return out
    }

    /// Rows `range` (a contiguous slice of the batch).
    public func rows(_ range: Range<Int>) -> SparseRows {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) out of range 0..<\(rows)")
        let first = rowStarts[range.lowerBound], last = rowStarts[range.upperBound]
        return SparseRows(shape: [range.count] + shape.dropFirst(), columns: columns,
                          rowStarts: rowStarts[range.lowerBound...range.upperBound].map { $0 - first },
                          columnIndices: Array(columnIndices[first..<last]), values: Array(values[first..<last]))
    }

    /// The rows at `indices`, in that order (a minibatch drawn from a set stored once as
    /// sparse rows): each row's nonzeros copied, about a fifth of the dense row's bytes for MNIST.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func gatherRows(_ indices: [Int]) -> SparseRows {
        var batch = SparseRows()
        gatherRows(indices, listingColumns: false, into: &batch, room: 0)
        return batch
    }

    /// ``gatherRows(_:)`` (and with `listingColumns`, ``indexedByColumn()``) written into
    /// `batch`'s storage (``init()`` the first time): once it has held a batch of as many rows
    /// it has room for any (`indices.count × columns` nonzeros), so a trainer that reuses its
    /// minibatch buffers gathers every later batch without allocating.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func gatherRows(_ indices: [Int], listingColumns: Bool = false, into batch: inout SparseRows) {
        gatherRows(indices, listingColumns: listingColumns, into: &batch, room: indices.count * columns)
    }

    /// The rows at `indices` into `batch`, whose storage grows, when it must, to `room`
    /// nonzeros (or just enough, if more).
    private func gatherRows(_ indices: [Int], listingColumns: Bool, into batch: inout SparseRows, room: Int) {
        var total = 0
        for source in indices {
            precondition(source >= 0 && source < rows, "row \(source) out of range 0..<\(rows)")
            total += rowStarts[source + 1] - rowStarts[source]
        }
        var lists = batch.columnLists
        batch.columnLists = nil
        if batch.shape.count != shape.count || batch.shape[0] != indices.count || batch.shape.dropFirst() != shape.dropFirst() {
            batch.shape = [indices.count] + shape.dropFirst()
        }
        batch.columns = columns
        batch.rowStarts.removeAll(keepingCapacity: true)
        batch.columnIndices.removeAll(keepingCapacity: true)
        batch.values.removeAll(keepingCapacity: true)
        batch.rowStarts.reserveCapacity(indices.count + 1)
        if batch.values.capacity < total {
            batch.columnIndices.reserveCapacity(max(room, total))
            batch.values.reserveCapacity(max(room, total))
        }
        batch.rowStarts.append(0)
        rowStarts.withUnsafeBufferPointer { starts in
            columnIndices.withUnsafeBufferPointer { cols in
                values.withUnsafeBufferPointer { vals in
                    for source in indices {
                        let first = starts[source], count = starts[source + 1] - first
                        if count > 0 {
                            batch.columnIndices.append(contentsOf: UnsafeBufferPointer(rebasing: cols[first..<(first + count)]))
                            batch.values.append(contentsOf: UnsafeBufferPointer(rebasing: vals[first..<(first + count)]))
                        }
                        batch.rowStarts.append(batch.values.count)
                    }
                }
            }
        }
        if listingColumns {
            if lists == nil { lists = SparseColumnLists() }
            lists!.list(batch, room: room)
            batch.columnLists = lists
        }
    }

    // MARK: Products

    /// The Affine layer's forward pass on these rows: `x·W + b`, or `max(0, x·W + b)` with
    /// `.relu`, or `σ(x·W + b)` with `.sigmoid`; `W [columns, d_out]`, `b [d_out]` →
    /// `[rows, d_out]`. Equal to ``Tensor/affine(_:_:bias:activation:rows:)`` on the dense rows.
    /// With `rows`, only those rows (read in place, unlike ``rows(_:)``, which copies them) →
    /// `[rows.count, d_out]`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func affine(_ w: Tensor<Scalar>, bias b: Tensor<Scalar>, activation: AffineActivation = .identity,
                       rows range: Range<Int>? = nil) -> Tensor<Scalar> {
        .fresh { affine(w, bias: b, activation: activation, rows: range, into: &$0) }
    }

    /// ``affine(_:bias:activation:rows:)`` written over `result`'s elements when it has as many
    /// (``Tensor/init()``): an Affine layer's training-mode output, kept from step to step.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func affine(_ w: Tensor<Scalar>, bias b: Tensor<Scalar>, activation: AffineActivation = .identity,
                       rows range: Range<Int>? = nil, into result: inout Tensor<Scalar>) {
        let range = range ?? 0..<rows
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) out of range 0..<\(rows)")
        let m = range.count, n = w.columns
        precondition(w.rank == 2 && w.rows == columns, "matrix product shapes do not chain: \(shape) · \(w.shape)")
        precondition(b.count == n, "bias has \(b.count) elements, the product has \(n) columns")
        // Two threads from about 0.1 ms of work (≈ 200k multiply-adds of 16 lanes).
        let work = (rowStarts[range.upperBound] - rowStarts[range.lowerBound]) * ((n + 15) / 16)
        let threads = work >= 200_000 ? GEMMSelection.availableThreads : 1
        rowStarts.withUnsafeBufferPointer { starts in
            columnIndices.withUnsafeBufferPointer { cols in
                values.withUnsafeBufferPointer { vals in
                    w.scalars.withUnsafeBufferPointer { pw in
                        b.scalars.withUnsafeBufferPointer { pb in
                            result.overwrite(rows: m, columns: n) { out in
                                // Row r of the range is row r of `starts + range.lowerBound`, whose
                                // offsets still index the whole set's nonzeros.
                                let job = SparseAffineJob(
                                    starts: starts.baseAddress! + range.lowerBound, columns: cols.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                    values: vals.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                    w: pw.baseAddress!, k: columns, n: n, bias: pb.baseAddress!, activation: activation, out: out)
                                job.run(rows: 0..<m, threads: threads)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One sparse Affine product: raw pointers shared by the threads that compute it.
private struct SparseAffineJob<Scalar: TensorScalar>: @unchecked Sendable {
    let starts: UnsafePointer<Int>
    let columns: UnsafePointer<Int32>
    let values: UnsafePointer<Scalar>
    let w: UnsafePointer<Scalar>
    let k: Int, n: Int
    let bias: UnsafePointer<Scalar>
    let activation: AffineActivation
    let out: UnsafeMutablePointer<Scalar>

    /// The kernel on a band of rows: it adds the bias (and applies ReLU); σ follows on the
    /// band just computed, still in cache.
    private func run(_ kernel: FloatLoops.SparseAffine, _ band: Range<Int>) {
        kernel.run(rows: band)
        if activation == .sigmoid { Tensor<Float>.sigmoidInPlace(out.float + band.lowerBound * n, count: band.count * n) }
    }

    func run(rows: Range<Int>, threads: Int) {
        guard !rows.isEmpty, n > 0 else { return }
        if Scalar.self == Float.self {
            // W copied with rows padded to whole vectors (zeros past column n) and 64-byte
            // aligned: the kernel then reads each row of W as whole cache lines (unpadded
            // 40-float rows would split a third of its loads across two lines).
            let ldw = (n + 15) / 16 * 16
            let buffer = ScratchPool.packing.take(bytes: (k + 1) * ldw * 4)
            defer { ScratchPool.packing.give(buffer) }
            let packed = buffer.pointer.bindMemory(to: Float.self, capacity: (k + 1) * ldw)
            for kk in 0...k {
                (packed + kk * ldw).update(from: kk < k ? w.float + kk * n : bias.float, count: n)
                (packed + kk * ldw + n).update(repeating: 0, count: ldw - n)
            }
            let kernel = FloatLoops.SparseAffine(starts: starts, columns: columns, values: values.float,
                                                 w: UnsafePointer(packed), ldw: ldw, n: n,
                                                 bias: UnsafePointer(packed + k * ldw), relu: activation == .relu,
                                                 out: out.float)
            if threads <= 1 || rows.count < 64 {
                run(kernel, rows)
            } else {
                // Bands of equal nonzero counts, not equal row counts.
                let first = starts[rows.lowerBound], total = starts[rows.upperBound] - first
                var bounds = [rows.lowerBound]
                var r = rows.lowerBound
                for t in 1..<threads {
                    let target = first + total * t / threads
                    while r < rows.upperBound && starts[r] < target { r += 1 }
                    bounds.append(r)
                }
                bounds.append(rows.upperBound)
                let cuts = bounds
                ParallelLoop.run(threads) { t in run(kernel, cuts[t]..<cuts[t + 1]) }
            }
        } else {
            for r in rows {
                let o = out + r * n
                o.initialize(repeating: 0, count: n)
                for p in starts[r]..<starts[r + 1] {
                    let v = values[p], wRow = w + Int(columns[p]) * n
                    for j in 0..<n { o[j] += v * wRow[j] }
                }
            }
            Tensor.finishRows(out, rows, n, zeroProduct: false, bias, activation)
        }
    }
}
