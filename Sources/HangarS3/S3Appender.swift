import AsyncHTTPClient
import Foundation
import HangarCore
import NIOHTTP1

/// Appends to an object in parts as the bytes arrive, one part sent while the next fills:
/// memory holds two parts at most.
///
/// - `.exclusive` (one process's one-off write): a multipart upload at the temporary key,
///   parts sent as they fill; `commit` completes it and copies it under the final key.
/// - `.shared` (an upload session any server may take up): part objects and a tail
///   object under `parts/<key>/`, listed by a record at the key (`S3Composite`) that a
///   taker holds through conditional PUTs; `suspend` makes the tail durable, so a chunk
///   smaller than a part survives the server; `commit` assembles the final object with a
///   multipart upload that copies the parts inside the store.
final class S3Appender: DriverAppender, @unchecked Sendable {
    let driver: S3Driver
    let key: String
    let mode: AppendMode
    private(set) var size: Int64 = 0
    /// Bytes after the last part (fewer than a part).
    var tail: [UInt8] = []
    var composite: S3Composite?
    /// The record's ETag as this appender last wrote or read it.
    var etag: String?
    var held = false
    var tailStored = true
    /// `.exclusive`: the multipart upload's parts so far (number, ETag).
    var uploaded: [(Int, String)] = []
    private var finished = false
    /// The part being sent, and its bytes.
    private var inFlight: (bytes: [UInt8], send: Task<Sent, any Error>)?
    let me = UUID().uuidString
    var client: S3Client { driver.client }
    var partSize: Int { driver.config.partSize }

    init(driver: S3Driver, key: String, mode: AppendMode) {
        self.driver = driver
        self.key = key
        self.mode = mode
    }

    nonisolated(nonsending) func append(_ bytes: UnsafeRawBufferPointer) async throws {
        guard !finished else { throw HangarError(.io, "\(key) was already committed or discarded") }
        if mode == .shared && !held { try await resume() }
        // The part sent during the previous call must have arrived; when it did not, its
        // bytes are back in the tail and this call takes nothing.
        try await settle()
        if mode == .exclusive && composite == nil && tail.count + bytes.count >= partSize { try await startMultipart() }
        if tail.capacity < partSize { tail.reserveCapacity(partSize) }
        tail.append(contentsOf: bytes)
        size += Int64(bytes.count)
        if !bytes.isEmpty { tailStored = false }
        while tail.count >= partSize {
            if inFlight != nil {
                // Only a call bringing more than a part gets here: part of its bytes may be
                // recorded already, so a failure cannot leave the object as it stood.
                do {
                    try await settle()
                } catch {
                    discard()
                    throw HangarError(.io, "the upload to \(key) was abandoned: a part could not be stored (\(error))")
                }
            }
            let part = Array(tail.prefix(partSize))
            tail.removeFirst(partSize)
            launch(part)
        }
    }

    /// What a part's send gave back.
    enum Sent: Sendable {
        case piece(S3Composite.Piece)
        case part(Int, String)
    }

    /// Sends `part` while the next one fills (one at a time: memory holds two parts at most).
    private func launch(_ part: [UInt8]) {
        let (driver, key) = (driver, key)
        let send: Task<Sent, any Error>
        switch mode {
        case .exclusive:
            let (number, id) = (uploaded.count + 1, composite!.uploadID!)
            send = Task {
                let response = try await driver.client.send(S3Request(method: .PUT, key: key, query: [("partNumber", String(number)), ("uploadId", id)],
                                                                      body: part), "cannot upload part \(number) of \(key)")
                guard let etag = response.headers.first(name: "ETag") else {
                    throw HangarError(.io, "the object store gave no ETag for part \(number) of \(key)")
                }
                return .part(number, etag)
            }
        case .shared:
            let piece = S3Composite.Piece(key: S3Composite.piecesPrefix(key) + UUID().uuidString, size: Int64(part.count))
            send = Task {
                try await driver.put(piece.key, part)
                return .piece(piece)
            }
        }
        inFlight = (part, send)
    }

    /// Waits for the part in flight and records it (a session's record lists it, which also
    /// renews the hold). On failure its bytes go back to the front of the tail.
    func settle() async throws {
        guard let flight = inFlight else { return }
        inFlight = nil
        do {
            switch try await flight.send.value {
            case .part(let number, let etag):
                uploaded.append((number, etag))
            case .piece(let piece):
                var next = composite!
                let oldTail = next.tail?.key
                next.parts.append(piece)
                next.size = next.parts.reduce(0) { $0 + $1.size }
                next.tail = nil  // what the stored tail held is inside the parts now, or in memory
                try await writeComposite(next)
                if let oldTail { try? await driver.deleteObject(oldTail) }
            }
        } catch {
            tail = flight.bytes + tail
            throw error
        }
    }

    /// A shared object's piece, under a fresh name (never overwritten).
    func storePiece(_ bytes: [UInt8]) async throws -> S3Composite.Piece {
        let piece = S3Composite.Piece(key: S3Composite.piecesPrefix(key) + UUID().uuidString, size: Int64(bytes.count))
        try await driver.put(piece.key, bytes)
        return piece
    }

    /// Starts the exclusive write's multipart upload, recording it at the key so a sweep
    /// can abort it if this process dies.
    private func startMultipart() async throws {
        let id = try await driver.startMultipart(key)
        let record = S3Composite(kind: .multipart, size: 0, uploadID: id)
        try await putComposite(record, condition: ("If-None-Match", "*"))
        composite = record
    }

    /// Replaces the session's record, if it is still the one this appender last saw.
    func writeComposite(_ next: S3Composite) async throws {
        var record = next
        record.holder = me
        record.heldUntil = Int64((Date().timeIntervalSince1970 + S3Composite.lease) * 1000)
        try await putComposite(record, condition: etag.map { ("If-Match", Self.unquoted($0)) } ?? ("If-None-Match", "*"))
        composite = record
    }

    private func putComposite(_ record: S3Composite, condition: (String, String)) async throws {
        let request = S3Request(method: .PUT, key: key, headers: [
            (S3Composite.marker, "1"), (S3Composite.sizeHeader, String(record.size)), ("Content-Type", "application/json"), condition,
        ], body: record.encoded())
        do {
            let response = try await client.send(request, "cannot record the upload \(key)")
            etag = response.headers.first(name: "ETag")
        } catch let e as HangarError where e.kind == .conflict {
            held = false
            throw HangarError.conflict("upload \(key) was taken up elsewhere (its record changed)")
        }
    }

    /// RGW matches `If-Match` against the bare ETag only; S3 takes either.
    static func unquoted(_ etag: String) -> String { etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }

    nonisolated(nonsending) func suspend() async throws {
        guard mode == .shared, held, !finished else { return }
        try await settle()
        var next = composite!
        var old: String?
        if !tailStored {
            old = next.tail?.key
            next.tail = tail.isEmpty ? nil : try await storePiece(tail)
            next.size = size
        }
        next.holder = nil
        next.heldUntil = nil
        try await putComposite(next, condition: ("If-Match", Self.unquoted(etag ?? "")))
        composite = next
        held = false
        tailStored = true
        if let old { try? await driver.deleteObject(old) }
    }

    nonisolated(nonsending) func resume() async throws {
        guard mode == .shared, !held, !finished else { return }
        let (response, bytes) = try await readRecord()
        guard let response, let bytes else {
            try await writeComposite(S3Composite(kind: .parts, size: 0))
            (size, tail, held, tailStored) = (0, [], true, true)
            return
        }
        let record = try S3Composite.decode(bytes, key: key)
        if record.heldByOther(than: me, now: Date()) {
            throw HangarError.conflict("upload \(key) is held by another writer")
        }
        let seen = response.headers.first(name: "ETag")
        // Nobody wrote since this appender let go: what it keeps in memory is current.
        let unchanged = composite != nil && composite?.holder == nil && etag.map(Self.unquoted) == seen.map(Self.unquoted)
        etag = seen
        try await writeComposite(record)
        held = true
        if !unchanged {
            size = record.size
            // A tail can reach two parts when a part's send failed and its bytes came back.
            tail = try await record.tail.asyncMap { try await driver.get($0.key, limit: 2 * partSize) ?? [] } ?? []
            guard Int64(tail.count) == record.tail?.size ?? 0 else {
                throw HangarError.integrity("the stored tail of upload \(key) has \(tail.count) bytes, its record says \(record.tail?.size ?? 0)")
            }
            tailStored = true
        }
    }

    private func readRecord() async throws -> (HTTPClientResponse?, [UInt8]?) {
        do {
            let (response, bytes) = try await client.data(S3Request(method: .GET, key: key), "cannot read the upload record \(key)", limit: 4 << 20)
            return (response, bytes)
        } catch let e as HangarError where e.kind == .notFound {
            return (nil, nil)
        }
    }

    func discard() {
        guard !finished else { return }
        finished = true
        inFlight?.send.cancel()
        inFlight = nil
        let (driver, key) = (driver, key)
        let started = composite != nil || !uploaded.isEmpty
        guard started else { return }
        Task { try? await driver.delete(key) }  // the record leads to the pieces and the upload
    }

    func markFinished() { finished = true }
    var isFinished: Bool { finished }
}
