#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HangarConformance
import HangarFileSystem
import Testing
@testable import HangarCore

/// Damaged stores, as a failing disk or a careless operator leaves them: every kind of
/// damage is reported, nothing crashes, nothing is left behind.
@Suite struct StorageIntegrityTests {
    /// A store holding one archive blob of a small tree, and its path on disk.
    static func storeWithArchive() async throws -> (TempDir, FileSystemBlobStore, Digest, String) {
        let dir = TempDir("integrity")
        let scratch = try ArchiveScratch()
        try scratch.write("app/bin/tool", Array(repeating: UInt8(7), count: 200_000))
        try scratch.write("app/README", "hello")
        let store = try FileSystemBlobStore(root: dir.sub("store"))
        let digest = try await store.put(try archiveBytes(scratch.at("app"))).digest
        return (dir, store, digest, store.path(for: digest))
    }

    static func damage(_ path: String, _ how: String) throws {
        chmod(path, 0o644)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        switch how {
        case "flip": bytes[bytes.count / 2] ^= 0x01
        case "truncate-1": bytes.removeLast()
        case "truncate-0": bytes = []
        case "extra": bytes += [0]
        default: try FileManager.default.removeItem(atPath: path); return
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test(arguments: ["flip", "truncate-1", "truncate-0", "extra", "missing"])
    func aDamagedBlobFailsExtractionCleanly(_ damage: String) async throws {
        let (dir, store, digest, path) = try await Self.storeWithArchive()
        try Self.damage(path, damage)
        let target = dir.sub("out/app")
        do {
            let reader = try await store.reader(for: digest)
            defer { reader.close() }
            _ = try await SafeExtractor().extract(reader, into: target)
            Issue.record("a \(damage) blob was extracted")
        } catch let e as HangarError {
            #expect(e.kind == (damage == "missing" ? .notFound : .integrity), "\(damage): \(e)")
        }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: dir.sub("out"))) ?? []
        #expect(left.isEmpty, "\(damage): nothing left beside the target: \(left)")
    }

    @Test(arguments: ["flip", "truncate-1", "extra"])
    func anAtRestReadOfAChangedFileChecksEveryByteAgain(_ damage: String) async throws {
        let (keep, store, digest, path) = try await Self.storeWithArchive()
        defer { withExtendedLifetime(keep) {} }
        func readAll() async throws -> [UInt8] {
            let r = try await store.reader(for: digest, range: nil, verification: .atRest)
            defer { r.close() }
            return try await r.readAll(limit: 1 << 24)
        }
        let good = try await readAll()
        #expect(SHA256Hasher.digest(good) == digest, "sealed at write, read whole")
        try Self.damage(path, damage)  // any write to the file changes its identity (size, times)
        await #expect(throws: HangarError.self, "\(damage): the seal no longer holds, so the read is checked") { _ = try await readAll() }
        await #expect(throws: HangarError.self, "and stays checked") { _ = try await readAll() }
    }

    @Test func aReaderAskedAgainAfterAFailureFailsAgain() async throws {
        let (keep, store, digest, path) = try await Self.storeWithArchive()
        defer { withExtendedLifetime(keep) {} }
        try Self.damage(path, "truncate-1")
        let reader = try await store.reader(for: digest)
        defer { reader.close() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        await #expect(throws: HangarError.self) { while try await reader.read(into: buffer) > 0 {} }
        for _ in 0..<3 {
            await #expect(throws: HangarError.self) { _ = try await reader.read(into: buffer) }
        }
    }

    @Test func leftoversOfKilledProcessesAreSweptAndLiveOnesKept() async throws {
        let dir = TempDir("sweep")
        let store = try FileSystemBlobStore(root: dir.sub("store"))
        let dead: Int32 = 4_000_000  // above any pid_max in use here: no such process
        let tmp = dir.sub("store/tmp")
        for name in ["upload-\(dead)-a", "upload-\(getpid())-b", "upload-oldstyle"] {
            FileManager.default.createFile(atPath: tmp + "/" + name, contents: Data(count: 1000))
        }
        let report = try await store.sweepTemporary(maxAge: 86_400)
        #expect(report.removed == 1 && report.bytes == 1000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).sorted() == ["upload-\(getpid())-b", "upload-oldstyle"])
        // An extraction sweeps the temp folders a killed extraction into the same target left.
        try FileManager.default.createDirectory(atPath: dir.sub("site/.app.hangar-tmp-\(dead)-x/deep"), withIntermediateDirectories: true)
        let (keep, archiveStore, digest, _) = try await Self.storeWithArchive()
        defer { withExtendedLifetime(keep) {} }
        let reader = try await archiveStore.reader(for: digest)
        defer { reader.close() }
        _ = try await SafeExtractor().extract(reader, into: dir.sub("site/app"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.sub("site")) == ["app"])
    }
}
