import Foundation
import HangarCore
import Testing
@testable import HangarRemote

/// The agent's pieces that need no server: its state file, its hook, its backoff, and the
/// one-pass archive-and-hash the upload starts with.
@Suite struct AgentPartsTests {
    @Test func theStateFileSitsBesideTheTarget() throws {
        #expect(try AgentStateFile(target: "/srv/app/").path == "/srv/.app.hangar-agent.json")
        #expect(try AgentStateFile(target: "app").path == "./.app.hangar-agent.json")
        #expect(try AgentStateFile(target: "/app").path == "/.app.hangar-agent.json")
        for bad in ["/", ".", "..", "a/.."] {
            #expect(throws: HangarError.self, "\(bad)") { try AgentStateFile(target: bad) }
        }
    }

    @Test func stateIsSavedAtomicallyAndReadBack() throws {
        let dir = Scratch()
        let file = try AgentStateFile(target: dir.path + "/current")
        #expect(try file.load() == nil)
        let state = AgentState(server: "http://h", project: "acme/checkout", environment: "production",
                               digest: SHA256Hasher.digest(Array("x".utf8)), tag: "2.4.0-rc.1", deploymentID: 3,
                               deployedAt: Timestamp.round(Date()), result: .failed, message: "hook exited with status 2")
        try file.save(state)
        #expect(try file.load() == state)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [".current.hangar-agent.json"])
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: HangarError.self) { try file.load() }
    }

    @Test func theHookSeesTheDeploymentAndNotTheToken() async throws {
        let dir = Scratch()
        let digest = SHA256Hasher.digest(Array("x".utf8))
        let env = DeployHook.environment(project: "acme/checkout", environment: "production", tag: "2.4.0-rc.1", digest: digest,
                                         target: dir.path + "/current", inherited: ["HANGAR_TOKEN": "secret", "PATH": "/usr/bin:/bin"])
        let out = dir.path + "/out"
        let hook = DeployHook(command: "echo \"$HANGAR_PROJECT $HANGAR_ENV $HANGAR_TAG $HANGAR_DIGEST $HANGAR_TARGET ${HANGAR_TOKEN:-none}\" > '\(out)'")
        #expect(await hook.run(environment: env) == .succeeded)
        let line = try String(contentsOfFile: out, encoding: .utf8)
        #expect(line == "acme/checkout production 2.4.0-rc.1 \(digest) \(dir.path)/current none\n")
    }

    @Test func aFailingHookSaysHowItEnded() async {
        #expect(await DeployHook(command: "exit 3").run(environment: [:]) == .failed("hook exited with status 3"))
        #expect(await DeployHook(command: "kill -KILL $$").run(environment: [:]) == .failed("hook was killed by signal 9"))
    }

    @Test func backoffDoublesUpToItsMaximumAndResets() {
        var b = Backoff(base: .seconds(2), maximum: .seconds(5))
        #expect(!b.isDue)
        #expect(b.secondsUntilDue(cap: 30) == 30)
        b.fail(log: { _ in }, what: "x")
        #expect(b.current == .seconds(4))
        #expect((1...3).contains(b.secondsUntilDue(cap: 30)))
        b.fail(log: { _ in }, what: "x")
        b.fail(log: { _ in }, what: "x")
        #expect(b.current == .seconds(5))
        b.reset()
        #expect(b.current == .seconds(2))
        #expect(!b.isDue)
        #expect([b.next(), b.next(), b.next()] == [.seconds(2), .seconds(4), .seconds(5)])
        #expect(!b.isDue, "polling waits schedule no retry")
    }

    @Test func theUploadFileIsTheDeterministicArchiveHashedInOnePass() throws {
        let dir = Scratch()
        try FileManager.default.createDirectory(atPath: dir.path + "/build/bin", withIntermediateDirectories: true)
        try Data(repeating: 7, count: 300_000).write(to: URL(fileURLWithPath: dir.path + "/build/bin/app"))
        try Data("hello".utf8).write(to: URL(fileURLWithPath: dir.path + "/build/readme"))
        var seen: Int64 = 0
        let archived = try ArchivedFile.make(dir.path + "/build", compression: .gzip, progress: { seen = $0 })
        defer { archived.file.remove() }
        let expected = try DeterministicArchiver(compression: .gzip).digest(of: dir.path + "/build")
        #expect(archived.digest == expected.digest)
        #expect(archived.size == expected.size)
        #expect(archived.inputBytes == 300_005 && seen == 300_005)
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: archived.file.path))
        #expect(SHA256Hasher.digest([UInt8](onDisk)) == expected.digest)
        archived.file.remove()
        #expect(!FileManager.default.fileExists(atPath: archived.file.path))
    }

    @Test func aDownloadThatDoesNotHashToItsDigestIsAnIntegrityError() throws {
        let want = SHA256Hasher.digest(Array("good".utf8))
        let got = SHA256Hasher.digest(Array("evil".utf8))
        #expect(throws: Never.self) { try HTTPTransport.check(want, 4, against: want, 4, from: "http://h") }
        for (digest, size) in [(got, Int64(4)), (want, 5)] {
            #expect { try HTTPTransport.check(digest, size, against: want, 4, from: "http://h") } throws: {
                ($0 as? HangarError)?.kind == .integrity
            }
        }
    }
}

/// A fresh folder removed when the value goes away.
final class Scratch: @unchecked Sendable {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "hangar-remote-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

