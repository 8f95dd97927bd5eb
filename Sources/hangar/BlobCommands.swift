import ArgumentParser
import Foundation
import HangarCore

/// `hangar digest FILE…`: the SHA-256 digest of files, computed through OpenSSL.
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest", abstract: "Print the sha256 digest of files (nothing is stored).")

    @Argument(help: "Files to hash.") var files: [String]
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var results: [FileDigest] = []
        for file in files {
            let reader = try LocalFileReader(path: file)
            defer { reader.close() }
            let progress = ProgressBar("hashing \(file)", total: reader.length)
            let hasher = SHA256Hasher()
            try reader.forEachChunk(chunkSize: 4 << 20) {
                hasher.update($0)
                progress.advance(hasher.count)
            }
            progress.finish()
            let digest = hasher.finalize()
            if output.json {
                results.append(FileDigest(file: file, digest: digest.description, size: hasher.count))
            } else {
                print("\(digest)  \(file)")
            }
        }
        if output.json { try Terminal.json(results) }
    }
}

/// `hangar blob put|get|ls`: raw blob access to the store.
struct BlobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob", abstract: "Store, read and list raw blobs.",
        subcommands: [Put.self, Get.self, List.self])

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store a file as a blob; prints its digest.")
        @Argument(help: "The file to store, or - for standard input.") var file: String
        @Option(help: "Refuse unless the file hashes to this digest.") var digest: String?
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let expected = try digest.map(parseDigest)
            let blobs = try await store.blobStore(for: "blob put")
            let reader = try LocalFileReader(path: file)
            defer { reader.close() }
            let writer = try await blobs.writer()
            let progress = ProgressBar("storing", total: reader.length)
            let stored: StoredBlob
            do {
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 16)
                defer { buffer.deallocate() }
                while case let n = try reader.read(into: buffer), n > 0 {
                    try await writer.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                    progress.advance(writer.bytesWritten)
                }
                progress.finish()
                stored = try await writer.commit(expected: expected, expectedSize: nil)
            } catch {
                writer.abort()
                throw error
            }
            if output.json { try Terminal.json(stored) } else {
                print("\(stored.digest)  \(formatBytes(stored.size))  \(stored.created ? "stored" : "already stored")")
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a blob to a file (verified; - for stdout).")
        @Argument(help: "The blob's digest.") var digest: String
        @Option(name: .shortAndLong, help: "Output file, or - for standard output.") var output: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let digest = try parseDigest(digest)
            let reader = try await store.blobStore(for: "blob get").reader(for: digest)
            defer { reader.close() }
            let progress = Handoff(ProgressBar("reading", total: reader.length))
            let (source, output) = (Handoff(BlockingBlobSource(reader)), output)
            // The file is written synchronously: on a thread of its own.
            try await BlockingIO.dedicated {
                try AtomicFileOutput.write(to: output) { sink in
                    var done: Int64 = 0
                    try source.value.forEachChunk { chunk in
                        try sink(chunk)
                        done += Int64(chunk.count)
                        progress.value.advance(done)
                    }
                }
            }
            progress.value.finish()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List stored blobs and their sizes.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let blobs = try await store.blobStore(for: "blob ls")
            var rows: [BlobRow] = []
            var after: Digest?
            while true {
                let page = try await blobs.list(after: after, limit: 1000)
                rows += page.map { BlobRow(digest: $0.digest.description, size: $0.size) }
                guard page.count == 1000, let last = page.last else { break }
                after = last.digest
            }
            if output.json {
                try Terminal.json(rows)  // sizes are numbers, as in every other command
            } else {
                Terminal.table(["DIGEST", "SIZE"], rows.map { [$0.digest.description, formatBytes($0.size)] })
            }
        }
    }
}

/// `hangar verify`: re-hash every stored blob and report the ones that no longer match.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Re-hash every blob; exit 5 naming each corrupt, truncated, extended or missing one.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let service = try await store.service(for: "verify")
        let referenced = try await service.metadata.referencedBlobs()
        let progress = ProgressBar("verifying", total: nil)
        let report = try await Scrubber(store: service.blobs).run(referenced: referenced) { _, _, bytes in progress.advance(bytes) }
        progress.finish()
        if output.json {
            try Terminal.json(report)
        } else {
            for p in report.problems { print("\(p.kind.rawValue.uppercased())  \(p.digest)  \(p.message)") }
            print("\(report.checked) blobs, \(formatBytes(report.bytes)) checked; \(report.problems.count) problems")
        }
        if !report.ok { throw CommandFailure(code: ExitCodes.code(for: .integrity)) }
    }
}

/// One row of `blob ls --json`.
struct BlobRow: Encodable {
    var digest: String
    var size: Int64
}

/// One row of `digest --json`.
struct FileDigest: Encodable {
    var file: String
    var digest: String
    var size: Int64
}
