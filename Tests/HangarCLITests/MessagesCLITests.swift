import Foundation
import HangarConformance
import Testing

/// What a person sees: one error line naming the problem in plain words (no Swift type
/// names, errno soup or build paths, nothing said twice), suggestions for mistyped
/// commands, and one progress bar that redraws cleanly.
@Suite struct MessagesCLITests {
    /// `hangar: error: …` once, and no clause repeated.
    static func expectClean(_ r: CLI.Result, code: Int32, contains: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == code, "exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(contains), "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.hasPrefix("hangar: error: ") && r.stderr.components(separatedBy: "hangar: error:").count == 2,
                "\(r.stderr)", sourceLocation: sourceLocation)
        for junk in ["errno", "error set", ".build/", "Scalar", "Expected to decode", "NIO", "BoringSSL", "Error:"] {
            #expect(!r.stderr.contains(junk), "'\(junk)' in \(r.stderr)", sourceLocation: sourceLocation)
        }
        let clauses = r.stderr.split(separator: "\n")[0].components(separatedBy: ": ").filter { $0.count > 12 }
        #expect(Set(clauses).count == clauses.count, "a clause repeats: \(r.stderr)", sourceLocation: sourceLocation)
    }

    @Test func mistypedCommandsGetASuggestion() throws {
        let dir = TempDir("messages")
        let cli = CLI(workdir: dir.path)
        Self.expectClean(try cli.run("promot", "demo/app", "1.0.0-rc.1", "--to", "staging"), code: 2,
                         contains: "unknown command 'promot' (did you mean 'promote'?)")
        Self.expectClean(try cli.run("project", "lss"), code: 2, contains: "unknown command 'lss' of 'hangar project' (did you mean 'ls'?)")
        Self.expectClean(try cli.run("frobnicate"), code: 2, contains: "the commands are project, cut,")
        Self.expectClean(try cli.run("promote", "demo/app", "x", "--to"), code: 2, contains: "missing value for '--to <to>'")
        #expect(try cli.run("evidence", "demo/app", "1.0.0-rc.1", "-o", "b.tar").status == 4, "a default subcommand still parses")
    }

    @Test func networkFailuresAreSaidInPlainWords() async throws {
        let dir = TempDir("messages-net")
        var cli = CLI(workdir: dir.path)
        cli.environment["HANGAR_SERVER"] = "http://127.0.0.1:1"
        Self.expectClean(try cli.run("status", "demo/app"), code: 1, contains: "cannot reach the Hangar server at http://127.0.0.1:1 (status of demo/app): connection refused")
        let server = try await ServerProcess.start(CLI(workdir: dir.path))
        defer { server.stop() }
        cli.environment["HANGAR_SERVER"] = "https://127.0.0.1:\(server.port)"
        Self.expectClean(try cli.run("status", "demo/app"), code: 1, contains: "the TLS handshake failed (wrong version number): the server does not speak TLS; try http://")
        cli.environment["HANGAR_SERVER"] = "http://127.0.0.1:\(server.port)"
        Self.expectClean(try cli.run("status", "demo/app"), code: 8, contains: "authentication required to read")
    }

    @Test func aBadConfigurationFileNamesTheSettingAndWhatItExpected() throws {
        let dir = TempDir("messages-config")
        let cli = CLI(workdir: dir.path)
        for (yaml, expected) in [("port: abc\n", "'port': expected a whole number"),
                                 ("port: [1]\n", "'port': expected a single value, not a list or mapping"),
                                 ("anonymous-read: perhaps\n", "'anonymous-read': expected true or false")] {
            try yaml.write(toFile: dir.path + "/bad.yaml", atomically: true, encoding: .utf8)
            Self.expectClean(try cli.run("serve", "--config", dir.path + "/bad.yaml"), code: 2, contains: "bad.yaml: " + expected)
        }
    }

    /// Runs `hangar args…` with stderr on a terminal of 150 columns (`script`), returning
    /// the frames of the progress line.
    static func frames(_ cli: CLI, _ args: [String]) throws -> [String] {
        let command = "stty cols 150; exec \"$0\" \"$@\" >/dev/null"
        var env = cli
        env.environment["HANGAR_SCRIPT_COMMAND"] = command
        let quoted = ([CLI.binary] + args).map { "'\($0)'" }.joined(separator: " ")
        let p = env.process([])
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-qec", "sh -c '\(command.replacingOccurrences(of: "'", with: "'\\''"))' \(quoted)", "/dev/null"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(args): \(String(decoding: data, as: UTF8.self))")
        return String(decoding: data, as: UTF8.self).components(separatedBy: "\r").filter { !$0.isEmpty && $0 != "\n" }
    }

    @Test func oneProgressBarForEveryTransferRedrawnCleanly() async throws {
        let dir = TempDir("messages-progress")
        let local = CLI(workdir: dir.path)
        let admin = try local.run("token", "create", "--name", "ops", "--role", "admin").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try local.run("project", "create", "demo/app")
        try FileManager.default.createDirectory(atPath: dir.path + "/build", withIntermediateDirectories: true)
        var bytes = [UInt8](repeating: 0, count: 48 << 20)
        var seed: UInt64 = 7
        for i in bytes.indices { seed = seed &* 6364136223846793005 &+ 1442695040888963407; bytes[i] = UInt8(truncatingIfNeeded: seed >> 33) }
        try Data(bytes).write(to: URL(fileURLWithPath: dir.path + "/build/blob.bin"))
        let server = try await ServerProcess.start(local)
        defer { server.stop() }
        var remote = local
        remote.environment = ["HANGAR_SERVER": "http://127.0.0.1:\(server.port)", "HANGAR_TOKEN": admin]
        let sha = String(repeating: "ab", count: 20)
        let cut = try Self.frames(remote, ["cut", "demo/app", "--version", "1.0.0", "--commit", sha, "--artifact", "app=build"])
        let fetch = try Self.frames(remote, ["fetch", "demo/app", "1.0.0-rc.1", "--to", dir.path + "/out"])
        let localFetch = try Self.frames(local, ["fetch", "demo/app", "1.0.0-rc.1", "--to", dir.path + "/out2"])
        for (frames, phases) in [(cut, ["archiving app", "uploading app"]), (fetch, ["downloading app", "extracting app"]),
                                 (localFetch, ["extracting app"])] {
            let drawn = frames.filter { $0.hasSuffix("\u{1B}[K") && $0.count > 3 }
            #expect(phases.allSatisfy { p in drawn.contains { $0.hasPrefix(p + " [") } }, "\(phases) in \(frames)")
            var last: [String: Int] = [:]
            for frame in drawn {
                let phase = phases.first { frame.hasPrefix($0) } ?? "?"
                let percent = frame.firstMatch(of: /\] (\d+)%/).flatMap { Int($0.1) } ?? -1
                #expect(percent >= last[phase, default: 0], "progress went backwards in \(phase): \(frames)")
                #expect(frame.contains("/48.0 MiB") || phase == "uploading app" || phase == "?", "a total: \(frame)")
                last[phase] = percent
            }
        }
        // Not a terminal: no progress at all.
        let quiet = try remote.run("fetch", "demo/app", "1.0.0-rc.1", "--to", dir.path + "/out3")
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
    }
}
