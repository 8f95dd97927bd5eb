import Foundation
import HangarConformance
import Testing
import HangarCore

@Suite struct BlobCLITests {
    @Test func putGetVerifyRoundTripWithExitCodes() throws {
        let dir = TempDir()
        let cli = CLI(workdir: dir.path)
        let bytes = Data((0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        try bytes.write(to: URL(fileURLWithPath: dir.path + "/in.bin"))
        let put = try cli.run("blob", "put", "in.bin")
        #expect(put.status == 0)
        let digest = SHA256Hasher.digest(Array(bytes)).description
        #expect(put.stdout.hasPrefix(digest))
        #expect(try cli.run("blob", "put", "-", stdin: bytes).stdout.contains("already stored"))
        #expect(try cli.run("blob", "get", digest, "-o", "out.bin").status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/out.bin")) == bytes)
        #expect(try cli.run("verify").status == 0)

        let wrong = try cli.run("blob", "put", "in.bin", "--digest", "sha256:" + String(repeating: "0", count: 64))
        #expect(wrong.status == 5)
        #expect(wrong.stderr.contains("digest mismatch"))

        let bad = try cli.run("blob", "get", "sha256:xyz", "-o", "x")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("sha256:xyz"))
        #expect(try cli.run("blob", "get", "sha256:" + String(repeating: "1", count: 64), "-o", "x").status == 4)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/x"))
    }

    @Test func aDeletedOrTruncatedArtifactMakesVerifyExitFiveNamingIt() throws {
        let dir = TempDir()
        let cli = CLI(workdir: dir.path)
        try FileManager.default.createDirectory(atPath: dir.path + "/build", withIntermediateDirectories: true)
        try Data(repeating: 0x41, count: 50_000).write(to: URL(fileURLWithPath: dir.path + "/build/app"))
        try cli.run("project", "create", "acme/app")
        let cut = try cli.run("cut", "acme/app", "--version", "1.0.0", "--commit", String(repeating: "a", count: 40),
                              "--artifact", "app=build", "--json")
        #expect(cut.status == 0, "\(cut.stderr)")
        let artifact = try #require(cut.stdout.firstMatch(of: /"digest" : "(sha256:[0-9a-f]{64})"/)?.1).description
        let hex = String(artifact.dropFirst(7))
        let path = "\(dir.path)/.hangar/blobs/sha256/\(hex.prefix(2))/\(hex)"
        chmod(path, 0o644)
        truncate(path, 10)
        let truncated = try cli.run("verify")
        #expect(truncated.status == 5 && truncated.stdout.contains("TRUNCATED  \(artifact)"), "\(truncated.stdout)")
        try FileManager.default.removeItem(atPath: path)
        let missing = try cli.run("verify")
        #expect(missing.status == 5 && missing.stdout.contains("MISSING  \(artifact)"), "\(missing.stdout)")
    }

    @Test func aFlippedByteMakesVerifyExitFiveNamingTheDigest() throws {
        let dir = TempDir()
        let cli = CLI(workdir: dir.path)
        try Data(repeating: 0x41, count: 100_000).write(to: URL(fileURLWithPath: dir.path + "/a"))
        try Data(repeating: 0x42, count: 100_000).write(to: URL(fileURLWithPath: dir.path + "/b"))
        let a = String(try cli.run("blob", "put", "a").stdout.prefix(71))
        let b = String(try cli.run("blob", "put", "b").stdout.prefix(71))
        let hex = String(b.dropFirst(7))
        let path = "\(dir.path)/.hangar/blobs/sha256/\(hex.prefix(2))/\(hex)"
        chmod(path, 0o644)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: 500)
        handle.write(Data([0x43]))
        try handle.close()

        let verify = try cli.run("verify")
        #expect(verify.status == 5)
        #expect(verify.stdout.contains("CORRUPT  \(b)"))
        #expect(!verify.stdout.contains(a))
        // A corrupted blob is never handed out, and no partial output file is left.
        #expect(try cli.run("blob", "get", b, "-o", "out").status == 5)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/out"))
        #expect(try cli.run("blob", "get", a, "-o", "out").status == 0)
    }

    /// SIGKILL at any moment of a write never leaves a file under a digest name.
    @Test func killingAWriteNeverLeavesABlobUnderItsDigest() throws {
        let dir = TempDir()
        let cli = CLI(workdir: dir.path)
        for delay in [0.05, 0.15, 0.3] {
            let p = cli.process(["blob", "put", "-"])
            let input = Pipe()
            p.standardInput = input
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            let chunk = Data(repeating: UInt8(delay * 100), count: 1 << 20)
            let deadline = Date().addingTimeInterval(delay)
            while Date() < deadline { input.fileHandleForWriting.write(chunk) }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal)
            let blobs = filesUnder(dir.path + "/.hangar/blobs")
            #expect(blobs.isEmpty, "nothing under a digest name after kill at \(delay)s: \(blobs)")
        }
        #expect(try cli.run("verify").status == 0)
    }
}
