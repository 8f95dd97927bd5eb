/// The one code path that puts a candidate's artifacts into a target folder, whatever
/// holds the bytes: the local blob store (`HangarService.fetch`) or a server (the remote
/// client downloads and verifies each blob first).
///
/// Each artifact is opened through `open` and extracted by `SafeExtractor`; with several
/// artifacts they are extracted into a staging folder next to the target (one subfolder
/// each) and swapped in by one atomic `ExtractionTarget.commit` only when all succeeded;
/// with `artifact` given, just that one is extracted into the target itself. On any
/// failure the target is left as it was.
public struct CandidateFetcher {
    /// Opens an artifact's archive bytes. A reader of a whole blob must verify its digest
    /// by the time it returns 0 (the store's readers do; a downloaded, checked file may too).
    public typealias Open = (ArtifactRecord) async throws -> any BlobReader
    /// Whether an artifact's stored bytes are intact, asked after an extraction error to
    /// tell a damaged blob (`integrity`) from a bad archive; nil when already verified.
    public typealias IsIntact = (ArtifactRecord) async throws -> Bool

    public var limits: ExtractionLimits
    public var progress: ProgressHandler?
    public var open: Open
    public var isIntact: IsIntact?
    /// Replace a non-empty target folder fetch did not make (`TargetOwnership`).
    public var replaceUnowned = false

    public init(limits: ExtractionLimits = ExtractionLimits(), progress: ProgressHandler? = nil,
                open: @escaping Open, isIntact: IsIntact? = nil) {
        self.limits = limits
        self.progress = progress
        self.open = open
        self.isIntact = isIntact
    }

    /// Extracts the artifacts of `c` into `target` (see the type's description).
    public func fetch(_ c: CandidateRecord, to target: String, artifact: String?) async throws -> FetchResult {
        try TargetOwnership.check(target, replace: replaceUnowned)
        let result = try await extractAll(c, to: target, artifact: artifact)
        try TargetOwnership.claim(target, project: c.project, tag: c.tag, digest: c.digest)
        return result
    }

    private func extractAll(_ c: CandidateRecord, to target: String, artifact: String?) async throws -> FetchResult {
        var result = FetchResult(project: c.project, tag: c.tag, digest: c.digest, target: target, artifacts: [])
        if let artifact {
            guard let a = c.artifacts.first(where: { $0.name == artifact }) else {
                throw HangarError.notFound("candidate \(c.tag) of \(c.project) has no artifact '\(artifact)' (it has: \(c.artifacts.map(\.name).joined(separator: ", ")))")
            }
            guard !a.isImage else { throw Self.imageNotFetched(a, c) }
            result.artifacts.append(try await extract(a, into: target))
            return result
        }
        let archives = c.artifacts.filter { !$0.isImage }
        guard !archives.isEmpty else { throw Self.imageNotFetched(c.artifacts[0], c) }
        let staging = try ExtractionTarget(target)
        try staging.makeTemp()
        do {
            for a in archives {
                var fetched = try await extract(a, into: staging.temp + "/" + a.name)
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

    /// Container images are pulled by a container runtime, not extracted into a folder.
    static func imageNotFetched(_ a: ArtifactRecord, _ c: CandidateRecord) -> HangarError {
        HangarError.invalid("artifact '\(a.name)' of \(c.project) \(c.tag) is a container image (\(a.digest)): pull it with a container client, e.g. podman pull HOST/\(c.project)@\(a.digest)")
    }

    private func extract(_ a: ArtifactRecord, into path: String) async throws -> FetchResult.Artifact {
        let reader = try await open(a)
        defer { reader.close() }
        let summary: ExtractionSummary
        do {
            // libarchive pulls the bytes synchronously: on a thread of its own.
            let (source, report, limits) = (Handoff(BlockingBlobSource(reader)), Handoff(progress), limits)
            summary = try await BlockingIO.dedicated {
                var done: Int64 = 0
                return try SafeExtractor(limits: limits).extract(into: path) { buffer in
                    let n = try source.value.read(into: buffer)
                    done += Int64(n)
                    report.value?(TransferProgress(.extracting, a.name, done: done, total: a.size))
                    return n
                }
            }
        } catch let e as HangarError {
            // A damaged blob can fail inside the decompressor before its digest is checked:
            // say what really happened.
            let intact = try await isIntact?(a) ?? true
            let kind: HangarError.Kind = intact ? e.kind : .integrity
            throw HangarError(kind, "artifact '\(a.name)' (\(a.digest)): \(kind == e.kind ? e.message : "the stored blob is corrupt")", cause: e)
        }
        return FetchResult.Artifact(name: a.name, digest: a.digest, path: path, files: summary.files, bytes: summary.bytes)
    }
}
