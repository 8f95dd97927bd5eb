/// Reads a byte range of a stored blob, handing out no byte before the 1 MiB chunk it
/// belongs to was hashed and matched the blob's `ChunkTable`. It reads the chunks the
/// range touches in one pass of the driver (`source` opened on the range widened to
/// chunk boundaries). A chunk that does not match throws `integrity` (and every read
/// after it does too), so a caller never gets all of a range with a wrong byte in it.
final class ChunkVerifiedReader: BlobReader {
    let digest: Digest
    let length: Int64
    private let source: any DriverReader
    private let table: ChunkTable
    private var position: Int64
    private let end: Int64
    private let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: ChunkTable.chunkSize, alignment: 16)
    /// Which chunk `chunk` holds (verified), and how many of its bytes are valid.
    private var loaded: (index: Int, count: Int)?
    private var failure: HangarError?

    /// `source` must start at the chunk `range` starts in.
    init(digest: Digest, source: any DriverReader, table: ChunkTable, range: Range<Int64>) {
        self.digest = digest
        self.source = source
        self.table = table
        position = range.lowerBound
        end = min(range.upperBound, table.blobSize)
        length = end - position
    }

    /// The range of whole chunks `range` touches, to open the driver on.
    static func aligned(_ range: Range<Int64>, size: Int64) -> Range<Int64> {
        let c = Int64(ChunkTable.chunkSize)
        return (range.lowerBound / c * c)..<min(size, (min(range.upperBound, size) + c - 1) / c * c)
    }

    deinit {
        close()
        chunk.deallocate()
    }

    nonisolated(nonsending) func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        if let failure { throw failure }
        guard position < end, buffer.count > 0 else { return 0 }
        let index = Int(position / Int64(ChunkTable.chunkSize))
        do {
            if loaded?.index != index { try await load(index) }
        } catch let e as HangarError {
            failure = e
            throw e
        }
        let start = Int(position - Int64(index) * Int64(ChunkTable.chunkSize))
        let available = min(loaded!.count - start, Int(end - position), buffer.count)
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: chunk[start..<(start + available)]))
        position += Int64(available)
        return available
    }

    /// Reads the next chunk of the source, which is chunk `index`.
    nonisolated(nonsending) private func load(_ index: Int) async throws {
        let offset = Int64(index) * Int64(ChunkTable.chunkSize)
        let expected = Int(min(Int64(ChunkTable.chunkSize), table.blobSize - offset))
        let filled = try await source.fill(UnsafeMutableRawBufferPointer(rebasing: chunk[0..<expected]))
        guard filled == expected else {
            throw HangarError.integrity("blob \(digest) is truncated: chunk \(index) has \(filled) of \(expected) bytes")
        }
        guard SHA256Hasher.digest(UnsafeRawBufferPointer(rebasing: chunk[0..<filled])).bytes == table.hashes[index] else {
            throw HangarError.integrity("blob \(digest) is corrupt: bytes \(offset)..<\(offset + Int64(filled)) do not match")
        }
        loaded = (index, filled)
    }

    func close() { source.close() }
}
