import Foundation
import HangarConformance
import HangarFileSystem
import Testing
@testable import HangarCore

/// The garbage collector on the embedded store (filesystem + SQLite): a dry run lists
/// exactly what a real run then frees; what the rules keep stays whole; what goes is
/// said to be gone, by which rule; a run appends one audit entry.
@Suite struct CollectorTests {
    static let project = "acme/checkout"
    static let rules = RetentionRules(rollbackDepth: 1, releases: 2, supersededAfterSeconds: 3600, untaggedAfterSeconds: 3600)

    /// `versions` × 3 candidates (rc.1 cut, rc.2 and rc.3 cherry-picked); every fifth
    /// version's rc.3 reaches production through sandbox and staging.
    static func history(_ f: ServiceFixture, versions: Int = 30) async throws -> [CandidateRecord] {
        let ops = f.service.acting(as: .local("admin"))
        _ = try await ops.setRetentionRules(project, rules)
        var made: [CandidateRecord] = []
        for v in 0..<versions {
            let version = "1.\(v).0"
            for rc in 1...3 {
                made.append(try await f.candidate("v\(v) rc\(rc)", version: version, commit: rc == 1 ? ServiceFixture.sha1 : ServiceFixture.sha2,
                                                  pick: rc > 1))
            }
            if v % 5 == 0 {
                for env in ["sandbox", "staging", "production"] {
                    _ = try await f.service.promote(project, ref: "\(version)-rc.3", to: env, options: MoveOptions(force: true, reason: "test"),
                                                    actor: "releaser")
                }
            }
        }
        f.clock.advance(7200)  // every superseded candidate was superseded two hours ago
        return made
    }

    @Test func aDryRunListsExactlyWhatARealRunFrees() async throws {
        let f = try await ServiceFixture()
        let made = try await Self.history(f, versions: 70)  // 210 candidates
        let ops = f.service.acting(as: .local("admin"))
        let before = try await f.service.blobs.listAll()
        let dry = try await ops.collectGarbage(dryRun: true, project: nil, grace: 0, progress: nil)
        #expect(try await f.service.blobs.listAll() == before, "a dry run deletes nothing")
        let real = try await ops.collectGarbage(dryRun: false, project: nil, grace: 0, progress: nil)
        #expect(Set(dry.blobs) == Set(real.blobs) && dry.bytes == real.bytes && !real.blobs.isEmpty, "\(dry.blobs.count) vs \(real.blobs.count)")
        #expect(Set(dry.candidates) == Set(real.candidates))
        let after = try await f.service.blobs.listAll()
        #expect(Set(before).subtracting(after) == Set(real.blobs.map(\.digest)), "exactly the listed blobs went")
        // What stays: the two newest releases (1.65, 1.60), production's current and its one
        // rollback target, each unreleased version's newest rc, and everything those need.
        let kept = Set(made.map(\.digest)).subtracting(real.candidates.map(\.digest))
        let keptTags = made.filter { kept.contains($0.digest) }.map(\.tag)
        for tag in ["1.65.0-rc.1", "1.65.0-rc.2", "1.65.0-rc.3", "1.60.0-rc.1", "1.60.0-rc.3", "1.69.0-rc.3", "1.1.0-rc.3"] {
            #expect(keptTags.contains(tag), "\(tag) is kept")
        }
        for tag in ["1.0.0-rc.3", "1.5.0-rc.1", "1.69.0-rc.1", "1.69.0-rc.2"] {
            #expect(!keptTags.contains(tag), "\(tag) is collected")
        }
        for c in made where kept.contains(c.digest) {
            let target = f.dir.path + "/fetch-\(c.tag)"
            _ = try await ops.fetch(Self.project, ref: c.tag, to: target)
        }
        #expect(try await f.service.verifyAudit().ok)
        for (digest, _) in try await f.service.metadata.referencedBlobs() {
            #expect(try await f.service.blobs.stat(digest) != nil, "every blob the metadata needs is there (hangar verify): \(digest)")
        }
        #expect(try await f.service.auditLog(project: nil).filter { $0.action == AuditAction.garbageCollected.rawValue }.count == 1)
        let again = try await ops.collectGarbage(dryRun: true, project: nil, grace: 0, progress: nil)
        #expect(again.blobs.isEmpty && again.candidates.isEmpty, "a second run finds nothing")
    }

    @Test func aCollectedCandidateSaysSoAndCannotBePromoted() async throws {
        let f = try await ServiceFixture()
        _ = try await Self.history(f)
        let ops = f.service.acting(as: .local("admin"))
        let report = try await ops.collectGarbage(dryRun: false, project: Self.project, grace: 0, progress: nil)
        let gone = try #require(report.candidates.first { $0.tag == "1.29.0-rc.1" })
        #expect(gone.rule.hasPrefix("superseded-rcs"))
        do {
            _ = try await ops.fetch(Self.project, ref: gone.tag, to: f.dir.path + "/out")
            Issue.record("fetched a collected candidate")
        } catch let e as HangarError {
            #expect(e.kind == .notFound && e.message.contains("collected") && e.message.contains("superseded-rcs"), "\(e.message)")
        }
        await #expect { _ = try await ops.promote(Self.project, ref: gone.tag, to: "sandbox") } throws: {
            ($0 as? HangarError)?.message.contains("collected") == true
        }
        #expect(try await f.service.history(Self.project, environment: nil).count > 0, "history stays")
    }

    @Test func aDeletionADyingCollectorBeganIsFinishedByTheNext() async throws {
        let f = try await ServiceFixture()
        let orphan = try await f.service.blobs.put(Array("orphan".utf8))
        #expect(try await f.service.metadata.beginBlobDeletion(orphan.digest, since: f.service.now(), at: f.service.now()))
        // The collector died here: bytes still there, deletion recorded.
        let report = try await f.service.acting(as: .local("admin")).collectGarbage(dryRun: false, project: nil, grace: 0, progress: nil)
        #expect(report.resumed == 1)
        #expect(try await f.service.blobs.stat(orphan.digest) == nil)
        #expect(try await f.service.metadata.pendingBlobDeletions().isEmpty)
    }

    @Test func onlyAnAdminCollectsAndSetsRules() async throws {
        let f = try await ServiceFixture()
        let ci = try await f.service.createToken(name: "ci", role: .ci, actor: "admin").0
        let ops = f.service.acting(as: .authenticated(ci))
        await #expect { _ = try await ops.collectGarbage(dryRun: true, project: nil, grace: 0, progress: nil) } throws: { ($0 as? HangarError)?.kind == .denied }
        await #expect { _ = try await ops.setRetentionRules(Self.project, .defaults) } throws: { ($0 as? HangarError)?.kind == .denied }
        #expect(try await ops.retentionRules(Self.project).isDefault)
    }

    /// Pushes race the collector: blobs uploaded and cut while it runs, and an old dead
    /// blob linked again, are all there afterwards.
    @Test func pushesDuringACollectionLoseNothing() async throws {
        let f = try await ServiceFixture()
        _ = try await Self.history(f)
        var dead: [Digest] = []
        let files = try FileSystemBlobStore(root: f.dir.path + "/store")
        for i in 0..<200 {
            let d = try await f.service.blobs.put(Array("dead \(i)".utf8)).digest
            var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, files.path(for: d), &times, 0) == 0)  // written long ago
            dead.append(d)
        }
        let ops = f.service.acting(as: .local("admin"))
        // The grace period, on the service's clock: what was written in the last minutes of
        // real time stays (the test's clock runs ahead of the filesystem's).
        let grace = f.service.now().timeIntervalSince(Date()) + 600
        async let collection = ops.collectGarbage(dryRun: false, project: nil, grace: grace, progress: nil)
        var cut: [CandidateRecord] = []
        var relinked: [Digest] = []
        for i in 0..<10 {
            cut.append(try await f.candidate("during \(i)", version: "9.\(i).0"))
            do {
                try await f.service.metadata.linkBlobs(project: Self.project, [BlobLink(digest: dead[i * 20], size: nil, at: f.service.now(), by: "ci")])
                relinked.append(dead[i * 20])
            } catch let e as HangarError where e.kind == .unavailable {
                // Told to upload again: the collector had begun deleting it.
            }
        }
        let report = try await collection
        #expect(report.blobs.count >= 150, "the old dead blobs went: \(report.blobs.count)")
        for c in cut {
            for d in [c.digest, c.configDigest] + c.artifacts.map(\.digest) {
                #expect(try await f.service.blobs.stat(d) != nil, "\(c.tag) keeps \(d)")
            }
        }
        for d in relinked {
            let linked = try await f.service.metadata.isBlobLinked(project: Self.project, digest: d)
            let present = try await f.service.blobs.stat(d) != nil
            #expect(!linked || present, "a link that survived names bytes that are there: \(d)")
        }
    }

    /// A plain repository with five tags, each on its own image: keep-tags 2 removes the
    /// three oldest tags, then their manifests (untagged) and the blobs only they used.
    @Test func tagRulesThinAPlainRepository() async throws {
        let f = try await ServiceFixture()
        let ops = f.service.acting(as: .local("admin"))
        _ = try await ops.createProject("demo/plain")
        _ = try await ops.setRetentionRules("demo/plain", RetentionRules(untaggedAfterSeconds: 0, keepTags: 2))
        var images: [(tag: String, manifest: Digest, layer: Digest)] = []
        for i in 0..<5 {
            let layer = try await f.service.blobs.put(Array("layer \(i)".utf8))
            let body = Array("manifest \(i)".utf8)
            let stored = try await f.service.blobs.put(body)
            let at = f.service.now().addingTimeInterval(Double(i))
            let m = ManifestRecord(project: "demo/plain", digest: stored.digest, mediaType: MediaType.ociManifest, artifactType: nil,
                                   size: stored.size, subject: nil, annotations: [:], references: [layer.digest], createdAt: at)
            try await f.service.metadata.putManifest(m, tag: TagRecord(project: "demo/plain", tag: "v\(i)", digest: m.digest, updatedAt: at, updatedBy: "ci"),
                                                     audit: [AuditDraft(at: at, actor: "ci", action: .manifestPushed, project: "demo/plain", subject: stored.digest.description)])
            images.append(("v\(i)", stored.digest, layer.digest))
        }
        f.clock.advance(60)
        let dry = try await ops.collectGarbage(dryRun: true, project: "demo/plain", grace: 0, progress: nil)
        #expect(dry.tags.map(\.tag).sorted() == ["v0", "v1", "v2"] && dry.tags.allSatisfy { $0.rule == "keep-tags: 2" })
        let real = try await ops.collectGarbage(dryRun: false, project: "demo/plain", grace: 0, progress: nil)
        #expect(Set(real.tags) == Set(dry.tags) && Set(real.blobs) == Set(dry.blobs) && Set(real.manifests) == Set(dry.manifests))
        #expect(try await f.service.metadata.tags(project: "demo/plain", after: nil, limit: nil).map(\.tag) == ["v3", "v4"])
        for (i, image) in images.enumerated() {
            let layer = try await f.service.blobs.stat(image.layer), manifest = try await f.service.blobs.stat(image.manifest)
            let present = layer != nil && manifest != nil
            #expect(present == (i >= 3), "\(image.tag): \(present ? "kept" : "collected")")
        }
    }
}
