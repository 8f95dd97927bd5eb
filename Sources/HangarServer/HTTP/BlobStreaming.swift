import HangarCore
import Hummingbird
import Logging

/// Moving blob bytes between HTTP bodies and the blob store without holding a blob in
/// memory: responses stream from a `BlobReader` in 512 KiB chunks, request bodies stream
/// into a `BlobWriter` chunk by chunk as they arrive.
enum BlobStreaming {
    static let chunkSize = 1 << 20

    /// A response body that streams `reader` (which it closes). A whole-blob reader checks
    /// the digest as it goes, and each chunk is sent only once the next read succeeded: if
    /// the stored bytes are corrupt, the last chunk is held back and the connection cut,
    /// so a client never receives a corrupt blob as complete. The next chunk is read (and
    /// hashed) while the one before it is being sent.
    static func body(_ reader: any BlobReader, logger: Logger, metrics: ServerMetrics) -> ResponseBody {
        let source = ReaderHandoff(reader)
        return ResponseBody(contentLength: Int(reader.length)) { writer in
            let allocator = ByteBufferAllocator()
            @Sendable func read() -> Task<ByteBuffer?, any Error> {
                Task {
                    var buffer = allocator.buffer(capacity: chunkSize)
                    return try await buffer.append(from: source.reader, upTo: chunkSize) > 0 ? buffer : nil
                }
            }
            var next = read()
            defer { source.reader.close() }
            var pending: ByteBuffer?
            do {
                while let buffer = try await next.value {  // nil: the end, and the digest matched
                    next = read()
                    if let ready = pending { try await writer.write(ready) }
                    pending = buffer
                }
                if let last = pending { try await writer.write(last) }
            } catch {
                _ = try? await next.value  // the reader is closed only once no read is in flight
                if let e = error as? HangarError, e.kind == .integrity {
                    metrics.corruptBlobServed()
                    logger.critical("stored blob failed its digest check while served", metadata: ["error": .string(e.description)])
                }
                throw error
            }
            try await writer.finish(nil)
        }
    }

    /// Writes every chunk of `body` into `writer`, counting the bytes on `record`.
    /// Returns the number of bytes received. A failure of the body (a dropped
    /// connection) is rethrown after the bytes received so far were written; a failure
    /// to store bytes (disk full, I/O error) is thrown as `StoreFailure`, the writer left
    /// at the end of the last batch it stored. Chunks are gathered into batches of up to
    /// `writeSize` bytes, one store write each.
    @discardableResult
    static func drain(_ body: RequestBody, into writer: any BlobWriter, record: RequestRecord) async throws -> Int64 {
        let batch = UnsafeMutableRawBufferPointer.allocate(byteCount: writeSize, alignment: 16)
        defer { batch.deallocate() }
        var filled = 0
        var total: Int64 = 0
        func flush() async throws {
            guard filled > 0 else { return }
            do {
                try await writer.write(UnsafeRawBufferPointer(rebasing: batch[0..<filled]))
            } catch {
                throw StoreFailure(cause: error)
            }
            filled = 0
        }
        do {
            for try await chunk in body {
                total += Int64(chunk.readableBytes)
                record.received(chunk.readableBytes)
                var rest = chunk
                while rest.readableBytes > 0 {
                    let n = min(rest.readableBytes, writeSize - filled)
                    rest.withUnsafeReadableBytes { source in
                        UnsafeMutableRawBufferPointer(rebasing: batch[filled..<(filled + n)])
                            .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<n]))
                    }
                    rest.moveReaderIndex(forwardBy: n)
                    filled += n
                    if filled == writeSize { try await flush() }
                }
            }
        } catch let failure as StoreFailure {
            throw failure
        } catch {
            try await flush()  // what arrived before the connection dropped is kept
            throw error
        }
        try await flush()
        return total
    }

    static let writeSize = 1 << 20

    /// The store could not take bytes the client sent (as opposed to the client failing
    /// to send them).
    struct StoreFailure: Error, CustomStringConvertible {
        let cause: any Error
        var description: String { "\(cause)" }
    }
}

/// Hands a reader opened by a handler to the response body's writing task. A reader is
/// used by one task at a time; here the handler opens it and never touches it again.
struct ReaderHandoff: @unchecked Sendable {
    let reader: any BlobReader
    init(_ reader: any BlobReader) { self.reader = reader }
}

extension ByteBuffer {
    /// Reads up to `count` bytes from `reader` straight into this buffer's free space;
    /// returns how many (0 at the reader's end).
    mutating func append(from reader: any BlobReader, upTo count: Int) async throws -> Int {
        reserveCapacity(minimumWritableBytes: count)
        // The storage is held by this buffer alone (it was just reserved) and is neither
        // resized nor shared until the read returns, so its address stays valid across it.
        let space = withUnsafeMutableWritableBytes { $0 }
        let n = try await reader.read(into: UnsafeMutableRawBufferPointer(rebasing: space[0..<count]))
        moveWriterIndex(forwardBy: n)
        return n
    }
}
