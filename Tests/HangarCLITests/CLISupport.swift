import Foundation
import HangarConformance
import HangarCore

/// Runs the real `hangar` binary built next to the test bundle.
struct CLI {
    /// The folder the commands run in and where the store lives (`.hangar`).
    let workdir: String
    var environment: [String: String] = [:]

    static let binary: String = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [dir.appendingPathComponent("hangar").path,
                          dir.deletingLastPathComponent().appendingPathComponent("hangar").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    init(workdir: String) { self.workdir = workdir }

    /// Runs `hangar args…` to completion.
    @discardableResult
    func run(_ args: String..., stdin: Data? = nil) throws -> Result {
        try run(args, stdin: stdin)
    }

    func run(_ args: [String], stdin: Data? = nil) throws -> Result {
        let p = process(args)
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try p.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus,
                      stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// A configured, not yet started process.
    func process(_ args: [String]) -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: workdir)
        var env = ProcessInfo.processInfo.environment
        env["HANGAR_STORE"] = workdir + "/.hangar"
        env["HANGAR_PROFILES"] = workdir + "/.profiles.yaml"  // never the user's own
        for (k, v) in environment { env[k] = v }
        p.environment = env
        return p
    }
}


/// Files under `root`, relative, recursively.
func filesUnder(_ root: String) -> [String] {
    (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
        .filter { !isDirectory(root + "/" + $0) }.sorted()
}

func isDirectory(_ path: String) -> Bool {
    var d: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &d) && d.boolValue
}

/// A real `hangar serve` on a free port of a CLI's store, started by the tests.
struct ServerProcess {
    let process: Process
    let port: Int

    /// Starts `hangar serve --port 0` in `cli`'s folder; `shell`, when given, is a shell
    /// prefix run first (a limit: `ulimit -n 1024 &&`), the binary then `exec`ed.
    static func start(_ cli: CLI, shell: String? = nil) async throws -> ServerProcess {
        let server: Process
        if let shell {
            server = Process()
            server.executableURL = URL(fileURLWithPath: "/bin/sh")
            server.arguments = ["-c", "\(shell) exec \"$0\" serve --port 0 --log-level critical", CLI.binary]
            server.currentDirectoryURL = URL(fileURLWithPath: cli.workdir)
            server.environment = cli.process([]).environment
        } else {
            server = cli.process(["serve", "--port", "0", "--log-level", "critical"])
        }
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        let reader = out.fileHandleForReading
        let line = await TestSockets.offPool { ServeCLITests.firstLine(reader) } ?? ""
        guard let port = line.split(separator: ":").last.flatMap({ Int($0) }) else {
            server.terminate()
            throw HangarError(.io, "hangar serve did not announce its address: '\(line)'")
        }
        return ServerProcess(process: server, port: port)
    }

    func stop() { if process.isRunning { process.terminate() } }
}

/// Runs git in `folder` (as a fixed test author) and returns what it printed on stdout.
@discardableResult
func git(_ folder: String, _ args: String...) throws -> String {
    try runGit(folder, args)
}

func runGit(_ folder: String, _ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/git")
    p.arguments = ["-C", folder, "-c", "user.name=Test", "-c", "user.email=test@example.com"] + args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return text
}
