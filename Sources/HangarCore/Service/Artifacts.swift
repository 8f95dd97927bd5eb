import Foundation

/// An artifact archived and stored, and whether its bytes were new.
public struct ArtifactUpload: Codable, Sendable, Hashable {
    public var artifact: ArtifactRecord
    /// False when the store already had these bytes (dedup): nothing was written.
    public var created: Bool
    /// Bytes of file content read from the build output.
    public var inputBytes: Int64

    public init(artifact: ArtifactRecord, created: Bool, inputBytes: Int64) {
        self.artifact = artifact
        self.created = created
        self.inputBytes = inputBytes
    }
}

extension HangarService {
    /// Archives a build output (folder or file) deterministically straight into the blob
    /// store, hashing as it streams, and links it into `project` (who, when, how large).
    func storeArtifact(name: String, path: String, compression: ArchiveCompression = .zstd,
                              actor: String, project: String? = nil,
                              progress: ProgressHandler? = nil) async throws -> ArtifactUpload {
        try Names.checkArtifact(name)
        if let project { _ = try await requireProject(project) }
        let writer = try await blobs.writer()
        let summary: ArchiveSummary
        let stored: StoredBlob
        do {
            // libarchive reads the build output and calls back synchronously: on a
            // blocking-I/O thread, waiting there for each write to the store.
            let target = Handoff(writer)
            let total = progress == nil ? nil : BuildOutputSize.of(path)
            let report = Handoff(progress.map { handler in { (n: Int64) in handler(TransferProgress(.archiving, name, done: n, total: total)) } })
            summary = try await BlockingIO.dedicated {
                try DeterministicArchiver(compression: compression).archive(path, into: { bytes in
                    let chunk = Handoff(bytes)
                    try BlockingIO.wait { try await target.value.write(chunk.value) }
                }, progress: report.value)
            }
            stored = try await writer.commit()
        } catch {
            writer.abort()
            throw error
        }
        if let project {
            try await metadata.linkBlobs(project: project, [BlobLink(digest: stored.digest, size: stored.size, at: now(), by: actor)])
        }
        return ArtifactUpload(
            artifact: ArtifactRecord(name: name, digest: stored.digest, size: stored.size, mediaType: compression.mediaType),
            created: stored.created, inputBytes: summary.inputBytes)
    }
}
