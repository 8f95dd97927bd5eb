import Foundation
import HangarCore

/// One blob upload in progress: the open `BlobWriter` and whose repository it is for.
/// Used by one request at a time: `UploadSessions.claim` hands it out and `release`
/// takes it back, so its writer is never touched by two tasks at once.
final class UploadSession: @unchecked Sendable {
    let id: String
    let project: String
    /// Who opened it: a token id, or `anonymous` (sessions are counted per owner).
    let owner: String
    let writer: any BlobWriter
    let started: ContinuousClock.Instant

    init(id: String, project: String, owner: String, writer: any BlobWriter) {
        self.id = id
        self.project = project
        self.owner = owner
        self.writer = writer
        self.started = .now
    }

    /// Bytes received so far; read only while the session is claimed.
    var offset: Int64 { writer.bytesWritten }
}

/// The upload sessions of this server process, by id. A session keeps every byte it
/// received, also when the connection dropped in the middle of a chunk, so the client
/// resumes from the offset the status request reports. Sessions idle longer than
/// `idleLimit` are abandoned (their temporary bytes removed) when new ones start.
/// Between requests a session holds no open file (its writer is suspended), and at most
/// `maxTotal` sessions are open at once, `maxPerOwner` of them for one token.
actor UploadSessions {
    private struct Entry {
        var session: UploadSession
        var claimed: Bool
        var offset: Int64
        var lastActive: ContinuousClock.Instant
    }
    private var entries: [String: Entry] = [:]
    private var perOwner: [String: Int] = [:]
    private let blobs: any BlobStore
    private let idleLimit: Duration
    private let maxTotal: Int
    private let maxPerOwner: Int

    init(blobs: any BlobStore, idleLimit: Duration, maxTotal: Int, maxPerOwner: Int) {
        self.blobs = blobs
        self.idleLimit = idleLimit
        self.maxTotal = maxTotal
        self.maxPerOwner = maxPerOwner
    }

    /// Opens a new session for `project` on behalf of `owner`. `TOOMANYREQUESTS` (429) when
    /// the owner has `maxPerOwner` open, `unavailable` (503) when the server has `maxTotal`.
    func open(project: String, owner: String) async throws -> UploadSession {
        sweep()
        let retry = max(1, min(60, Int(idleLimit.components.seconds)))
        guard perOwner[owner, default: 0] < maxPerOwner else {
            throw APIError(.unavailable, .tooManyRequests,
                           "\(owner) already has \(maxPerOwner) upload sessions open: finish or cancel one (DELETE its Location) first",
                           headers: [.retryAfter: String(retry)])
        }
        guard entries.count < maxTotal else {
            throw APIError(.unavailable, nil, "the server has \(maxTotal) upload sessions open, its limit: retry later",
                           headers: [.retryAfter: String(retry)])
        }
        let writer = try await blobs.writer()
        writer.suspend()
        let session = UploadSession(id: UUID().uuidString.lowercased(), project: project, owner: owner, writer: writer)
        entries[session.id] = Entry(session: session, claimed: false, offset: 0, lastActive: .now)
        perOwner[owner, default: 0] += 1
        return session
    }

    /// Takes the session for one request. `BLOB_UPLOAD_UNKNOWN` when there is no such
    /// session in this repository; `conflict` while another request holds it.
    func claim(_ id: String, project: String) throws -> UploadSession {
        guard var entry = entries[id], entry.session.project == project else {
            throw APIError(.notFound, .blobUploadUnknown, "upload \(id) is not in progress for \(project)")
        }
        guard !entry.claimed else {
            throw APIError(.conflict, .blobUploadInvalid, "upload \(id) is busy with another request; retry when it has finished")
        }
        entry.claimed = true
        entries[id] = entry
        return entry.session
    }

    /// Gives the session back after a request, noting its offset.
    func release(_ session: UploadSession) {
        session.writer.suspend()
        guard var entry = entries[session.id] else { return }
        entry.claimed = false
        entry.offset = session.offset
        entry.lastActive = .now
        entries[session.id] = entry
    }

    /// Forgets a claimed session (it is being committed or cancelled by its holder).
    func remove(_ session: UploadSession) {
        forget(session.id)
    }

    private func forget(_ id: String) {
        guard let entry = entries.removeValue(forKey: id) else { return }
        let owner = entry.session.owner
        perOwner[owner] = perOwner[owner, default: 1] > 1 ? perOwner[owner, default: 1] - 1 : nil
    }

    /// The offset of a session as of its last request (for status requests).
    func offset(_ id: String, project: String) throws -> Int64 {
        guard let entry = entries[id], entry.session.project == project else {
            throw APIError(.notFound, .blobUploadUnknown, "upload \(id) is not in progress for \(project)")
        }
        return entry.offset
    }

    /// How many sessions are open.
    var count: Int { entries.count }

    /// Abandons sessions idle longer than the limit (not those a request holds).
    func sweep() {
        let now = ContinuousClock.now
        for (id, entry) in entries where !entry.claimed && now - entry.lastActive > idleLimit {
            entry.session.writer.abort()
            forget(id)
        }
    }
}
