import Foundation
import HangarConformance
import Synchronization
import HangarFileSystem
import HangarBackends
import Testing
@testable import HangarCore

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    func read() -> Date { now.withLock { $0 } }
    func advance(_ seconds: Double) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A service on a fresh embedded store with a build tree to cut from.
struct ServiceFixture {
    let dir = TempDir("service")
    let clock = ManualClock()
    let service: HangarService
    static let sha1 = String(repeating: "1", count: 40)
    static let sha2 = String(repeating: "2", count: 40)

    /// On the embedded store, or with its metadata at `metadata` (a `postgres://` URL).
    init(singleStep: Bool = false, metadata: String? = nil) async throws {
        let clock = self.clock
        let store = dir.path + "/store"
        service = try await Backends.service(BackendLocations(blobs: store, metadata: metadata ?? store + "/metadata.sqlite"),
                                             signingKey: store + "/signing-key.pem", createKey: true, clock: { clock.read() })
        _ = try await service.createProject("acme/checkout", singleStep: singleStep, actor: "admin")
    }

    /// Cuts (or cherry-picks) a candidate whose one artifact holds `content`.
    func candidate(_ content: String, version: String = "2.4.0", commit: String = sha1, pick: Bool = false) async throws -> CandidateRecord {
        let build = dir.path + "/build-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: build, withIntermediateDirectories: true)
        try Data(content.utf8).write(to: URL(fileURLWithPath: build + "/app.txt"))
        let upload = try await service.storeArtifact(name: "app", path: build, actor: "ci")
        let request = CutRequest(project: "acme/checkout", version: version, commit: commit, artifacts: [upload.artifact])
        clock.advance(1)
        return try await (pick ? service.cherryPick(request, actor: "ci") : service.cut(request, actor: "ci")).candidate
    }
}

@Suite struct ServiceTests {
    @Test func racingPromotionsAreBothRecordedInOrder() async throws {
        let f = try await ServiceFixture()
        let rc1 = try await f.candidate("one")
        let rc2 = try await f.candidate("two", commit: ServiceFixture.sha2, pick: true)
        // A second service on the same folder, as a second process would have.
        let clock = f.clock
        let other = try await HangarService.openEmbedded(at: f.dir.path + "/store", clock: { clock.read() })
        for round in 0..<5 {
            async let a = f.service.promote("acme/checkout", ref: rc1.tag, to: "sandbox", actor: "alice-\(round)")
            async let b = other.promote("acme/checkout", ref: rc2.tag, to: "sandbox", actor: "bob-\(round)")
            _ = try await (a, b)
        }
        let history = try await f.service.history("acme/checkout", environment: "sandbox")
        let current = try await f.service.status("acme/checkout")[0].digest
        #expect(current == history.first?.deployment.to, "the pointer is the last recorded move")
        // Every recorded move starts where the one before it ended: none was lost.
        let moves = history.reversed().map(\.deployment)
        for (before, after) in zip(moves, moves.dropFirst()) { #expect(after.from == before.to) }
        #expect(moves.count >= 5, "each round moved the pointer at least once: \(moves.count)")
        #expect(try await f.service.verifyAudit().ok)
    }

    @Test func aStaleCompareAndSwapIsAConflict() async throws {
        let f = try await ServiceFixture()
        let rc1 = try await f.candidate("one")
        let rc2 = try await f.candidate("two", commit: ServiceFixture.sha2, pick: true)
        let generation = try await f.service.status("acme/checkout")[0].generation
        _ = try await f.service.promote("acme/checkout", ref: rc1.tag, to: "sandbox", actor: "a")
        await #expect { _ = try await f.service.promote("acme/checkout", ref: rc2.tag, to: "sandbox",
                                                          options: MoveOptions(expectedGeneration: generation), actor: "b")
        } throws: { ($0 as! HangarError).kind == .conflict }
        #expect(try await f.service.status("acme/checkout")[0].tag == rc1.tag)
    }

    @Test func soakTimeAndApprovalsGateProduction() async throws {
        let f = try await ServiceFixture()
        let rc1 = try await f.candidate("one")
        _ = try await f.service.setPolicy("acme/checkout", environment: "production",
                                          policy: EnvironmentPolicy(minimumSoakSeconds: 3600, requiredApprovals: 1), actor: "admin")
        _ = try await f.service.promote("acme/checkout", ref: rc1.tag, to: "sandbox", actor: "a")
        _ = try await f.service.promote("acme/checkout", ref: rc1.tag, to: "staging", actor: "a")
        await #expect { _ = try await f.service.promote("acme/checkout", ref: rc1.tag, to: "production", actor: "a") }
            throws: { e in let e = e as! HangarError; return e.kind == .policy && e.message.contains("1h") && e.message.contains("approval") }
        f.clock.advance(3600)
        _ = try await f.service.approve("acme/checkout", ref: rc1.tag, environment: "production", comment: "LGTM", actor: "carol")
        let outcome = try await f.service.promote("acme/checkout", ref: "staging", to: "production", actor: "a")
        #expect(outcome.deployment?.to == rc1.digest)
        #expect(try await f.service.auditLog(project: "acme/checkout").contains { $0.action == "approval" && $0.actor == "carol" })
    }

    @Test func singleStepModeDeploysThroughEveryEnvironmentMoveByMove() async throws {
        let f = try await ServiceFixture(singleStep: true)
        let rc1 = try await f.candidate("one")
        let status = try await f.service.status("acme/checkout")
        #expect(status.map(\.tag) == [rc1.tag, rc1.tag, rc1.tag])
        #expect(try await f.service.history("acme/checkout", environment: nil).map(\.deployment.kind) == [.auto, .auto, .auto])
        // A gate stops the automatic walk where it stands.
        _ = try await f.service.setPolicy("acme/checkout", environment: "production",
                                          policy: EnvironmentPolicy(requiredApprovals: 1), actor: "admin")
        let rc2 = try await f.candidate("two", commit: ServiceFixture.sha2, pick: true)
        #expect(try await f.service.status("acme/checkout").map(\.tag) == [rc2.tag, rc2.tag, rc1.tag])
    }

    @Test func historyAnswersWhatRanAtAnyInstant() async throws {
        let f = try await ServiceFixture()
        let rc1 = try await f.candidate("one")
        let rc2 = try await f.candidate("two", commit: ServiceFixture.sha2, pick: true)
        let beforeAll = f.clock.read()
        f.clock.advance(10)
        _ = try await f.service.promote("acme/checkout", ref: rc1.tag, to: "sandbox", actor: "a")
        f.clock.advance(10)
        let between = f.clock.read()
        f.clock.advance(10)
        _ = try await f.service.promote("acme/checkout", ref: rc2.tag, to: "sandbox", actor: "a")
        #expect(try await f.service.history("acme/checkout", environment: "sandbox", at: beforeAll).isEmpty)
        #expect(try await f.service.history("acme/checkout", environment: "sandbox", at: between).map(\.toTag) == [rc1.tag])
        #expect(try await f.service.history("acme/checkout", environment: "sandbox", at: f.clock.read()).map(\.toTag) == [rc2.tag])
    }

    @Test func aCorruptBlobFailsTheFetchAndLeavesTheTargetUntouched() async throws {
        let f = try await ServiceFixture()
        let rc1 = try await f.candidate("version one")
        let rc2 = try await f.candidate("version two", commit: ServiceFixture.sha2, pick: true)
        let target = f.dir.path + "/srv/app"
        _ = try await f.service.fetch("acme/checkout", ref: rc1.tag, to: target)
        #expect(try String(contentsOfFile: target + "/app/app.txt", encoding: .utf8) == "version one")
        let blob = (f.service.blobs as! FileSystemBlobStore).path(for: rc2.artifacts[0].digest)
        chmod(blob, 0o644)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: blob))
        bytes[bytes.count - 3] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: blob))
        await #expect { _ = try await f.service.fetch("acme/checkout", ref: rc2.tag, to: target) }
            throws: { ($0 as! HangarError).kind == .integrity }
        #expect(try String(contentsOfFile: target + "/app/app.txt", encoding: .utf8) == "version one")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: f.dir.path + "/srv").sorted()
        #expect(leftovers == [".app.hangar-fetch", "app"], "no temp folder left; the marker still names what app holds")
    }

    @Test func candidateTagsNeverMoveAndArtifactsMustExist() async throws {
        let f = try await ServiceFixture()
        _ = try await f.candidate("one")
        let missing = ArtifactRecord(name: "app", digest: SHA256Hasher.digest(Array("nope".utf8)), size: 4,
                                     mediaType: ArchiveCompression.zstd.mediaType)
        await #expect { _ = try await f.service.cherryPick(CutRequest(project: "acme/checkout", version: "2.4.0",
                                                                        commit: ServiceFixture.sha2, artifacts: [missing]), actor: "ci")
        } throws: { e in let e = e as! HangarError; return e.kind == .notFound && e.message.contains("'app'") }
        #expect(try await f.service.metadata.candidates(project: "acme/checkout", version: "2.4.0").count == 1)
    }
}
