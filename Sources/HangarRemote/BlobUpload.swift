#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncHTTPClient
import Foundation
import HangarCore
import NIOCore

/// A build output archived into a scratch file, with the digest computed while writing.
struct ArchivedFile {
    let file: ScratchFile
    let digest: Digest
    let size: Int64
    let inputBytes: Int64

    /// Archives `path` deterministically into a new scratch file in one pass: every chunk
    /// the archiver produces is hashed and written.
    static func make(_ path: String, compression: ArchiveCompression, progress: ((Int64) -> Void)?) throws -> ArchivedFile {
        let file = try ScratchFile(label: "hangar-upload")
        do {
            let hasher = SHA256Hasher()
            let summary = try DeterministicArchiver(compression: compression).archive(path, into: { chunk in
                hasher.update(chunk)
                try file.write(chunk)
            }, progress: progress)
            file.closeForWriting()
            return ArchivedFile(file: file, digest: hasher.finalize(), size: summary.outputBytes, inputBytes: summary.inputBytes)
        } catch {
            file.remove()
            throw error
        }
    }
}

/// The bytes of a file as a stream of buffers, read one chunk at a time as the HTTP
/// client asks for them: an upload holds one chunk in memory, whatever the file's size.
struct FileByteStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    static let chunkSize = 256 << 10

    let path: String
    /// Called with the bytes handed out so far.
    let sent: ProgressRelay

    final class AsyncIterator: AsyncIteratorProtocol {
        private let path: String
        private let sent: ProgressRelay
        private var reader: LocalFileReader?
        private var total: Int64 = 0

        init(path: String, sent: ProgressRelay) {
            self.path = path
            self.sent = sent
        }

        func next() async throws -> ByteBuffer? {
            let reader = try self.reader ?? LocalFileReader(path: path)
            self.reader = reader
            var buffer = ByteBufferAllocator().buffer(capacity: FileByteStream.chunkSize)
            let n = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: FileByteStream.chunkSize) { raw in
                try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<FileByteStream.chunkSize]))
            }
            if n == 0 {
                reader.close()
                return nil
            }
            total += Int64(n)
            sent.report(total)
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(path: path, sent: sent)
    }
}

/// Hands progress from the task that streams a request body to the caller's callback.
/// The callback is not `Sendable`; it is called only from the body stream, one chunk at
/// a time, while the caller is suspended awaiting the request, so calls never overlap.
final class ProgressRelay: @unchecked Sendable {
    private let callback: ((Int64) -> Void)?

    init(_ callback: ((Int64) -> Void)?) {
        self.callback = callback
    }

    func report(_ done: Int64) {
        callback?(done)
    }
}

extension HTTPTransport {
    /// Whether the server has the blob in the project (HEAD: 200 yes, 404 no).
    func hasBlob(_ digest: Digest, project: String) async throws -> Bool {
        let request = request(.HEAD, APIPath.blob(project, digest))
        let response = try await execute(request, what: "HEAD blob \(digest)", accept: [404])
        return response.status.code == 200
    }

    /// Uploads a file as one blob: a POST opens the upload, a PUT to its `Location` with
    /// `digest=` streams the whole file; the server checks the digest before keeping it.
    func uploadBlob(_ file: ArchivedFile, project: String, progress: ((Int64) -> Void)?) async throws {
        let what = "upload of blob \(file.digest)"
        let start = try await execute(request(.POST, APIPath.uploads(project)), what: what)
        guard start.status.code == 202, let location = start.headers.first(name: "Location"), !location.isEmpty else {
            throw HangarError(.io, "the server did not open an upload for \(file.digest) (answered \(start.status.code) without a Location)")
        }
        let uploadsURL = endpoint.baseURL + APIPath.uploads(project)
        guard let target = URL(string: location, relativeTo: URL(string: uploadsURL))?.absoluteString else {
            throw HangarError(.io, "the server opened an upload at '\(location)', which is not a URL")
        }
        var put = request(.PUT, target, query: [("digest", file.digest.description)])
        put.headers.add(name: "Content-Type", value: "application/octet-stream")
        let stream = FileByteStream(path: file.file.path, sent: ProgressRelay(progress))
        put.body = .stream(stream, length: .known(file.size))
        let done = try await execute(put, what: what, timeout: .hours(24))
        guard done.status.code == 201 else {
            throw HangarError(.io, "the server answered \(done.status.code) instead of 201 to the \(what)")
        }
    }
}
