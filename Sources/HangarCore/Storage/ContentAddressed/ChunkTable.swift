/// The SHA-256 of each 1 MiB chunk of a blob, so a byte range can be checked without
/// reading the whole blob. Made the first time a range of the blob is read (from a read
/// of the whole blob that also checks its digest: a table is only ever made from good
/// bytes) and kept beside the blobs under `chunks/`, through the same driver.
///
/// File format: `HANGAR-CHUNKS-1\n`, the chunk size and the blob size (8 bytes each, big
/// endian), one 32-byte SHA-256 per chunk, then the SHA-256 of everything before it, so a
/// damaged table is noticed (and made again) rather than trusted.
struct ChunkTable: Equatable {
    static let chunkSize = 1 << 20
    static let magic = Array("HANGAR-CHUNKS-1\n".utf8)

    let blobSize: Int64
    let hashes: [[UInt8]]

    /// Reads the whole blob `digest` through `reader`, checks it hashes to its digest and
    /// is `reader.object.size` long, and returns its table. `integrity` when it is not.
    static func build(_ digest: Digest, from reader: any DriverReader) async throws -> ChunkTable {
        let whole = SHA256Hasher()
        var hashes: [[UInt8]] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var size: Int64 = 0
        while true {
            let filled = try await reader.fill(buffer)
            guard filled > 0 else { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<filled])
            whole.update(chunk)
            hashes.append(SHA256Hasher.digest(chunk).bytes)
            size += Int64(filled)
        }
        let actual = whole.finalize()
        guard size == reader.object.size, actual == digest else {
            throw HangarError.integrity("blob \(digest) is corrupt: its bytes hash to \(actual)")
        }
        return ChunkTable(blobSize: size, hashes: hashes)
    }

    var encoded: [UInt8] {
        var out = Self.magic
        for n in [UInt64(Self.chunkSize), UInt64(blobSize)] { withUnsafeBytes(of: n.bigEndian) { out += $0 } }
        for h in hashes { out += h }
        out += SHA256Hasher.digest(out).bytes
        return out
    }

    /// The table in `bytes`, or nil when they are not a whole, undamaged table.
    static func decode(_ bytes: [UInt8]) -> ChunkTable? {
        let head = magic.count + 16
        guard bytes.count >= head + 32, Array(bytes.prefix(magic.count)) == magic,
              SHA256Hasher.digest(bytes.dropLast(32)).bytes == Array(bytes.suffix(32)) else { return nil }
        func number(_ at: Int) -> UInt64 { bytes[at..<(at + 8)].reduce(0) { $0 << 8 | UInt64($1) } }
        guard number(magic.count) == UInt64(chunkSize), number(magic.count + 8) <= UInt64(Int64.max) else { return nil }
        let size = Int64(number(magic.count + 8))
        let count = Int((size + Int64(chunkSize) - 1) / Int64(chunkSize))
        guard bytes.count == head + 32 * count + 32 else { return nil }
        let hashes = (0..<count).map { Array(bytes[(head + 32 * $0)..<(head + 32 * $0 + 32)]) }
        return ChunkTable(blobSize: size, hashes: hashes)
    }
}
