import HangarCore
import Hummingbird
import Logging

/// Moving blob bytes between HTTP bodies and the blob store without holding a blob in
/// memory: responses stream from a `BlobReader` in 512 KiB chunks, request bodies stream
/// into a `BlobWriter` chunk by chunk as they arrive.
enum BlobStreaming {
    static let chunkSize = 512 << 10
    /// Chunks read per trip to the blocking-I/O thread.
    static let chunksPerRead = 2

    /// A response body that streams `reader` (which it closes). A whole-blob reader checks
    /// the digest as it goes, and each chunk is sent only once the next read succeeded: if
    /// the stored bytes are corrupt, the last chunk is held back and the connection cut,
    /// so a client never receives a corrupt blob as complete.
    static func body(_ reader: any BlobReader, logger: Logger, metrics: ServerMetrics) -> ResponseBody {
        let source = ReaderHandoff(reader)
        return ResponseBody(contentLength: Int(reader.length)) { writer in
            defer { source.reader.close() }
            let allocator = ByteBufferAllocator()
            var pending: ByteBuffer?
            do {
                while true {
                    // Reads (and their hashing) run on a blocking-I/O thread, a few chunks a trip.
                    let (buffers, ended) = try await BlockingIO.run {
                        var buffers: [ByteBuffer] = []
                        while buffers.count < chunksPerRead {
                            var buffer = allocator.buffer(capacity: chunkSize)
                            let n = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunkSize) { try source.reader.read(into: $0) }
                            if n == 0 { return (buffers, true) }  // the end, and the digest matched
                            buffers.append(buffer)
                        }
                        return (buffers, false)
                    }
                    for buffer in buffers {
                        if let ready = pending { try await writer.write(ready) }
                        pending = buffer
                    }
                    if ended {
                        if let last = pending { try await writer.write(last) }
                        break
                    }
                }
            } catch let e as HangarError where e.kind == .integrity {
                metrics.corruptBlobServed()
                logger.critical("stored blob failed its digest check while served", metadata: ["error": .string(e.description)])
                throw e
            }
            try await writer.finish(nil)
        }
    }

    /// Writes every chunk of `body` into `writer`, counting the bytes on `record`.
    /// Returns the number of bytes written. A failure of the body (a dropped
    /// connection) is rethrown after the bytes received so far were written; a failure
    /// to store a chunk (disk full, I/O error) is thrown as `StoreFailure`, the writer
    /// left at the end of the last chunk it stored.
    /// Chunks are gathered up to `writeSize` and written on a blocking-I/O thread.
    @discardableResult
    static func drain(_ body: RequestBody, into writer: any BlobWriter, record: RequestRecord) async throws -> Int64 {
        let target = Handoff(writer)
        var total: Int64 = 0
        var gathered: [ByteBuffer] = []
        var gatheredBytes = 0
        func flush() async throws {
            guard gatheredBytes > 0 else { return }
            let batch = gathered
            gathered.removeAll(keepingCapacity: true)
            gatheredBytes = 0
            do {
                try await BlockingIO.run {
                    for chunk in batch { try chunk.withUnsafeReadableBytes { try target.value.write($0) } }
                }
            } catch {
                throw StoreFailure(cause: error)
            }
        }
        do {
            for try await chunk in body {
                gathered.append(chunk)
                gatheredBytes += chunk.readableBytes
                total += Int64(chunk.readableBytes)
                record.received(chunk.readableBytes)
                if gatheredBytes >= writeSize { try await flush() }
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
