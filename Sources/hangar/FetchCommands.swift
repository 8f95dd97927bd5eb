import ArgumentParser
import Foundation
import HangarCore

/// Extraction limits as options.
struct LimitOptions: ParsableArguments {
    @Option(help: "Refuse archives that unpack to more than this many bytes (default 64 GiB).") var maxBytes: Int64?
    @Option(help: "Refuse archives with more than this many entries (default 1000000).") var maxEntries: Int?

    var limits: ExtractionLimits {
        let d = ExtractionLimits()
        return ExtractionLimits(maxTotalBytes: maxBytes ?? d.maxTotalBytes, maxEntries: maxEntries ?? d.maxEntries)
    }
}

/// `hangar fetch PROJECT REF --to DIR`.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch", abstract: "Fetch a candidate's artifacts, verified, safely and atomically extracted.")
    @Argument var project: String
    @Argument(help: "Candidate: tag, digest or environment name (e.g. production).") var ref: String
    @Option(help: "Target folder (one subfolder per artifact, or the artifact itself with --artifact). It is replaced whole; a non-empty folder an earlier fetch did not make is refused (exit 6) unless --replace.")
    var to: String
    @Option(help: "Only this artifact, extracted into the target itself.") var artifact: String?
    @Flag(help: "Replace the target folder even though fetch did not make it: everything in it is deleted.") var replace = false
    @OptionGroup var limits: LimitOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let progress = ProgressBar()
        let result = try await store.client().fetch(project, ref: ref, to: to, artifact: artifact, replace: replace,
                                                    limits: limits.limits, progress: progress.update)
        progress.finish()
        if output.json { return try Terminal.json(result) }
        print("fetched \(result.project) \(result.tag)  \(result.digest)")
        Terminal.table(["ARTIFACT", "DIGEST", "FILES", "SIZE", "PATH"], result.artifacts.map {
            [$0.name, "sha256:" + $0.digest.short, String($0.files), formatBytes($0.bytes), $0.path]
        })
    }
}

/// `hangar archive PATH`: the digest a build output would get, without storing it.
struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive", abstract: "Print the digest a folder or file archives to (nothing is stored).")
    @Argument(help: "Folder or file.") var path: String
    @Option(help: "zstd, gzip or none.") var compression: String = "zstd"
    @Option(name: .shortAndLong, help: "Also write the archive to this file (- for stdout).") var output: String?
    @OptionGroup var format: OutputOptions

    func run() async throws {
        guard let compression = ArchiveCompression(rawValue: compression) else {
            throw HangarError.invalid("compression '\(compression)' is not one of zstd, gzip, none")
        }
        let hasher = SHA256Hasher()
        let progress = ProgressBar()
        let total = BuildOutputSize.of(path)
        let archiver = DeterministicArchiver(compression: compression)
        var summary: ArchiveSummary?
        let run = { (sink: (UnsafeRawBufferPointer) throws -> Void) throws in
            summary = try archiver.archive(path, into: { hasher.update($0); try sink($0) }, progress: { progress.update("archiving", done: $0, total: total) })
        }
        if let output { try AtomicFileOutput.write(to: output) { try run($0) } } else { try run { _ in } }
        progress.finish()
        let digest = hasher.finalize()
        if format.json {
            return try Terminal.json(ArchiveAnswer(digest: digest, size: hasher.count, entries: summary!.entries, mediaType: compression.mediaType))
        }
        print("\(digest)  \(formatBytes(hasher.count))  \(summary!.entries) entries  \(compression.mediaType)")
    }
}

/// `hangar extract ARCHIVE|DIGEST --to DIR`: the deploy agents' safe extractor.
struct ExtractCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract", abstract: "Safely and atomically extract an archive file or a stored blob.")
    @Argument(help: "An archive file, or the digest of a stored blob.") var source: String
    @Option(help: "Target folder (replaced atomically).") var to: String
    @OptionGroup var limits: LimitOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let extractor = SafeExtractor(limits: limits.limits)
        let summary: ExtractionSummary
        if source.hasPrefix("sha256:") {
            let reader = try await store.blobStore(for: "extract DIGEST").reader(for: try parseDigest(source))
            defer { reader.close() }
            summary = try await extractor.extract(reader, into: to)
        } else {
            summary = try extractor.extract(archiveAt: source, into: to)
        }
        if output.json { return try Terminal.json(["entries": summary.entries, "files": summary.files, "bytes": Int(summary.bytes)]) }
        print("extracted \(summary.entries) entries (\(summary.files) files, \(formatBytes(summary.bytes))) into \(to)")
    }
}

/// `archive --json`.
private struct ArchiveAnswer: Encodable {
    var digest: Digest
    var size: Int64
    var entries: Int
    var mediaType: String
}
