import Foundation

/// What `fetch` put where.
public struct FetchResult: Codable, Sendable {
    public struct Artifact: Codable, Sendable {
        public var name: String
        public var digest: Digest
        public var path: String
        public var files: Int
        public var bytes: Int64
    }
    public var project: String
    public var tag: String
    public var digest: Digest
    public var target: String
    public var artifacts: [Artifact]
}

extension HangarService {
    /// Fetches the candidate `ref` names for a deploy: each artifact blob is streamed,
    /// verified against its digest and safely extracted, and `target` changes in one
    /// atomic step only when all of it succeeded (one folder per artifact, or just the
    /// artifact named by `artifact` into `target` itself). A corrupt blob fails the fetch
    /// and leaves `target` as it was.
    public func fetch(_ project: String, ref: String, to target: String, artifact: String? = nil,
                      limits: ExtractionLimits = ExtractionLimits(),
                      progress: ((String, Int64) -> Void)? = nil) async throws -> FetchResult {
        let c = try await resolve(project, ref)
        let extractor = SafeExtractor(limits: limits)
        var result = FetchResult(project: project, tag: c.tag, digest: c.digest, target: target, artifacts: [])
        if let artifact {
            guard let a = c.artifacts.first(where: { $0.name == artifact }) else {
                throw HangarError.notFound("candidate \(c.tag) of \(project) has no artifact '\(artifact)' (it has: \(c.artifacts.map(\.name).joined(separator: ", ")))")
            }
            result.artifacts.append(try await extractArtifact(a, into: target, extractor, progress))
            return result
        }
        let staging = try ExtractionTarget(target)
        try staging.makeTemp()
        do {
            for a in c.artifacts {
                var fetched = try await extractArtifact(a, into: staging.temp + "/" + a.name, extractor, progress)
                fetched.path = target + "/" + a.name
                result.artifacts.append(fetched)
            }
            try staging.commit()
        } catch {
            staging.discardTemp()
            throw error
        }
        return result
    }

    /// Whether the blob's bytes still hash to its digest.
    func blobIsIntact(_ digest: Digest) async throws -> Bool {
        let reader = try await blobs.reader(for: digest)
        defer { reader.close() }
        do {
            try reader.forEachChunk { _ in }
            return true
        } catch let e as HangarError where e.kind == .integrity {
            return false
        }
    }

    private func extractArtifact(_ a: ArtifactRecord, into path: String, _ extractor: SafeExtractor,
                                 _ progress: ((String, Int64) -> Void)?) async throws -> FetchResult.Artifact {
        let reader = try await blobs.reader(for: a.digest)
        defer { reader.close() }
        var done: Int64 = 0
        let summary: ExtractionSummary
        do {
            summary = try extractor.extract(into: path) { buffer in
                let n = try reader.read(into: buffer)
                done += Int64(n)
                progress?(a.name, done)
                return n
            }
        } catch let e as HangarError {
            // A damaged blob can fail inside the decompressor before its digest is checked:
            // say what really happened.
            let kind: HangarError.Kind = try await blobIsIntact(a.digest) ? e.kind : .integrity
            throw HangarError(kind, "artifact '\(a.name)' (\(a.digest)): \(kind == e.kind ? e.message : "the stored blob is corrupt")", cause: e)
        }
        return FetchResult.Artifact(name: a.name, digest: a.digest, path: path, files: summary.files, bytes: summary.bytes)
    }
}
