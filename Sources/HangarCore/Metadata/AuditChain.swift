import Foundation

/// What happened, as recorded in the audit log.
public enum AuditAction: String, Codable, Sendable, CaseIterable {
    case projectCreated = "project.created"
    case projectUpdated = "project.updated"
    case policySet = "policy.set"
    case blobStored = "blob.stored"
    case blobDeleted = "blob.deleted"
    case candidateCreated = "candidate.created"
    case tagSet = "tag.set"
    case promotion = "promotion"
    case rollback = "rollback"
    case approval = "approval"
    case policyOverride = "policy.override"
    case tokenIssued = "token.issued"
    case tokenRevoked = "token.revoked"
    case accessDenied = "access.denied"
    case manifestPushed = "manifest.pushed"
    case manifestDeleted = "manifest.deleted"
    case tagDeleted = "tag.deleted"
    case deploymentReported = "deployment.reported"
    case retentionSet = "retention.set"
    case garbageCollected = "gc.run"
}

/// An audit entry before the store gives it a place in the chain.
public struct AuditDraft: Sendable, Hashable {
    public var at: Date
    public var actor: String
    public var action: AuditAction
    public var project: String?
    /// What the entry is about: a digest, a tag, an environment.
    public var subject: String?
    public var details: [String: String]

    public init(at: Date, actor: String, action: AuditAction, project: String?, subject: String?, details: [String: String] = [:]) {
        self.at = at
        self.actor = actor
        self.action = action
        self.project = project
        self.subject = subject
        self.details = details
    }
}

/// One entry of the hash-chained audit log. `hash` covers every field and the hash of
/// the entry before, so editing, removing or reordering entries breaks the chain.
public struct AuditEntry: Codable, Sendable, Hashable {
    /// 1, 2, 3, … with no gaps.
    public var seq: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var project: String?
    public var subject: String?
    public var details: [String: String]
    /// Hex SHA-256 of the entry before (64 zeros for the first).
    public var prevHash: String
    /// Hex SHA-256 of this entry's canonical bytes.
    public var hash: String

    public init(seq: Int64, at: Date, actor: String, action: String, project: String?, subject: String?,
                details: [String: String], prevHash: String, hash: String) {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.action = action
        self.project = project
        self.subject = subject
        self.details = details
        self.prevHash = prevHash
        self.hash = hash
    }
}

/// The hash chain rules: how an entry is sealed and how a sequence of entries is checked.
/// Backends call `seal` inside the transaction that appends.
public enum AuditChain {
    public static let genesis = String(repeating: "0", count: 64)

    /// Gives a draft its sequence number and hashes, following the entry before.
    public static func seal(_ draft: AuditDraft, after previous: (seq: Int64, hash: String)?) -> AuditEntry {
        var entry = AuditEntry(
            seq: (previous?.seq ?? 0) + 1, at: Timestamp.round(draft.at), actor: draft.actor,
            action: draft.action.rawValue, project: draft.project, subject: draft.subject,
            details: draft.details, prevHash: previous?.hash ?? genesis, hash: "")
        entry.hash = hash(of: entry)
        return entry
    }

    /// The canonical bytes of an entry (every field but `hash`), as hashed.
    public static func canonicalBytes(of e: AuditEntry) -> [UInt8] {
        var fields: [String: CanonicalJSON] = [
            "seq": .int(e.seq), "at": .string(Timestamp.format(e.at)), "actor": .string(e.actor),
            "action": .string(e.action), "prev": .string(e.prevHash),
            "details": .object(e.details.mapValues { .string($0) }),
        ]
        if let p = e.project { fields["project"] = .string(p) }
        if let s = e.subject { fields["subject"] = .string(s) }
        return CanonicalJSON.object(fields).bytes
    }

    public static func hash(of entry: AuditEntry) -> String {
        SHA256Hasher.digest(canonicalBytes(of: entry)).hex
    }

    /// A break in the chain, naming the entry.
    public struct Break: Sendable, Codable, Hashable, CustomStringConvertible {
        public var seq: Int64
        public var problem: String
        public var description: String { "entry \(seq): \(problem)" }
    }

    /// Checks entries given in sequence order, continuing from `previous` (nil = from the start).
    /// Returns every break found.
    public static func verify(_ entries: [AuditEntry], after previous: (seq: Int64, hash: String)?) -> [Break] {
        var breaks: [Break] = []
        var expectedSeq = (previous?.seq ?? 0) + 1
        var prevHash = previous?.hash ?? genesis
        for e in entries {
            if e.seq != expectedSeq {
                breaks.append(Break(seq: e.seq, problem: e.seq > expectedSeq
                    ? "entries \(expectedSeq)…\(e.seq - 1) are missing"
                    : "out of order: expected entry \(expectedSeq)"))
            }
            if e.prevHash != prevHash {
                breaks.append(Break(seq: e.seq, problem: "does not follow the entry before it (previous hash differs): an entry before it was edited, removed or reordered"))
            }
            if hash(of: e) != e.hash {
                breaks.append(Break(seq: e.seq, problem: "its content does not match its hash: the entry was edited"))
            }
            expectedSeq = e.seq + 1
            prevHash = e.hash
        }
        return breaks
    }
}

/// Hangar's timestamps: UTC, millisecond precision, ISO 8601 text.
public enum Timestamp {
    /// Rounds down to whole milliseconds (what every store keeps).
    public static func round(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    /// Milliseconds since 1970, saturating (a date too far out to count in 64 bits, or
    /// not a number, gives the nearest representable value instead of trapping).
    public static func milliseconds(_ date: Date) -> Int64 {
        let ms = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard ms.isFinite else { return ms.isNaN ? 0 : (ms > 0 ? .max : .min) }
        guard ms < 9.2e18 else { return .max }
        guard ms > -9.2e18 else { return .min }
        return Int64(ms)
    }

    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// `2026-11-20T10:00:00.000Z`.
    public static func format(_ date: Date) -> String {
        let ms = milliseconds(date)
        var seconds = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                      Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(ms % 1000))
    }

    /// Parses only the canonical form `format` writes (for records that are hashed or
    /// signed, where one instant must have exactly one spelling).
    public static func parseCanonical(_ text: String) throws -> Date {
        let date = try parse(text)
        guard format(date) == text else {
            throw HangarError.invalid("time '\(text)' is not in the canonical form \(format(date))")
        }
        return date
    }

    /// Parses ISO 8601 as RFC 3339 writes it, with or without fractional seconds (at most
    /// 9 digits; `Z` or an offset), or a bare date (`2026-11-20`, midnight UTC).
    /// Written here rather than with Foundation's `ISO8601DateFormatter`, which the fuzz
    /// harness crashed (SIGFPE) with a fraction of many digits.
    public static func parse(_ text: String) throws -> Date {
        guard let date = RFC3339.parse(Array(text.utf8)) else {
            throw HangarError.invalid("time '\(text.prefix(64))' is not ISO 8601 (e.g. 2026-11-20T10:00:00Z)")
        }
        return date
    }
}
