import AsyncHTTPClient
import Foundation
import HangarCore
import NIOCore
import NIOHTTP1

/// Blobs in an S3-compatible bucket (AWS S3, Ceph RADOS Gateway, MinIO, SeaweedFS…):
/// keys are object keys under the configured prefix. Reads are (ranged) GETs streamed
/// as they arrive; writes go up in parts as they arrive (`S3Appender`); listing is
/// ListObjectsV2, page by page. Runs `BlobStoreConformance` against a real Ceph RGW.
public final class S3Driver: BlobDriver {
    public var processLocal: Bool { false }
    let client: S3Client
    var config: S3Configuration { client.config }

    public init(_ config: S3Configuration, http: HTTPClient = S3Client.sharedHTTP) {
        self.client = S3Client(config, http: http)
    }

    public func stat(_ key: String) async throws -> DriverObject? {
        do {
            let response = try await client.send(S3Request(method: .HEAD, key: key), "cannot look up \(key)")
            return try Self.object(key, response.headers)
        } catch let e as HangarError where e.kind == .notFound {
            return nil
        }
    }

    public func reader(_ key: String, range: Range<Int64>?) async throws -> any DriverReader {
        var request = S3Request(method: .GET, key: key)
        if let range {
            if range.isEmpty { return try await emptyReader(key) }
            request.headers.append(("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)"))
        }
        let response = try await client.send(request, "cannot read \(key)", accept: [416])
        if response.status.code != 416 && response.headers.first(name: S3Composite.marker) == nil {
            return S3StreamReader(object: try Self.object(key, response.headers), body: response.body)
        }
        // A range past the end (none of it exists), or an object being appended, whose
        // record is shorter than the bytes it stands for.
        let head = try await client.send(S3Request(method: .HEAD, key: key), "cannot look up \(key)")
        let object = try Self.object(key, head.headers)
        guard head.headers.first(name: S3Composite.marker) != nil else { return S3StreamReader(object: object, body: nil) }
        let (_, bytes) = try await client.data(S3Request(method: .GET, key: key), "cannot read the upload record \(key)", limit: 4 << 20)
        return try S3CompositeReader(driver: self, key: key, composite: S3Composite.decode(bytes, key: key), object: object, range: range)
    }

    private func emptyReader(_ key: String) async throws -> any DriverReader {
        guard let object = try await stat(key) else { throw HangarError.notFound("\(key) is not in the bucket") }
        return S3StreamReader(object: object, body: nil)
    }

    public func appender(_ key: String, mode: AppendMode) async throws -> any DriverAppender {
        switch mode {
        case .exclusive:
            if try await stat(key) != nil { throw HangarError.conflict("\(key) already exists") }
            return S3Appender(driver: self, key: key, mode: .exclusive)
        case .shared:
            let appender = S3Appender(driver: self, key: key, mode: .shared)
            try await appender.resume()
            return appender
        }
    }

    public func put(_ key: String, _ bytes: [UInt8]) async throws {
        _ = try await client.send(S3Request(method: .PUT, key: key, body: bytes), "cannot store \(key)")
    }

    public func get(_ key: String, limit: Int) async throws -> [UInt8]? {
        do {
            let response = try await client.send(S3Request(method: .GET, key: key), "cannot read \(key)")
            if let length = response.headers.first(name: "Content-Length").flatMap(Int64.init), length > Int64(limit) {
                throw HangarError(.limitExceeded, "\(key) is larger than \(limit) bytes")
            }
            do {
                return Array(try await response.body.collect(upTo: limit).readableBytesView)
            } catch is NIOTooManyBytesError {
                throw HangarError(.limitExceeded, "\(key) is larger than \(limit) bytes")
            }
        } catch let e as HangarError where e.kind == .notFound {
            return nil
        }
    }

    /// Also removes the pieces of an object being appended (and aborts its multipart upload).
    public func delete(_ key: String) async throws {
        let head: HTTPClientResponse
        do {
            head = try await client.send(S3Request(method: .HEAD, key: key), "cannot look up \(key)")
        } catch let e as HangarError where e.kind == .notFound {
            return try await deletePieces(of: key)  // pieces a crash left before its record
        }
        if head.headers.first(name: S3Composite.marker) != nil {
            if let bytes = try await get(key, limit: 1 << 20), let composite = try? S3Composite.decode(bytes, key: key),
               composite.kind == .multipart, let id = composite.uploadID {
                try await abortMultipart(key, id)
            }
            try await deletePieces(of: key)
        }
        try await deleteObject(key)
    }

    func deleteObject(_ key: String) async throws {
        do {
            _ = try await client.send(S3Request(method: .DELETE, key: key), "cannot delete \(key)")
        } catch let e as HangarError where e.kind == .notFound {}
    }

    func deletePieces(of key: String) async throws {
        while true {
            let page = try await list(prefix: S3Composite.piecesPrefix(key), after: nil, limit: 1000)
            for piece in page { try await deleteObject(piece.key) }
            if page.count < 1000 { return }
        }
    }

    func abortMultipart(_ key: String, _ id: String) async throws {
        do {
            _ = try await client.send(S3Request(method: .DELETE, key: key, query: [("uploadId", id)]), "cannot abort the upload of \(key)")
        } catch let e as HangarError where e.kind == .notFound {}
    }

    public func list(prefix: String, after: String?, limit: Int) async throws -> [DriverObject] {
        var out: [DriverObject] = []
        var cursor = after.map { config.prefix + $0 }
        while out.count < limit {
            var query = [("list-type", "2"), ("prefix", config.prefix + prefix), ("max-keys", String(min(1000, limit - out.count)))]
            if let cursor { query.append(("start-after", cursor)) }
            let (_, body) = try await client.data(S3Request(method: .GET, key: nil, query: query), "cannot list \(prefix) in the bucket")
            let (entries, truncated) = S3XML.listing(body)
            for entry in entries {
                guard let full = entry["Key"], full.hasPrefix(config.prefix) else { continue }
                let size = entry["Size"].flatMap(Int64.init) ?? 0
                let modified = entry["LastModified"].flatMap(Self.isoDate) ?? Date(timeIntervalSince1970: 0)
                out.append(DriverObject(key: String(full.dropFirst(config.prefix.count)), size: size, modified: modified,
                                        version: (entry["ETag"] ?? "") + "/" + (entry["LastModified"] ?? "")))
            }
            guard truncated, let last = entries.last?["Key"] else { break }
            cursor = last
        }
        return out
    }

    /// A presigned GET when the store is configured to redirect (`redirectExpiry`, which
    /// bounds `expiresIn`); nil otherwise, and bytes flow through Hangar.
    public func redirectURL(_ key: String, expiresIn: Duration) async throws -> String? {
        guard let most = config.redirectExpiry else { return nil }
        return client.presignedGET(key, expiresIn: min(most, expiresIn))
    }

    /// The object a HEAD or GET answer describes: its whole size (from `Content-Range` when
    /// ranged; the recorded size of an object being appended), time and version.
    static func object(_ key: String, _ headers: HTTPHeaders) throws -> DriverObject {
        let size: Int64?
        if headers.first(name: S3Composite.marker) != nil {
            size = headers.first(name: S3Composite.sizeHeader).flatMap(Int64.init)
        } else if let range = headers.first(name: "Content-Range"), let total = range.split(separator: "/").last {
            size = Int64(total)
        } else {
            size = headers.first(name: "Content-Length").flatMap(Int64.init)
        }
        guard let size else { throw HangarError(.io, "the object store gave no size for \(key)") }
        let modifiedText = headers.first(name: "Last-Modified") ?? ""
        let modified = httpDate(modifiedText) ?? Date(timeIntervalSince1970: 0)
        return DriverObject(key: key, size: size, modified: modified, version: (headers.first(name: "ETag") ?? "") + "/" + modifiedText)
    }

    static func httpDate(_ text: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: text)
    }

    static func isoDate(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}

extension S3Driver {
    /// Multipart uploads in progress under `prefix` (key, upload id): what a write that
    /// died mid-way can leave in the bucket, invisible to a listing of objects.
    public func pendingUploads(prefix: String) async throws -> [(key: String, id: String)] {
        let (_, body) = try await client.data(S3Request(method: .GET, key: nil, query: [("uploads", ""), ("prefix", config.prefix + prefix)]),
                                              "cannot list the uploads in progress under \(prefix)")
        return S3XML.groups(body, "Upload", ["Key", "UploadId"]).compactMap { entry in
            guard let key = entry["Key"], key.hasPrefix(config.prefix), let id = entry["UploadId"] else { return nil }
            return (String(key.dropFirst(config.prefix.count)), id)
        }
    }
}
