import Foundation
import HangarCore

extension S3Appender {
    /// Places the whole object under `final` in one step (a single PUT, or the completion
    /// of a multipart upload: readers see the old object or the new one), then removes
    /// the temporary pieces.
    nonisolated(nonsending) func commit(as final: String) async throws -> DriverObject {
        guard !isFinished else { throw HangarError(.io, "\(key) was already committed or discarded") }
        if mode == .shared && !held { try await resume() }
        try await settle()
        switch mode {
        case .exclusive where composite == nil:
            try await driver.put(final, tail)
        case .exclusive:
            var parts = uploaded
            if !tail.isEmpty || parts.isEmpty {
                parts.append(try await uploadLastPart(tail, number: parts.count + 1))
            }
            try await driver.completeMultipart(key, composite!.uploadID!, parts)
            try await driver.copy(from: key, to: final, size: size)
        case .shared:
            let pieces = composite!.parts
            if pieces.isEmpty {
                try await driver.put(final, tail)
            } else {
                try await driver.assemble(final, from: pieces, last: tail)
            }
        }
        markFinished()
        guard let object = try await driver.stat(final) else {
            throw HangarError(.io, "\(final) is not in the bucket right after it was written")
        }
        try? await driver.delete(key)
        return object
    }

    private func uploadLastPart(_ bytes: [UInt8], number: Int) async throws -> (Int, String) {
        let response = try await client.send(S3Request(method: .PUT, key: key, query: [("partNumber", String(number)), ("uploadId", composite!.uploadID!)],
                                                       body: bytes), "cannot upload part \(number) of \(key)")
        guard let etag = response.headers.first(name: "ETag") else { throw HangarError(.io, "the object store gave no ETag for part \(number) of \(key)") }
        return (number, etag)
    }
}

extension S3Driver {
    /// Starts a multipart upload at `key`; its id.
    func startMultipart(_ key: String) async throws -> String {
        let (_, body) = try await client.data(S3Request(method: .POST, key: key, query: [("uploads", "")]), "cannot start an upload to \(key)")
        guard let id = S3XML.fields(body, ["UploadId"])["UploadId"], !id.isEmpty else {
            throw HangarError(.io, "the object store started an upload to \(key) without an UploadId")
        }
        return id
    }

    /// Completes the upload with its parts (number, ETag) in order.
    func completeMultipart(_ key: String, _ id: String, _ parts: [(Int, String)]) async throws {
        let xml = "<CompleteMultipartUpload>" + parts.map {
            "<Part><PartNumber>\($0.0)</PartNumber><ETag>\(Self.xmlEscaped($0.1))</ETag></Part>"
        }.joined() + "</CompleteMultipartUpload>"
        let (_, body) = try await client.data(S3Request(method: .POST, key: key, query: [("uploadId", id)], body: Array(xml.utf8)),
                                              "cannot complete the upload of \(key)")
        // S3 may answer 200 and put the error in the body.
        if let code = S3XML.fields(body, ["Code"])["Code"] {
            try? await abortMultipart(key, id)
            throw HangarError(.io, "cannot complete the upload of \(key): the object store says \(code)")
        }
    }

    /// Copies `from` to `to` inside the store: one CopyObject up to 5 GiB, a multipart
    /// copy of 1 GiB ranges beyond.
    func copy(from: String, to: String, size: Int64) async throws {
        let source = sourceHeader(from)
        if size <= 5 << 30 {
            let (_, body) = try await client.data(S3Request(method: .PUT, key: to, headers: [("x-amz-copy-source", source)]),
                                                  "cannot copy \(from) to \(to)")
            if let code = S3XML.fields(body, ["Code"])["Code"] { throw HangarError(.io, "cannot copy \(from) to \(to): the object store says \(code)") }
            return
        }
        let id = try await startMultipart(to)
        do {
            var parts: [(Int, String)] = []
            var offset: Int64 = 0
            while offset < size {
                let end = min(size, offset + (1 << 30))
                parts.append(try await copyPart(to, id, number: parts.count + 1, source: source, range: offset..<end))
                offset = end
            }
            try await completeMultipart(to, id, parts)
        } catch {
            try? await abortMultipart(to, id)
            throw error
        }
    }

    /// Builds `final` from stored pieces (copied inside the store) and the bytes of `last`.
    func assemble(_ final: String, from pieces: [S3Composite.Piece], last: [UInt8]) async throws {
        let id = try await startMultipart(final)
        do {
            var parts: [(Int, String)] = []
            for piece in pieces {
                parts.append(try await copyPart(final, id, number: parts.count + 1, source: sourceHeader(piece.key), range: nil))
            }
            if !last.isEmpty {
                let number = parts.count + 1
                let response = try await client.send(S3Request(method: .PUT, key: final, query: [("partNumber", String(number)), ("uploadId", id)],
                                                               body: last), "cannot upload part \(number) of \(final)")
                parts.append((number, response.headers.first(name: "ETag") ?? ""))
            }
            try await completeMultipart(final, id, parts)
        } catch {
            try? await abortMultipart(final, id)
            throw error
        }
    }

    private func copyPart(_ key: String, _ id: String, number: Int, source: String, range: Range<Int64>?) async throws -> (Int, String) {
        var headers = [("x-amz-copy-source", source)]
        if let range { headers.append(("x-amz-copy-source-range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")) }
        let (_, body) = try await client.data(S3Request(method: .PUT, key: key, query: [("partNumber", String(number)), ("uploadId", id)],
                                                        headers: headers), "cannot copy part \(number) of \(key)")
        guard let etag = S3XML.fields(body, ["ETag"])["ETag"] else {
            throw HangarError(.io, "cannot copy part \(number) of \(key): the object store gave no ETag")
        }
        return (number, etag)
    }

    private func sourceHeader(_ key: String) -> String {
        "/" + config.bucket + "/" + SigV4.encodePath(config.prefix + key)
    }

    static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
