import Foundation
import HangarConformance
import HangarFileSystem
import Testing
@testable import HangarCore

extension BlobStoreHarness {
    /// The filesystem backend, each store in its own temp folder (kept alive by the closure).
    static let fileSystem = BlobStoreHarness(
        makeStore: { try FileSystemBlobStore(root: TempDir("fsblobs").retained()) },
        makeFaultyStore: { plan in
            ContentAddressedStore(driver: FaultyDriver(try FileSystemDriver(root: TempDir("fsblobs").retained()), plan: plan))
        },
        corrupt: { store, digest in
            let path = (store as! FileSystemBlobStore).path(for: digest)
            chmod(path, 0o644)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count / 2] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: path))
        },
        leftovers: { store in
            let root = (store as? FileSystemBlobStore)?.root ?? (store as! ContentAddressedStore<FaultyDriver<FileSystemDriver>>).driver.inner.root
            return try FileManager.default.contentsOfDirectory(atPath: root + "/tmp")
        }
    )
}

extension TempDir {
    /// Keeps the folder for the rest of the process (stores made inside a harness closure).
    func retained() -> String {
        TempDir.kept.withLock { $0.append(self) }
        return path
    }
    static let kept = Mutex<[TempDir]>([])
}

import Synchronization

@Suite struct FileSystemBlobStoreTests {
    @Test(arguments: BlobStoreConformance.cases)
    func conformance(_ check: BlobStoreConformance.Case) async throws {
        try await check.run(.fileSystem)
    }

    @Test func storesBlobsReadOnlyUnderTheFanOutLayout() async throws {
        let dir = TempDir()
        let store = try FileSystemBlobStore(root: dir.path)
        let stored = try await store.put(Array("hello".utf8))
        let path = dir.path + "/blobs/sha256/\(stored.digest.hex.prefix(2))/\(stored.digest.hex)"
        #expect(store.path(for: stored.digest) == path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as! NSNumber).intValue == 0o444)
    }

    @Test func truncationAndBitFlipsAreFoundByTheScrub() async throws {
        let dir = TempDir()
        let store = try FileSystemBlobStore(root: dir.path)
        let good = try await store.put(BlobStoreConformance.pattern(50_000)).digest
        let flipped = try await store.put(BlobStoreConformance.pattern(60_000)).digest
        let truncated = try await store.put(BlobStoreConformance.pattern(70_000)).digest
        let unsized = try await store.put(BlobStoreConformance.pattern(80_000)).digest
        let extended = try await store.put(BlobStoreConformance.pattern(90_000)).digest
        try await BlobStoreHarness.fileSystem.corrupt(store, flipped)
        for d in [truncated, unsized] {
            chmod(store.path(for: d), 0o644)
            truncate(store.path(for: d), 1000)
        }
        chmod(store.path(for: extended), 0o644)
        let handle = try #require(FileHandle(forWritingAtPath: store.path(for: extended)))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        let missing = SHA256Hasher.digest(Array("never stored".utf8))

        let report = try await Scrubber(store: store).run(referenced: [
            good: 50_000, missing: nil, truncated: 70_000, extended: 90_000, unsized: nil, flipped: 60_000])
        #expect(report.checked == 5)
        #expect(!report.ok)
        let byDigest = Dictionary(uniqueKeysWithValues: report.problems.map { ($0.digest, $0.kind) })
        #expect(byDigest == [flipped: .corrupt, truncated: .truncated, extended: .extra, unsized: .corrupt, missing: .missing])
    }
}
