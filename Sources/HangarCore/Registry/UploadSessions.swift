import Foundation

/// One blob upload in progress, as one request holds it: its record and the writer of
/// its bytes. Used by one request at a time (`UploadSessions.claim` … `release`).
public final class UploadSession: @unchecked Sendable {
    public let record: UploadSessionRecord
    public let writer: any BlobWriter
    public let claimed: ContinuousClock.Instant = .now

    init(record: UploadSessionRecord, writer: any BlobWriter) {
        self.record = record
        self.writer = writer
    }

    public var id: String { record.id }
    /// Bytes received so far.
    public var offset: Int64 { writer.bytesWritten }
}

/// The upload sessions of the OCI API. A session is a row in the metadata store and its
/// bytes in the blob store, so any server sharing them, or this one after a restart,
/// continues it; a session keeps every byte it received, also when the connection dropped
/// in the middle of a chunk, and the client resumes from the offset a status request
/// reports. Between requests a session holds no open file. This process keeps the
/// writers it used last (their hash state), so continuing here re-reads nothing;
/// elsewhere the bytes are re-read once. Sessions idle longer than `idleLimit` are
/// abandoned (row and bytes removed) by `sweep`, which `hangar serve` runs periodically.
/// Opening, continuing, reading and ending a session need `push` in its repository: each
/// operation takes the caller and checks, like every registry operation.
public actor UploadSessions {
    private let registry: Registry
    private let idleLimit: Duration
    private let maxTotal: Int
    private let maxPerOwner: Int
    /// Writers of sessions this process used, not in use now (their hash state is kept).
    private var idle: [String: any BlobWriter] = [:]
    /// Sessions a request of this process holds.
    private var busy: Set<String> = []

    public init(registry: Registry, idleLimit: Duration, maxTotal: Int, maxPerOwner: Int) {
        self.registry = registry
        self.idleLimit = idleLimit
        self.maxTotal = maxTotal
        self.maxPerOwner = maxPerOwner
    }

    private var service: HangarService { registry.service }
    private var blobs: any BlobStore { service.blobs }
    private var metadata: any MetadataStore { service.metadata }

    /// Opens a new session for `project` on behalf of `owner`. `TOOMANYREQUESTS` (429) when
    /// the owner has `maxPerOwner` open, `unavailable` (503) when there are `maxTotal`.
    /// The repository is created on a first push.
    public func open(project: String, by principal: Principal) async throws -> UploadSessionRecord {
        try await registry.beginUpload(project, by: principal)
        let now = service.now()
        let record = UploadSessionRecord(id: UUID().uuidString.lowercased(), project: project, owner: principal.tokenID ?? "anonymous",
                                         startedAt: now, updatedAt: now)
        do {
            try await metadata.createUploadSession(record, maxPerOwner: maxPerOwner, maxTotal: maxTotal)
        } catch let e as HangarError where e.kind == .unavailable {
            let perOwner = (e.cause as? UploadLimit) == .perOwner
            throw HangarError(.unavailable, e.message, retryAfter: max(1, min(60, Int(idleLimit.components.seconds))),
                              registryCode: perOwner ? .tooManyRequests : nil)
        }
        return record
    }

    /// Takes the session for one request. `BLOB_UPLOAD_UNKNOWN` when there is no such
    /// session in this repository; `conflict` while another request (here or on another
    /// server) holds it.
    public func claim(_ id: String, project: String, by principal: Principal) async throws -> UploadSession {
        try registry.authorizeUpload(project, by: principal)
        let record = try await find(id, project: project)
        guard !busy.contains(id) else { throw busyError(id) }
        busy.insert(id)
        do {
            let writer: any BlobWriter
            if let kept = idle.removeValue(forKey: id) {
                writer = kept
                try await writer.resume()
            } else {
                writer = try await blobs.sessionWriter(id)
            }
            return UploadSession(record: record, writer: writer)
        } catch {
            busy.remove(id)
            if let e = error as? HangarError, e.kind == .conflict { throw busyError(id) }
            throw error
        }
    }

    /// Gives the session back after a request: what arrived is made durable (an object
    /// store's tail), its file closed, its writer kept. Throws when the bytes could not be
    /// made durable: the request then fails, and the session stands where it stood.
    public func release(_ session: UploadSession) async throws {
        defer { busy.remove(session.id) }
        idle[session.id] = session.writer  // kept even when suspending fails: the next request tries again
        try await session.writer.suspend()
        try? await metadata.touchUploadSession(id: session.id, at: service.now())
    }

    /// Ends a claimed session that its holder committed or cancelled.
    public func finish(_ session: UploadSession) async {
        busy.remove(session.id)
        idle[session.id] = nil
        try? await metadata.deleteUploadSession(id: session.id)
    }

    /// How many bytes the session holds (for status requests).
    public func offset(_ id: String, project: String, by principal: Principal) async throws -> Int64 {
        try registry.authorizeUpload(project, by: principal)
        _ = try await find(id, project: project)
        return try await blobs.sessionSize(id) ?? 0
    }

    /// Abandons sessions idle longer than the limit: rows and bytes go. Returns how many.
    /// Also forgets the writers kept for sessions another server finished.
    @discardableResult
    public func sweep() async throws -> Int {
        for id in idle.keys where try await metadata.uploadSession(id: id) == nil { idle[id] = nil }
        let before = service.now().addingTimeInterval(-Double(idleLimit.components.seconds))
        var count = 0
        while true {
            let stale = try await metadata.idleUploadSessions(before: before, limit: 500)
            for record in stale where !busy.contains(record.id) {
                idle[record.id] = nil
                try await blobs.removeSession(record.id)
                try await metadata.deleteUploadSession(id: record.id)
                count += 1
            }
            if stale.count < 500 { return count }
        }
    }

    /// Writers kept in memory (for tests).
    var kept: Int { idle.count }

    private func find(_ id: String, project: String) async throws -> UploadSessionRecord {
        guard (try? UploadSessionID.check(id)) != nil, let record = try await metadata.uploadSession(id: id), record.project == project else {
            throw HangarError.registry(.notFound, .blobUploadUnknown, "upload \(id.prefix(80)) is not in progress for \(project)")
        }
        return record
    }

    private func busyError(_ id: String) -> HangarError {
        .registry(.conflict, .blobUploadInvalid, "upload \(id) is busy with another request; retry when it has finished")
    }
}
