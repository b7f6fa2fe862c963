/// A nonzero in its column's list: its row and value.
struct SparseEntry<Scalar: TensorScalar> {
    var row: Int32
    var value: Scalar
}

/// The nonzeros of ``SparseRows`` listed by column, back to back (compressed sparse columns):
/// column k's are `entries[starts[k]..<starts[k + 1]]`, their rows ascending. What `xᵀ·dout`
/// reads, column by column.
struct SparseColumnLists<Scalar: TensorScalar>: Sendable {
    /// `columns + 1` offsets into `entries`.
    private(set) var starts: [Int] = []
    /// Room for at least the listed nonzeros; those past `starts[columns]` mean nothing.
    private(set) var entries: [SparseEntry<Scalar>] = []

    /// `x`'s nonzeros by column, over these lists' storage when it has room for them (else in
    /// storage with room for `room`, or just enough if more): counted per column, then each
    /// copied to its column's next free place, x's rows in order (a stable counting sort).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    mutating func list(_ x: SparseRows<Scalar>, room: Int = 0) {
        let k = x.columns, total = x.nonzeroCount
        if starts.count != k + 1 { starts = [Int](repeating: 0, count: k + 1) }
        if entries.count < total {
            // Never read before it is written (entries past the listed ones are not read at all).
            entries = [SparseEntry<Scalar>](unsafeUninitializedCapacity: max(room, total)) { _, count in count = max(room, total) }
        }
        x.columnIndices.withUnsafeBufferPointer { cols in
            starts.withUnsafeMutableBufferPointer { s in
                entries.withUnsafeMutableBufferPointer { entries in
                    // s[c + 1] = the nonzeros in column c, then s[c] = where column c's begin
                    s.update(repeating: 0)
                    for p in 0..<total { s[Int(cols[p]) + 1] += 1 }
                    for c in 0..<k { s[c + 1] += s[c] }
                    // Listing moves s[c] on to the end of column c (= the start of c + 1) ...
                    if let out = entries.baseAddress { x.listColumns(rows: 0..<x.rows, ends: s.baseAddress!, entries: out) }
                    // ... so one place to the right they are the starts again.
                    for c in stride(from: k, to: 0, by: -1) { s[c] = s[c - 1] }
                    s[0] = 0
                }
            }
        }
    }
}

extension SparseRows {
    /// Copies each nonzero of rows `rows` to the end of its column's list (a counting sort by
    /// column): column c's goes to `entries[ends[c]]`, and `ends[c]` moves on by one. Each
    /// entry's row is counted from `rows.lowerBound`.
    func listColumns(rows: Range<Int>, ends: UnsafeMutablePointer<Int>, entries: UnsafeMutablePointer<SparseEntry<Scalar>>) {
        rowStarts.withUnsafeBufferPointer { starts in
            columnIndices.withUnsafeBufferPointer { cols in
                values.withUnsafeBufferPointer { vals in
                    guard let cols = cols.baseAddress, let vals = vals.baseAddress else { return }
                    for r in rows {
                        let row = Int32(truncatingIfNeeded: r - rows.lowerBound)
                        for p in starts[r]..<starts[r + 1] {
                            let c = Int(cols[p]), at = ends[c]
                            (entries + at).initialize(to: SparseEntry(row: row, value: vals[p]))
                            ends[c] = at &+ 1
                        }
                    }
                }
            }
        }
    }

    /// The Affine layer's weight gradient for these rows as its input: `dW = xᵀ·dout` over the
    /// nonzeros only, `dW[k, :] = Σ v·dout[r, :]` over the nonzeros (r, v) of column k (rows k
    /// of no nonzero are 0). `dout [rows, n]`; `dW` is overwritten and must hold `columns · n`
    /// elements (read as `[columns, n]`).
    ///
    /// Each sum runs over r ascending, one fused multiply-add per nonzero: the dense product's
    /// terms less those with x = 0, though not necessarily in its order (equal within rounding).
    /// It reads the nonzeros listed by column: those of ``indexedByColumn()``, or else listed
    /// here, up to 128 rows at a time, each column given room for all of them (scattered
    /// writes to 784 places 800 bytes apart: measured faster than counting each column's
    /// nonzeros first to list them back to back). Float32 accumulates each row of dW in
    /// registers (``FloatLoops/SparseTransposedProduct``); one thread, as a minibatch's product
    /// takes tens of microseconds.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func transposedProduct(_ dout: Tensor<Scalar>, into dW: inout Tensor<Scalar>) {
        let n = dout.columns, k = columns
        precondition(dout.rows == rows, "xᵀ·dout needs dout with \(rows) rows, got \(dout.shape)")
        precondition(dW.count == k * n, "xᵀ·dout is [\(k), \(n)] but the output is \(dW.shape)")
        dout.scalars.withUnsafeBufferPointer { d in
            dW.scalars.withUnsafeMutableBufferPointer { out in
                guard let out = out.baseAddress else { return }
                guard nonzeroCount > 0, let d = d.baseAddress else {
                    out.update(repeating: 0, count: k * n)
                    return
                }
                // Rows `chunk` of dout, padded to whole vectors (zeros past column n) in Float32,
                // times the chunk's lists.
                func multiply(_ chunk: Range<Int>, _ begins: UnsafePointer<Int>, _ ends: UnsafePointer<Int>,
                              _ entries: UnsafePointer<SparseEntry<Scalar>>) {
                    guard Scalar.self == Float.self else {
                        for c in 0..<k {
                            let o = out + c * n
                            if chunk.lowerBound == 0 { o.update(repeating: 0, count: n) }
                            for p in begins[c]..<ends[c] {
                                let v = entries[p].value, dRow = d + (chunk.lowerBound + Int(entries[p].row)) * n
                                for j in 0..<n { o[j] += v * dRow[j] }
                            }
                        }
                        return
                    }
                    let ldd = (n + 15) / 16 * 16
                    let buffer = ScratchPool.packing.take(bytes: chunk.count * ldd * 4)
                    defer { ScratchPool.packing.give(buffer) }
                    let padded = buffer.pointer.bindMemory(to: Float.self, capacity: chunk.count * ldd)
                    for r in chunk {
                        let row = padded + (r - chunk.lowerBound) * ldd
                        row.update(from: d.float + r * n, count: n)
                        (row + n).update(repeating: 0, count: ldd - n)
                    }
                    FloatLoops.SparseTransposedProduct(
                        begins: begins, ends: ends, entries: UnsafeRawPointer(entries).assumingMemoryBound(to: SparseEntry<Float>.self),
                        dout: padded, ldd: ldd, n: n, out: out.float, continuing: chunk.lowerBound > 0
                    ).run(rows: 0..<k)
                }
                if let lists = columnLists {
                    lists.starts.withUnsafeBufferPointer { starts in
                        lists.entries.withUnsafeBufferPointer { entries in
                            multiply(0..<rows, starts.baseAddress!, starts.baseAddress! + 1, entries.baseAddress!)
                        }
                    }
                    return
                }
                let slots = min(rows, 128)
                let entryBytes = k * slots * MemoryLayout<SparseEntry<Scalar>>.stride
                let buffer = ScratchPool.packing.take(bytes: entryBytes + 2 * k * MemoryLayout<Int>.stride)
                defer { ScratchPool.packing.give(buffer) }
                let entries = buffer.pointer.bindMemory(to: SparseEntry<Scalar>.self, capacity: k * slots)
                let begins = (buffer.pointer + entryBytes).bindMemory(to: Int.self, capacity: 2 * k)
                let ends = begins + k
                for c in 0..<k { begins[c] = c * slots }
                for r0 in stride(from: 0, to: rows, by: slots) {
                    let chunk = r0..<min(rows, r0 + slots)
                    ends.update(from: begins, count: k)
                    listColumns(rows: chunk, ends: ends, entries: entries)
                    multiply(chunk, begins, ends, entries)
                }
            }
        }
    }
}
