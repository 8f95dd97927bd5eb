#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HangarFileSystem
import Testing
@testable import HangarCore

private let hostileFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/hostile").path

/// A hostile fixture, what it must fail with and the entry its message must name.
struct HostileCase: CustomStringConvertible, Sendable {
    var file: String
    var kind: HangarError.Kind
    var names: String
    var limits = ExtractionLimits()
    var description: String { file }
}

let hostileCases: [HostileCase] = [
    HostileCase(file: "traversal.tar", kind: .invalidInput, names: "'../evil'"),
    HostileCase(file: "traversal-nested.tar", kind: .invalidInput, names: "'a/../../evil'"),
    HostileCase(file: "absolute.tar", kind: .invalidInput, names: "'/tmp/hangar-evil'"),
    HostileCase(file: "symlink-escape.tar", kind: .invalidInput, names: "'link'"),
    HostileCase(file: "symlink-absolute.tar", kind: .invalidInput, names: "'escape'"),
    HostileCase(file: "symlink-chain.tar", kind: .invalidInput, names: "'d/l/l2'"),
    HostileCase(file: "symlink-write-through.tar", kind: .invalidInput, names: "'s/file'"),
    HostileCase(file: "symlink-late-escape.tar", kind: .invalidInput, names: "'x'"),
    HostileCase(file: "hardlink-escape.tar", kind: .invalidInput, names: "'h'"),
    HostileCase(file: "hardlink-missing.tar", kind: .invalidInput, names: "'h'"),
    HostileCase(file: "hardlink-to-folder.tar", kind: .invalidInput, names: "'h'"),
    HostileCase(file: "device-char.tar", kind: .invalidInput, names: "'null'"),
    HostileCase(file: "device-block.tar", kind: .invalidInput, names: "'disk'"),
    HostileCase(file: "fifo.tar", kind: .invalidInput, names: "'pipe'"),
    HostileCase(file: "duplicate-type.tar", kind: .invalidInput, names: "'a/'"),
    HostileCase(file: "empty-name.tar", kind: .invalidInput, names: "empty name"),
    HostileCase(file: "bomb-declared.tar.gz", kind: .limitExceeded, names: "'huge.bin' declares 107374182400 bytes, more than the limit of 68719476736"),
    HostileCase(file: "bomb-zeros.tar.gz", kind: .limitExceeded, names: "'zeros.bin' declares 1073741824 bytes, which takes the archive past the limit of 67108864",
                limits: ExtractionLimits(maxTotalBytes: 64 << 20, maxEntrySize: 2 << 30)),
    HostileCase(file: "bomb-zeros.tar.gz", kind: .limitExceeded, names: "'zeros.bin' declares 1073741824 bytes, more than the limit of 1048576 bytes per entry",
                limits: ExtractionLimits(maxEntrySize: 1 << 20)),
]

/// A sentinel folder around the target: `sentinel/parent/target` with known contents.
private func makeSurroundings(_ scratch: ArchiveScratch, targetExists: Bool) throws -> String {
    try scratch.write("sentinel/etc/passwd", "sentinel passwd\n")
    try scratch.write("sentinel/parent/neighbour.txt", "neighbour\n")
    if targetExists {
        try scratch.write("sentinel/parent/target/keep.txt", "previous contents\n")
        try scratch.write("sentinel/parent/target/sub/data.bin", (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }, mode: 0o755)
        try scratch.symlink("sentinel/parent/target/link", to: "keep.txt")
        // Removing the old tree after a swap must delete this link, not what it points to.
        try scratch.symlink("sentinel/parent/target/up", to: "../../etc")
    }
    return scratch.at("sentinel/parent/target")
}

/// Bytes held in memory, pulled like a blob reader.
private func puller(_ bytes: [UInt8]) -> (UnsafeMutableRawBufferPointer) throws -> Int {
    var offset = 0
    return { buffer in
        let n = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
        offset += n
        return n
    }
}

@Suite("SafeExtractor")
struct SafeExtractorTests {
    @Test(arguments: hostileCases, [true, false])
    func hostileFixtureIsRefusedAndNothingChanges(_ fixture: HostileCase, targetExists: Bool) throws {
        let scratch = try ArchiveScratch()
        let target = try makeSurroundings(scratch, targetExists: targetExists)
        let before = treeSnapshot(scratch.path)
        let evilBefore = FileManager.default.fileExists(atPath: "/tmp/hangar-evil")
        let extractor = SafeExtractor(limits: fixture.limits)
        let error = #expect(throws: HangarError.self) {
            try extractor.extract(archiveAt: hostileFolder + "/" + fixture.file, into: target)
        }
        #expect(error?.kind == fixture.kind, "\(error?.description ?? "no error")")
        #expect(error?.message.contains(fixture.names) == true, "\(error?.message ?? "no error")")
        // Target byte for byte as it was (or still absent), nothing written around it,
        // no temp folder left next to it.
        #expect(treeSnapshot(scratch.path) == before)
        #expect(scratch.list("sentinel/parent") == (targetExists ? ["neighbour.txt", "target"] : ["neighbour.txt"]))
        #expect(FileManager.default.fileExists(atPath: "/tmp/hangar-evil") == evilBefore)
    }

    @Test(arguments: ArchiveCompression.allCases)
    func roundTripGivesTheSameTree(_ compression: ArchiveCompression) throws {
        let scratch = try ArchiveScratch()
        try scratch.write("src/README.md", "# hello\n")
        try scratch.write("src/bin/run", "#!/bin/sh\necho hi\n", mode: 0o755)
        try scratch.write("src/lib/deep/er/data.bin", (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try scratch.write("src/lib/empty.txt", "")
        try scratch.makeFolder("src/empty/folder")
        try scratch.symlink("src/lib/current", to: "deep/er/data.bin")
        try scratch.symlink("src/docs", to: "lib/../README.md")
        try scratch.write("src/caf\u{e9} \u{65e5}\u{672c}.txt", "unicode\n")
        let archive = try archiveBytes(scratch.at("src"), compression)
        let summary = try SafeExtractor().extract(into: scratch.at("out/target"), from: puller(archive))
        #expect(treeSnapshot(scratch.at("out/target")) == treeSnapshot(scratch.at("src")))
        #expect(summary.entries == treeSnapshot(scratch.at("src")).count)
        #expect(summary.files == 5 && summary.bytes == 300_000 + 8 + 18 + 8)
        #expect(scratch.mode("out/target") & 0o7777 == 0o755)
        #expect(scratch.list("out") == ["target"])
    }

    @Test func extractionReplacesAnExistingTargetAtomically() throws {
        let scratch = try ArchiveScratch()
        let target = try makeSurroundings(scratch, targetExists: true)
        var before = stat()
        lstat(target, &before)
        try scratch.write("new/only-new.txt", "new\n")
        try scratch.write("new/sub/data.bin", "replaced\n")
        _ = try SafeExtractor().extract(into: target, from: puller(try archiveBytes(scratch.at("new"), .zstd)))
        #expect(treeSnapshot(target) == treeSnapshot(scratch.at("new")))
        #expect(scratch.list("sentinel/parent") == ["neighbour.txt", "target"])
        var after = stat()
        lstat(target, &after)
        #expect(after.st_ino != before.st_ino, "a new folder was swapped in, not the old one rewritten")
        #expect(try scratch.read("sentinel/etc/passwd") == Array("sentinel passwd\n".utf8))
    }

    @Test func setuidSetgidAndStickyBitsAreDropped() throws {
        let scratch = try ArchiveScratch()
        _ = try SafeExtractor().extract(archiveAt: hostileFolder + "/setuid.tar", into: scratch.at("t"))
        #expect(scratch.mode("t/bin/tool") & 0o7777 == 0o755)
        #expect(scratch.mode("t/bin/group") & 0o7777 == 0o644)
        #expect(scratch.mode("t/shared") & 0o7777 == 0o755)
    }

    @Test(arguments: [false, true])
    func corruptBlobFailsBeforeTheTargetChanges(appendInsteadOfFlip: Bool) async throws {
        let scratch = try ArchiveScratch()
        let target = try makeSurroundings(scratch, targetExists: true)
        let before = treeSnapshot(scratch.path)
        try scratch.write("src/payload.txt", String(repeating: "payload ", count: 1000))
        let archive = try archiveBytes(scratch.at("src"), .none)
        let store = try FileSystemBlobStore(root: scratch.at("store"))
        let stored = try await store.put(archive)
        // Damage the stored blob: a byte of file content, or bytes after the archive's end.
        let blob = store.path(for: stored.digest)
        chmod(blob, 0o644)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: blob)))
        if appendInsteadOfFlip { bytes += [1, 2, 3] } else { bytes[600] ^= 0x20 }
        try Data(bytes).write(to: URL(fileURLWithPath: blob))
        let reader = try await store.reader(for: stored.digest)
        defer { reader.close() }
        let error = await #expect(throws: HangarError.self) { try await SafeExtractor().extract(reader, into: target) }
        #expect(error?.kind == .integrity, "\(error?.description ?? "")")
        try FileManager.default.removeItem(atPath: scratch.at("src"))
        try FileManager.default.removeItem(atPath: scratch.at("store"))
        #expect(treeSnapshot(scratch.path) == before)
    }

    @Test func tooManyEntriesIsALimit() throws {
        let scratch = try ArchiveScratch()
        for i in 1...5 { try scratch.write("src/f\(i)", "\(i)") }
        let archive = try archiveBytes(scratch.at("src"), .gzip)
        let error = #expect(throws: HangarError.self) {
            try SafeExtractor(limits: ExtractionLimits(maxEntries: 3)).extract(into: scratch.at("t"), from: puller(archive))
        }
        #expect(error?.kind == .limitExceeded)
        #expect(error?.message.contains("'f4' is past the limit of 3 entries") == true, "\(error?.message ?? "")")
        #expect(scratch.list() == ["src"])
        let summary = try SafeExtractor(limits: ExtractionLimits(maxEntries: 5)).extract(into: scratch.at("t"), from: puller(archive))
        #expect(summary.entries == 5)
    }

    @Test func archivesMadeByBsdtarWithDotPrefixesExtract() throws {
        let scratch = try ArchiveScratch()
        try scratch.write("src/a/b.txt", "b\n")
        try scratch.write("src/x", "x\n", mode: 0o700)
        _ = try runTool("/usr/bin/bsdtar", ["-czf", scratch.at("made.tar.gz"), "-C", scratch.at("src"), "."])
        _ = try SafeExtractor().extract(archiveAt: scratch.at("made.tar.gz"), into: scratch.at("t"))
        #expect(try scratch.read("t/a/b.txt") == Array("b\n".utf8))
        #expect(scratch.mode("t/x") & 0o7777 == 0o755)
    }

    @Test(arguments: ["pax", "gnu"])
    func sparseEntriesFromGNUTarKeepContentAndHoles(format: String) throws {
        let scratch = try ArchiveScratch()
        try scratch.write("src/sparse.bin", "start")
        let fd = open(scratch.at("src/sparse.bin"), O_WRONLY)
        #expect(pwrite(fd, "middle", 6, 5_000_000) == 6 && ftruncate(fd, 10 << 20) == 0)
        close(fd)
        _ = try runTool("/usr/bin/tar", ["--sparse", "--format=\(format)", "-cf", scratch.at("s.tar"), "-C", scratch.at("src"), "sparse.bin"])
        let summary = try SafeExtractor().extract(archiveAt: scratch.at("s.tar"), into: scratch.at("t"))
        #expect(try scratch.read("t/sparse.bin") == scratch.read("src/sparse.bin"))
        #expect(summary.bytes < 1 << 20, "only the data blocks are written: \(summary.bytes)")
        var st = stat()
        lstat(scratch.at("t/sparse.bin"), &st)
        #expect(st.st_size == 10 << 20 && st.st_blocks * 512 < 1 << 20)
    }

    @Test func namesThatAreNotUTF8KeepTheirBytes() throws {
        let scratch = try ArchiveScratch()
        try scratch.makeFolder("src")
        let raw: [UInt8] = Array(scratch.at("src/").utf8) + [0x66, 0xff, 0xfe]
        let fd = (raw + [0]).withUnsafeBufferPointer {
            $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) }
        }
        #expect(fd >= 0)
        close(fd)
        let archive = try archiveBytes(scratch.at("src"), .zstd)
        _ = try SafeExtractor().extract(into: scratch.at("t"), from: puller(archive))
        let extracted: [UInt8] = Array(scratch.at("t/").utf8) + [0x66, 0xff, 0xfe, 0]
        var st = stat()
        let found = extracted.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { lstat($0.baseAddress!, &st) } }
        #expect(found == 0 && st.st_mode & S_IFMT == S_IFREG)
    }

    @Test func targetThatIsASymlinkOrAFileIsRefused() throws {
        let scratch = try ArchiveScratch()
        try scratch.write("src/a", "a")
        try scratch.makeFolder("real")
        try scratch.symlink("link", to: "real")
        try scratch.write("file", "f")
        let archive = try archiveBytes(scratch.at("src"))
        for target in ["link", "file"] {
            let error = #expect(throws: HangarError.self) {
                try SafeExtractor().extract(into: scratch.at(target), from: puller(archive))
            }
            #expect(error?.kind == .invalidInput && error?.message.contains(scratch.at(target)) == true)
        }
        #expect(scratch.list() == ["file", "link", "real", "src"] && scratch.list("real").isEmpty)
    }

    @Test func garbageIsRefusedAsNotAnArchive() throws {
        let scratch = try ArchiveScratch()
        let error = #expect(throws: HangarError.self) {
            try SafeExtractor().extract(into: scratch.at("t"), from: puller(Array("this is not a tar archive".utf8)))
        }
        #expect(error?.kind == .invalidInput)
        #expect(scratch.list().isEmpty)
    }
}
