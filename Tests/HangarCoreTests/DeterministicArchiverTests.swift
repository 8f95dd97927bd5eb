#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import HangarCore

/// Builds the same logical tree under `root`, varying everything the archive must ignore.
private func makeSampleTree(_ scratch: ArchiveScratch, _ root: String, variant: Int) throws {
    var steps: [() throws -> Void] = [
        { try scratch.write("\(root)/README", "hello\n", mode: variant == 0 ? 0o644 : 0o600) },
        { try scratch.write("\(root)/bin/run", "#!/bin/sh\necho run\n", mode: variant == 0 ? 0o755 : 0o700) },
        { try scratch.write("\(root)/bin/suid", "x", mode: variant == 0 ? 0o4755 : 0o2711) },
        { try scratch.write("\(root)/lib/a.txt", "a\n") },
        { try scratch.write("\(root)/lib/sub/b.txt", [UInt8](repeating: 7, count: 70_000)) },
        { try scratch.write("\(root)/a-b", "dash sorts before slash\n") },
        { try scratch.write("\(root)/a/x", "x\n") },
        { try scratch.write("\(root)/donn\u{e9}es/\u{e9}t\u{e9}.txt", "utf-8 names\n") },
        { try scratch.write("\(root)/" + String(repeating: "long-name-", count: 12) + "/" + String(repeating: "z", count: 120), "pax path\n") },
        { try scratch.makeFolder("\(root)/empty", mode: variant == 0 ? 0o755 : 0o700) },
        { try scratch.symlink("\(root)/link", to: "lib/a.txt") },
        { try scratch.makeFolder("\(root)/lib") },
        { try scratch.symlink("\(root)/lib/up", to: "../README") },
    ]
    if variant != 0 { steps.reverse() }
    for step in steps { try step() }
    guard link(scratch.at("\(root)/README"), scratch.at("\(root)/lib/hard")) == 0 else {
        throw HangarError(.io, "link failed")
    }
    // Different times and owners on every path of the variant.
    for path in treeSnapshot(scratch.at(root)).keys {
        let full = scratch.at("\(root)/\(path)")
        var times = [timespec(tv_sec: 1_000_000 * (variant + 1), tv_nsec: 123 * variant),
                     timespec(tv_sec: 2_000_000 * (variant + 1), tv_nsec: 456 * variant)]
        utimensat(AT_FDCWD, full, &times, AT_SYMLINK_NOFOLLOW)
        if variant != 0 { lchown(full, 1234, 5678) }
    }
}

@Suite("DeterministicArchiver")
struct DeterministicArchiverTests {
    @Test func sameTreeGivesSameDigestWhateverTimesOrderOwnersAndPaths() throws {
        let scratch = try ArchiveScratch()
        try makeSampleTree(scratch, "first", variant: 0)
        try makeSampleTree(scratch, "elsewhere/second-copy", variant: 1)
        #expect(treeSnapshot(scratch.at("first")).count == treeSnapshot(scratch.at("elsewhere/second-copy")).count)
        for compression in ArchiveCompression.allCases {
            let archiver = DeterministicArchiver(compression: compression)
            let a = try archiver.digest(of: scratch.at("first"))
            let b = try archiver.digest(of: scratch.at("elsewhere/second-copy") + "/")
            #expect(a.digest == b.digest, "\(compression)")
            #expect(a.size == b.size, "\(compression)")
        }
    }

    @Test func oneByteChangeGivesAnotherDigest() throws {
        let scratch = try ArchiveScratch()
        try makeSampleTree(scratch, "t", variant: 0)
        var before: [ArchiveCompression: Digest] = [:]
        for compression in ArchiveCompression.allCases {
            before[compression] = try DeterministicArchiver(compression: compression).digest(of: scratch.at("t")).digest
        }
        try scratch.write("t/lib/sub/b.txt", [UInt8](repeating: 7, count: 69_999) + [8])
        for compression in ArchiveCompression.allCases {
            let after = try DeterministicArchiver(compression: compression).digest(of: scratch.at("t")).digest
            #expect(after != before[compression], "\(compression)")
        }
        // The executable bit alone is part of the content too.
        let plain = try DeterministicArchiver(compression: .none).digest(of: scratch.at("t")).digest
        chmod(scratch.at("t/lib/a.txt"), 0o744)
        #expect(try DeterministicArchiver(compression: .none).digest(of: scratch.at("t")).digest != plain)
    }

    @Test func everyCompressionIsDeterministicRunToRun() throws {
        let scratch = try ArchiveScratch()
        try makeSampleTree(scratch, "t", variant: 0)
        for compression in ArchiveCompression.allCases {
            let first = try archiveBytes(scratch.at("t"), compression)
            let second = try archiveBytes(scratch.at("t"), compression)
            #expect(first == second, "\(compression)")
        }
    }

    /// A pinned digest: catches anything process- or machine-dependent (pids in pax header
    /// names, times, user names, block padding) across runs, not only within one.
    @Test func plainTarOfAFixedTreeHasAPinnedDigest() throws {
        let scratch = try ArchiveScratch()
        try scratch.write("t/hello.txt", "hello\n")
        try scratch.write("t/bin/tool", "#!/bin/sh\n", mode: 0o755)
        try scratch.write("t/" + String(repeating: "n", count: 150), "needs a pax path\n")
        try scratch.write("t/\u{e9}.txt", "non-ascii name\n")
        try scratch.symlink("t/link", to: "hello.txt")
        let result = try DeterministicArchiver(compression: .none).digest(of: scratch.at("t"))
        #expect(result.digest.description == "sha256:5efd1c95c62ed6b3f63f1ccabcdcc1d4014fdcc8ebd99066d97a710db78c2d00")
        #expect(result.size == 8192)
    }

    /// The test process runs in the C locale; valid UTF-8 names must still be stored as
    /// pax UTF-8 (not "hdrcharset=BINARY"), so the bytes cannot depend on the locale.
    @Test func utf8NamesAreStoredAsUTF8WhateverTheLocale() throws {
        let scratch = try ArchiveScratch()
        try scratch.write("t/caf\u{e9}/\u{65e5}\u{672c}.txt", "x")
        let inCLocale = try withThreadLocale("C") { try archiveBytes(scratch.at("t")) }
        let inUTF8Locale = try withThreadLocale("C.UTF-8") { try archiveBytes(scratch.at("t")) }
        #expect(inCLocale == inUTF8Locale)
        let text = String(decoding: inCLocale, as: UTF8.self)
        #expect(!text.contains("hdrcharset"))
        #expect(text.contains("path=caf\u{e9}/\u{65e5}\u{672c}.txt\n"))
    }

    @Test func compressedStreamsWrapTheSameTarAndCarryNoTimestamp() throws {
        let scratch = try ArchiveScratch()
        try makeSampleTree(scratch, "t", variant: 0)
        let plain = try archiveBytes(scratch.at("t"), .none)
        let gzip = try archiveBytes(scratch.at("t"), .gzip)
        #expect(Array(gzip.prefix(3)) == [0x1f, 0x8b, 8])
        #expect(gzip[3] == 0, "no FNAME/FCOMMENT/FEXTRA flags")
        #expect(Array(gzip[4..<8]) == [0, 0, 0, 0], "no modification time")
        #expect(try runTool("/usr/bin/gzip", ["-dc"], input: gzip) == plain)
        let zstd = try archiveBytes(scratch.at("t"), .zstd)
        #expect(Array(zstd.prefix(4)) == [0x28, 0xb5, 0x2f, 0xfd])
        #expect(try runTool("/usr/bin/zstd", ["-dc"], input: zstd) == plain)
    }

    @Test func headersHaveFixedMetadataSortedNamesAndNormalisedModes() throws {
        let scratch = try ArchiveScratch()
        try makeSampleTree(scratch, "t", variant: 1)
        let tar = try archiveBytes(scratch.at("t"), .none)
        try scratch.write("t.tar", tar)
        // Python's tarfile is an independent reader: name type mode uid gid uname gname mtime link.
        let script = """
        import sys, tarfile
        for m in tarfile.open(sys.argv[1]):
            print(m.name, m.type.decode(), oct(m.mode), m.uid, m.gid, repr(m.uname), repr(m.gname), m.mtime, m.linkname, sep='|')
        """
        let listing = String(decoding: try runTool("/usr/bin/env", ["python3", "-c", script, scratch.at("t.tar")]), as: UTF8.self)
        let rows = listing.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        let names = rows.map { $0[0] }
        // tarfile drops a folder's trailing slash; the stored names are sorted with it.
        let stored = rows.map { $0[1] == "5" ? $0[0] + "/" : $0[0] }
        #expect(stored == stored.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(names.firstIndex(of: "a-b")! < names.firstIndex(of: "a")! && names.firstIndex(of: "a")! < names.firstIndex(of: "a/x")!)
        #expect(names.contains("donn\u{e9}es/\u{e9}t\u{e9}.txt"))
        #expect(names.contains("empty") && !names.contains { $0.hasPrefix("./") || $0.hasSuffix("/") })
        #expect(names.count == treeSnapshot(scratch.at("t")).count)
        for row in rows {
            #expect(row[3] == "0" && row[4] == "0" && row[5] == "''" && row[6] == "''" && row[7] == "0", "\(row)")
        }
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0) })
        #expect(byName["empty"]?[1] == "5" && byName["empty"]?[2] == "0o755")
        #expect(byName["bin/run"]?[2] == "0o755")
        #expect(byName["bin/suid"]?[2] == "0o755", "setuid/setgid dropped")
        #expect(byName["README"]?[2] == "0o644")
        #expect(byName["lib/hard"]?[1] == "0", "hard link archived as a regular file")
        #expect(byName["lib/up"]?[1] == "2" && byName["lib/up"]?[8] == "../README")
    }

    @Test func singleFileBecomesOneEntryNamedByItsBaseName() throws {
        let scratch = try ArchiveScratch()
        try scratch.write("dir/tool.bin", "binary", mode: 0o750)
        let summary = try DeterministicArchiver(compression: .none).archive(scratch.at("dir/tool.bin"), into: { _ in })
        #expect(summary.entries == 1 && summary.inputBytes == 6)
        let tar = try archiveBytes(scratch.at("dir/tool.bin"))
        #expect(Array(tar.prefix(9)) == Array("tool.bin\0".utf8))
        #expect(tar.count == 512 + 512 + 1024)
    }

    @Test func refusesFifoSocketAbsoluteAndEscapingSymlinks() throws {
        let cases: [(String, (ArchiveScratch) throws -> Void)] = [
            ("t/pipe", { #expect(mkfifo($0.at("t/pipe"), 0o644) == 0) }),
            ("t/sock", { try makeSocket($0.at("t/sock")) }),
            ("t/abs", { try $0.symlink("t/abs", to: "/etc/passwd") }),
            ("t/sub/esc", { try $0.symlink("t/sub/esc", to: "../../outside") }),
            // Each inside on its own, outside together: x -> d/.. with d -> . is t/.. .
            ("t/x", { s in try s.symlink("t/x", to: "d/.."); try s.symlink("t/d", to: ".") }),
        ]
        for (offender, make) in cases {
            let scratch = try ArchiveScratch()
            try scratch.write("t/sub/ok.txt", "ok")
            try make(scratch)
            let error = #expect(throws: HangarError.self) { try DeterministicArchiver().digest(of: scratch.at("t")) }
            #expect(error?.kind == .invalidInput, "\(offender)")
            #expect(error?.message.contains(scratch.at(offender)) == true, "\(error?.message ?? "")")
        }
    }

    @Test func mediaTypesNameTheCompression() throws {
        #expect(ArchiveCompression.zstd.mediaType == "application/vnd.hangar.artifact.v1.tar+zstd")
        #expect(ArchiveCompression.gzip.mediaType == "application/vnd.hangar.artifact.v1.tar+gzip")
        #expect(ArchiveCompression.none.mediaType == "application/vnd.hangar.artifact.v1.tar")
        for compression in ArchiveCompression.allCases {
            #expect(ArchiveCompression(mediaType: compression.mediaType) == compression)
        }
        #expect(ArchiveCompression(mediaType: "application/vnd.oci.image.layer.v1.tar") == nil)
        let error = #expect(throws: HangarError.self) { try ArchiveCompression(parsingMediaType: "text/plain") }
        #expect(error?.kind == .invalidInput && error?.message.contains("text/plain") == true)
    }

    @Test func sinkErrorsComeOutUnchanged() throws {
        let scratch = try ArchiveScratch()
        try makeSampleTree(scratch, "t", variant: 0)
        for compression in ArchiveCompression.allCases {
            var delivered = 0
            var callsAfterFailure = 0
            let error = #expect(throws: HangarError.self) {
                try DeterministicArchiver(compression: compression).archive(scratch.at("t"), into: { chunk in
                    if delivered > 0 { callsAfterFailure += 1 }
                    delivered += chunk.count
                    throw HangarError(.conflict, "sink is full")
                })
            }
            #expect(error?.kind == .conflict && error?.message == "sink is full")
            #expect(callsAfterFailure == 0, "nothing more is written once the sink failed (\(compression))")
        }
    }

    @Test func largeSparseFileStreamsWithProgress() throws {
        let scratch = try ArchiveScratch()
        try scratch.write("big/data.bin", "start")
        let size: Int64 = 300 << 20
        #expect(truncate(scratch.at("big/data.bin"), off_t(size)) == 0)
        let hasher = SHA256Hasher()
        var reported: [Int64] = []
        let summary = try DeterministicArchiver(compression: .none).archive(
            scratch.at("big"), into: { hasher.update($0) }, progress: { reported.append($0) })
        #expect(summary.entries == 1 && summary.inputBytes == size)
        #expect(summary.outputBytes == 512 + size + 1024)
        #expect(hasher.count == summary.outputBytes)
        #expect(reported.last == size && reported == reported.sorted())
        let zstd = try DeterministicArchiver(compression: .zstd).archive(scratch.at("big"), into: { _ in })
        #expect(zstd.inputBytes == size && zstd.outputBytes < 1 << 20)
    }
}

private func withThreadLocale<R>(_ name: String, _ body: () throws -> R) throws -> R {
    guard let locale = newlocale(LC_CTYPE_MASK, name, nil) else { throw HangarError(.io, "no locale \(name)") }
    let previous = uselocale(locale)
    defer {
        uselocale(previous)
        freelocale(locale)
    }
    return try body()
}

private func makeSocket(_ path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HangarError(.io, "socket failed") }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8) + [0]
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let status = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard status == 0 else { throw HangarError(.io, "bind \(path) failed: \(errno)") }
}
