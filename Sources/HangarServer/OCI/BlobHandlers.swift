import HangarCore
import HTTPTypes
import Hummingbird

/// `HEAD`/`GET /v2/<name>/blobs/<digest>`: a blob's size, or its bytes (whole or one
/// range) streamed from the store. Deleting blobs is refused: garbage collection owns it.
struct BlobHandlers: Sendable {
    let state: ServerState

    /// The blob's size and digest headers, no body. The size may be a second old (on an
    /// object store a lookup is a request of its own); a GET always looks again.
    func head(_ request: Request, _ context: HangarRequestContext, name: String, digest text: String) async throws -> Response {
        let (digest, size) = try await locate(request, context, name: name, digest: text, cachedSize: true)
        return Responses.empty(.ok, headers: headers(digest, length: size))
    }

    /// The blob's bytes; `206` with `Content-Range` for a satisfiable `Range`. No client
    /// gets a complete response with wrong bytes: a blob up to `checkedInMemory` is read and
    /// checked whole before the answer starts (a corrupt one is 500 `BLOB_CORRUPT`); a
    /// larger one is checked while it streams and cut short at the first bad byte; a range
    /// is served through the blob's chunk table, one checked 1 MiB chunk at a time.
    func get(_ request: Request, _ context: HangarRequestContext, name: String, digest text: String) async throws -> Response {
        // The size as the store has it now: a cached one could frame damaged bytes as a
        // complete answer (found by BlobHonestyTests when GETs used the HEAD cache).
        let (digest, size) = try await locate(request, context, name: name, digest: text)
        // An object store configured to redirect serves the bytes itself (a presigned URL;
        // OCI clients check the digest of what they download). Small blobs stay here,
        // checked and cached.
        if size > Self.checkedInMemory, let url = try await state.blobs.redirectURL(for: digest, expiresIn: .seconds(300)) {
            return Response(status: .temporaryRedirect, headers: [.location: url, .dockerContentDigest: digest.description])
        }
        let range = try ByteRange.resolve(request.headers[.range], size: size)
        var headers = headers(digest, length: range.map { $0.upperBound - $0.lowerBound } ?? size)
        if let range {
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
        }
        let status: HTTPResponse.Status = range == nil ? .ok : .partialContent
        do {
            if range == nil, size <= Self.checkedInMemory {
                let bytes = try await state.smallBlobs.bytes(digest, from: state.blobs, limit: Self.checkedInMemory)
                headers[.contentLength] = String(bytes.readableBytes)
                return Response(status: status, headers: headers, body: .init(byteBuffer: bytes))
            }
            let reader = try await state.blobs.reader(for: digest, range: range, verification: state.configuration.blobReads)
            headers[.contentLength] = String(reader.length)
            return Response(status: status, headers: headers, body: BlobStreaming.body(reader, logger: context.logger, metrics: state.metrics))
        } catch let e as HangarError where e.kind == .integrity {
            state.metrics.corruptBlobServed()
            context.logger.critical("stored blob failed its digest check; not served", metadata: ["error": .string(e.description)])
            throw APIError(.integrity, .blobCorrupt, "blob \(digest) is damaged in the store and is not served: \(e.message)", scope: .blob)
        }
    }

    /// Blobs up to this size are checked whole before the answer starts.
    static let checkedInMemory = 1 << 20

    /// Finds a blob visible in the repository, for a caller who may read it.
    private func locate(_ request: Request, _ context: HangarRequestContext, name: String, digest text: String,
                        cachedSize: Bool = false) async throws -> (Digest, Int64) {
        let found = try await state.registry.blob(name, digest: text, cachedSize: cachedSize, by: context.caller)
        return (found.digest, found.size)
    }

    private func headers(_ digest: Digest, length: Int64) -> HTTPFields {
        [.contentLength: String(length), .dockerContentDigest: digest.description, .eTag: "\"\(digest)\"",
         .acceptRanges: "bytes", .contentType: "application/octet-stream"]
    }
}
