import Foundation

/// What a collection did (or, for a dry run, would do), item by item and in total.
public struct CollectionReport: Codable, Sendable, Hashable {
    /// A candidate whose bytes go; its records stay.
    public struct Candidate: Codable, Sendable, Hashable {
        public var project: String
        public var tag: String
        public var digest: Digest
        public var rule: String
    }
    /// A manifest record pushed over the OCI API that goes.
    public struct Manifest: Codable, Sendable, Hashable {
        public var project: String
        public var digest: Digest
        public var why: String
    }
    /// A plain tag removed by a tag rule.
    public struct Tag: Codable, Sendable, Hashable {
        public var project: String
        public var tag: String
        public var digest: Digest
        public var rule: String
    }
    /// A blob whose bytes go.
    public struct Blob: Codable, Sendable, Hashable {
        public var digest: Digest
        public var size: Int64
    }

    public var dryRun: Bool
    public var startedAt: Date
    public var projects: [String]
    public var candidates: [Candidate] = []
    public var tags: [Tag] = []
    public var manifests: [Manifest] = []
    public var blobs: [Blob] = []
    /// Candidates a rule would collect that a move made during the run put back in use.
    public var keptInUse: [Digest] = []
    /// Deletions a collector that died had begun, finished by this run.
    public var resumed = 0
    /// Blobs live, by the rules and references (for the summary).
    public var liveBlobs = 0

    public var bytes: Int64 { blobs.map(\.size).reduce(0, +) }

    /// The run's one audit entry's details.
    var auditDetails: [String: String] {
        ["candidates": String(candidates.count), "tags": String(tags.count), "manifests": String(manifests.count), "blobs": String(blobs.count),
         "bytes": String(bytes), "projects": projects.joined(separator: ","), "resumed": String(resumed)]
    }
}
