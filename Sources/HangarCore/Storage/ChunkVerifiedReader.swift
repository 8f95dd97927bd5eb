#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a byte range of a stored blob, handing out no byte before the 1 MiB chunk it
/// belongs to was hashed and matched the blob's `ChunkTable`. A chunk that does not
/// match throws `integrity` (and every read after it does too), so a caller never gets
/// all of a range with a wrong byte in it.
final class ChunkVerifiedReader: BlobReader {
    let digest: Digest
    let length: Int64
    private let file: OpenBlobFile
    private let table: ChunkTable
    private var position: Int64
    private let end: Int64
    private let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: ChunkTable.chunkSize, alignment: 16)
    /// Which chunk `chunk` holds (verified), and how many of its bytes are valid.
    private var loaded: (index: Int, count: Int)?
    private var failure: HangarError?
    private var closed = false

    init(file: OpenBlobFile, table: ChunkTable, range: Range<Int64>) {
        self.file = file
        self.table = table
        digest = file.digest
        position = range.lowerBound
        end = min(range.upperBound, file.size)
        length = end - position
    }

    deinit {
        close()
        chunk.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        precondition(!closed, "read after close")
        if let failure { throw failure }
        guard position < end, buffer.count > 0 else { return 0 }
        let index = Int(position / Int64(ChunkTable.chunkSize))
        do {
            if loaded?.index != index { try load(index) }
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

    private func load(_ index: Int) throws {
        let offset = Int64(index) * Int64(ChunkTable.chunkSize)
        let expected = Int(min(Int64(ChunkTable.chunkSize), table.blobSize - offset))
        let filled = try ChunkTable.fill(UnsafeMutableRawBufferPointer(rebasing: chunk[0..<expected]), from: file, at: offset)
        guard filled == expected else {
            throw HangarError.integrity("blob \(digest) is truncated: chunk \(index) has \(filled) of \(expected) bytes")
        }
        guard SHA256Hasher.digest(UnsafeRawBufferPointer(rebasing: chunk[0..<filled])).bytes == table.hashes[index] else {
            throw HangarError.integrity("blob \(digest) is corrupt: bytes \(offset)..<\(offset + Int64(filled)) do not match")
        }
        loaded = (index, filled)
    }

    func close() {
        if !closed { Glibc.close(file.fd); closed = true }
    }
}
