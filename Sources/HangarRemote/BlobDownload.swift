import AsyncHTTPClient
import Foundation
import HangarCore
import NIOCore

/// A blob downloaded from a server into a scratch file whose bytes were checked against
/// the digest while they arrived; reading it yields exactly those verified bytes, and
/// closing it deletes the file.
final class DownloadedBlob: BlobReader {
    let digest: Digest
    let length: Int64
    private let file: ScratchFile
    private let reader: LocalFileReader

    init(digest: Digest, file: ScratchFile) throws {
        self.digest = digest
        self.file = file
        length = file.size
        reader = try LocalFileReader(path: file.path)
    }

    deinit { close() }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try reader.read(into: buffer)
    }

    func close() {
        reader.close()
        file.remove()
    }
}

extension HTTPTransport {
    /// Streams blob `digest` of `project` into a scratch file in `directory`, hashing as it
    /// arrives, and returns it only when the bytes hash to `digest` (and, when given, are
    /// `size` long): otherwise `integrity`, and the file is removed. Memory stays flat.
    func downloadBlob(_ digest: Digest, size: Int64?, project: String, into directory: String,
                      progress: ((Int64) -> Void)?) async throws -> DownloadedBlob {
        let what = "download of blob \(digest)"
        var request = request(.GET, APIPath.blob(project, digest))
        request.headers.replaceOrAdd(name: "Accept", value: "application/octet-stream")
        let response = try await execute(request, what: what)
        let file = try ScratchFile(in: directory, label: "hangar-download")
        do {
            let hasher = SHA256Hasher()
            do {
                for try await chunk in response.body {
                    try chunk.withUnsafeReadableBytes { bytes in
                        hasher.update(bytes)
                        try file.write(bytes)
                    }
                    if let size, file.size > size {
                        throw HangarError.integrity("blob \(digest) from \(endpoint.baseURL) is longer than its \(size) bytes: refusing it")
                    }
                    progress?(file.size)
                }
            } catch let error as HangarError {
                throw error
            } catch {
                throw HangarError(.io, "the \(what) from \(endpoint.baseURL) broke off after \(file.size) bytes", cause: error)
            }
            file.closeForWriting()
            try Self.check(hasher.finalize(), file.size, against: digest, size, from: endpoint.baseURL)
            return try DownloadedBlob(digest: digest, file: file)
        } catch {
            file.remove()
            throw error
        }
    }

    /// `integrity` unless the downloaded bytes are the blob that was asked for.
    static func check(_ got: Digest, _ gotSize: Int64, against digest: Digest, _ size: Int64?, from server: String) throws {
        guard got == digest else {
            throw HangarError.integrity("blob \(digest) from \(server) hashes to \(got): the bytes are corrupt (on the server or in transit); nothing was extracted")
        }
        if let size, gotSize != size {
            throw HangarError.integrity("blob \(digest) from \(server) has \(gotSize) bytes, its manifest says \(size)")
        }
    }
}
