import Foundation

/// A blob upload in progress through the OCI API, kept in the metadata store so any
/// server (or the same one after a restart) can continue it. Its bytes are in the blob
/// store under the same id (`BlobStore.sessionWriter`).
public struct UploadSessionRecord: Sendable, Hashable, Codable {
    public var id: String
    /// The repository it uploads into.
    public var project: String
    /// Who opened it: a token id, or `anonymous`.
    public var owner: String
    public var startedAt: Date
    /// The last time a request touched it; sessions idle too long are abandoned.
    public var updatedAt: Date

    public init(id: String, project: String, owner: String, startedAt: Date, updatedAt: Date) {
        self.id = id
        self.project = project
        self.owner = owner
        self.startedAt = startedAt
        self.updatedAt = updatedAt
    }
}

/// Upload sessions in progress. The limits are checked in the same transaction as the
/// insert, so several servers on one database keep them together.
public protocol UploadSessionStore: Sendable {
    /// Records a new session. `unavailable` (with `retryAfter`, its `cause` an
    /// `UploadLimit`) when its owner already has `maxPerOwner` sessions or there are
    /// `maxTotal` in all; `conflict` for a taken id.
    func createUploadSession(_ session: UploadSessionRecord, maxPerOwner: Int, maxTotal: Int) async throws
    /// The session, or nil.
    func uploadSession(id: String) async throws -> UploadSessionRecord?
    /// Notes that a request used the session at `at`. Unknown ids are ignored.
    func touchUploadSession(id: String, at: Date) async throws
    /// Forgets the session; returns whether it existed.
    @discardableResult
    func deleteUploadSession(id: String) async throws -> Bool
    /// Sessions not touched since `before`, oldest first, at most `limit`.
    func idleUploadSessions(before: Date, limit: Int) async throws -> [UploadSessionRecord]
}

/// Which limit refused a new upload session (the `cause` of that `unavailable` error).
public enum UploadLimit: Error, Sendable { case perOwner, total }
