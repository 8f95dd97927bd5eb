import Foundation

/// What `fetch` put where.
public struct FetchResult: Codable, Sendable {
    public struct Artifact: Codable, Sendable {
        public var name: String
        public var digest: Digest
        public var path: String
        public var files: Int
        public var bytes: Int64

        public init(name: String, digest: Digest, path: String, files: Int, bytes: Int64) {
            self.name = name
            self.digest = digest
            self.path = path
            self.files = files
            self.bytes = bytes
        }
    }
    public var project: String
    public var tag: String
    public var digest: Digest
    public var target: String
    public var artifacts: [Artifact]

    public init(project: String, tag: String, digest: Digest, target: String, artifacts: [Artifact]) {
        self.project = project
        self.tag = tag
        self.digest = digest
        self.target = target
        self.artifacts = artifacts
    }
}

extension HangarService {
    /// Fetches the candidate `ref` names for a deploy: each artifact blob is streamed,
    /// verified against its digest and safely extracted, and `target` changes in one
    /// atomic step only when all of it succeeded (one folder per artifact, or just the
    /// artifact named by `artifact` into `target` itself). A corrupt blob fails the fetch
    /// and leaves `target` as it was.
    func fetch(_ project: String, ref: String, to target: String, artifact: String? = nil, replace: Bool = false,
                      limits: ExtractionLimits = ExtractionLimits(),
                      progress: ProgressHandler? = nil) async throws -> FetchResult {
        let c = try await resolve(project, ref)
        try await refuseIfCollected(c)
        let blobs = self.blobs
        var fetcher = CandidateFetcher(
            limits: limits, progress: progress,
            open: { a in try await blobs.reader(for: a.digest) },
            isIntact: { a in try await blobIsIntact(a.digest) })
        fetcher.replaceUnowned = replace
        return try await fetcher.fetch(c, to: target, artifact: artifact)
    }

    /// Whether the blob's bytes still hash to its digest.
    func blobIsIntact(_ digest: Digest) async throws -> Bool {
        let reader = try await blobs.reader(for: digest)
        defer { reader.close() }
        do {
            try await reader.drain()
            return true
        } catch let e as HangarError where e.kind == .integrity {
            return false
        }
    }
}
