import Foundation
import HangarCore

extension RemoteClient {
    /// Fetches a candidate from the server: its record comes from the native API, then each
    /// artifact blob is downloaded into a scratch file next to the target, hashed as it
    /// arrives and refused (`integrity`) unless it matches its digest before any of it is
    /// extracted. Extraction and the atomic swap of `target` are the local fetch's own
    /// (`CandidateFetcher`): a failure anywhere leaves `target` as it was.
    public func fetch(_ project: String, ref: String, to target: String, artifact: String?, replace: Bool, limits: ExtractionLimits,
                      progress: ProgressHandler?) async throws -> FetchResult {
        let candidate = try await show(project, ref: ref).candidate
        let directory = try Self.scratchDirectory(for: target)
        let transport = self.transport
        var fetcher = CandidateFetcher(limits: limits, progress: progress, open: { a in
            try await transport.downloadBlob(a.digest, size: a.size, project: project, into: directory,
                                             progress: { progress?(TransferProgress(.downloading, a.name, done: $0, total: a.size)) })
        })
        fetcher.replaceUnowned = replace
        return try await fetcher.fetch(candidate, to: target, artifact: artifact)
    }

    /// The folder the target lives in (created if missing): downloads are staged there,
    /// on the same filesystem as the extraction, rather than in a possibly small /tmp.
    static func scratchDirectory(for target: String) throws -> String {
        var trimmed = target
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        let parent: String
        if let slash = trimmed.lastIndex(of: "/") {
            parent = slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
        } else {
            parent = "."
        }
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw HangarError(.io, "cannot create the folder \(parent) to fetch into", cause: error)
        }
        return parent
    }
}
