import Foundation

/// A candidate whose bytes the collector removed: its records stay in history and audit.
public struct CollectedCandidate: Codable, Sendable, Hashable {
    public var project: String
    public var digest: Digest
    public var tag: String
    public var at: Date
    /// The retention rule that let it go (`superseded-rcs: 14d`).
    public var rule: String

    public init(project: String, digest: Digest, tag: String, at: Date, rule: String) {
        self.project = project
        self.digest = digest
        self.tag = tag
        self.at = at
        self.rule = rule
    }
}

/// What the garbage collector needs of a metadata backend. Every change that could race a
/// push checks, in its own transaction, what a push would change in its own (a link, a
/// reference, a pointer move), so a concurrent push either sees a blob gone and uploads it
/// again, or the collector sees the new reference and keeps the blob.
public protocol CollectionStore: Sendable {
    /// The project's rules (nil: it never set any, `RetentionRules.defaults` apply).
    func retentionRules(project: String) async throws -> RetentionRules?
    /// Replaces the project's rules, appending `audit`; one transaction.
    func setRetentionRules(project: String, _ rules: RetentionRules, audit: AuditDraft) async throws
    /// Every manifest record of the project pushed or mounted over the OCI API.
    func manifests(project: String) async throws -> [ManifestRecord]
    /// Signed statements of moves kept as blobs (stores older than `move_statements`):
    /// evidence, never collected.
    func moveEnvelopeBlobs() async throws -> Set<Digest>
    /// Digests linked into any project (uploaded, mounted, referenced by a pushed
    /// manifest) at or after `since`.
    func blobsLinked(since: Date) async throws -> Set<Digest>
    /// The project's collected candidates.
    func collectedCandidates(project: String) async throws -> [CollectedCandidate]
    /// Records candidates as collected (already recorded ones are left as they are), except
    /// one an environment points at or was moved to at or after `since`: those are returned
    /// and not recorded. A collected candidate can no longer be the target of a move.
    func recordCollected(_ candidates: [CollectedCandidate], since: Date) async throws -> [Digest]
    /// Removes a plain tag if it still names `digest` and last moved before `since`; false
    /// (nothing changed) otherwise. Not audited one by one: the run's entry counts them.
    func collectTag(project: String, name: String, digest: Digest, since: Date) async throws -> Bool
    /// Removes an untagged manifest record that no candidate, other manifest or tag names,
    /// and that was not pushed or linked at or after `since`; false (nothing changed) otherwise.
    func collectManifest(project: String, digest: Digest, since: Date) async throws -> Bool
    /// Starts deleting a blob's bytes at `at`: unless, in the same transaction, a candidate
    /// that is not collected, a manifest record or a link made at or after `since` refers to
    /// it, records the deletion, removes its links and returns true. Until it is finished,
    /// and for a link, manifest push or cut made up to `BlobDeletions.window` after it began
    /// (whose writer may have found the bytes still there just before), a change naming the
    /// digest is refused with `unavailable` ("upload it again").
    /// Each of `digests` checked as above, in one transaction; returns those whose deletion began.
    func beginBlobDeletions(_ digests: [Digest], since: Date, at: Date) async throws -> [Digest]
    /// The bytes are gone.
    func finishBlobDeletions(_ digests: [Digest], at: Date) async throws
    /// Deletions begun and not finished (a collector died): finished first by the next run.
    func pendingBlobDeletions() async throws -> [Digest]
    /// Forgets finished deletions that began before `before`.
    func pruneBlobDeletions(before: Date) async throws
}

extension CollectionStore {
    /// `beginBlobDeletions` of one digest.
    public func beginBlobDeletion(_ digest: Digest, since: Date, at: Date) async throws -> Bool {
        try await beginBlobDeletions([digest], since: since, at: at) == [digest]
    }

    /// `finishBlobDeletions` of one digest.
    public func finishBlobDeletion(_ digest: Digest, at: Date) async throws {
        try await finishBlobDeletions([digest], at: at)
    }
}

/// How long after a blob deletion began a change naming the digest is still refused: a
/// writer that found the bytes present just before they went must upload them again. It
/// also covers clocks of servers that disagree by up to this much.
public enum BlobDeletions {
    public static let window: TimeInterval = 120
}

extension HangarError {
    /// What a push naming a blob the collector is deleting gets.
    public static func beingCollected(_ digest: Digest) -> HangarError {
        HangarError(.unavailable, "blob \(digest) is being removed by the garbage collector: upload it again", retryAfter: 1)
    }
}

extension CollectedCandidate {
    /// What a move to a collected candidate gets.
    public static func refusal(_ c: CollectedCandidate, environment: String) -> HangarError {
        HangarError(.notFound, "candidate \(c.tag) of \(c.project) was collected at \(Timestamp.format(c.at)) by rule \(c.rule): its bytes are gone, so \(environment) cannot point at it")
    }
}
