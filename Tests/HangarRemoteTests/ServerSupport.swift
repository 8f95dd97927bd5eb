import Foundation
import HangarCore
import NIOCore
import Testing
@testable import HangarRemote

#if canImport(Glibc)
import Glibc
#endif

/// The real `hangar` binary built next to the test bundle.
enum HangarBinary {
    static let path: String = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [dir.appendingPathComponent("hangar").path,
                          dir.deletingLastPathComponent().appendingPathComponent("hangar").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()
}

/// What a finished `hangar` run said.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `hangar` in `workdir` with extra environment variables. `HANGAR_STORE` points at a
/// folder that must never appear: in remote mode nothing is kept locally.
struct Hangar {
    let workdir: String
    var environment: [String: String] = [:]

    var localStore: String { workdir + "/.local-store-never-created" }

    @discardableResult
    func run(_ args: String...) throws -> RunResult { try run(args) }

    func run(_ args: [String]) throws -> RunResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: HangarBinary.path)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: workdir)
        var env = ProcessInfo.processInfo.environment
        env["HANGAR_STORE"] = localStore
        env["HANGAR_SERVER"] = nil
        env["HANGAR_TOKEN"] = nil
        for (k, v) in environment { env[k] = v }
        p.environment = env
        // Output goes to files, read after the exit: no pipe can fill up and stall the child.
        let base = NSTemporaryDirectory() + "hangar-run-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return RunResult(status: p.terminationStatus,
                         stdout: (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
    }

    /// Runs and expects exit 0, returning stdout.
    @discardableResult
    func ok(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try ok(args, sourceLocation: sourceLocation)
    }

    @discardableResult
    func ok(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try run(args)
        #expect(r.status == 0, "hangar \(args.joined(separator: " ")): exit \(r.status), stderr: \(r.stderr)", sourceLocation: sourceLocation)
        return r.stdout
    }

    /// Runs with `--json` and decodes stdout as JSON.
    func json(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let r = try run(args + ["--json"])
        #expect(r.status == 0, "hangar \(args.joined(separator: " ")): exit \(r.status), stderr: \(r.stderr)", sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }
}

/// A long-running `hangar` command (the agent without --once), killed when stopped.
final class BackgroundHangar: @unchecked Sendable {
    private let process = Process()
    private let logPath: String

    init(_ hangar: Hangar, _ args: [String], log: String) throws {
        logPath = log
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: HangarBinary.path)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: hangar.workdir)
        var env = ProcessInfo.processInfo.environment
        env["HANGAR_STORE"] = hangar.localStore
        for (k, v) in hangar.environment { env[k] = v }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
    }

    deinit { stop() }

    var isRunning: Bool { process.isRunning }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// A `hangar serve --port 0` on its own store, started as a real process and killed when
/// the value goes away. Its output goes to files in the store's folder.
final class ServerProcess: @unchecked Sendable {
    let root: String
    let store: String
    let url: String
    private let process: Process

    /// Starts the server on a store in `root/server-store`, after issuing the tokens named
    /// in `tokens` (name → role) there; their secrets are in `secrets`. `metadata` names
    /// another metadata store (`postgres://…`) for both, `blobs` another blob store
    /// (`s3://…`, its credentials in `environment`) for the server.
    init(root: String, tokens: [String: String], metadata: String? = nil, blobs: String? = nil,
         environment: [String: String] = [:]) throws {
        self.root = root
        store = root + "/server-store"
        let local = Hangar(workdir: root)
        var secrets: [String: String] = [:]
        for (name, role) in tokens.sorted(by: { $0.key < $1.key }) {
            let r = try local.run(["token", "create", "--store", store, "--name", name, "--role", role]
                                  + (metadata.map { ["--metadata", $0] } ?? []))
            guard r.status == 0 else { throw ServerFailure("token create \(name): \(r.stderr)") }
            secrets[name] = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        self.secrets = secrets
        let out = root + "/server.out", err = root + "/server.err"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: HangarBinary.path)
        process.arguments = ["serve", "--port", "0", "--store", store, "--log-level", "warning"]
            + (metadata.map { ["--metadata", $0] } ?? []) + (blobs.map { ["--blobs", $0] } ?? [])
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        url = try Self.waitForAddress(in: out, errors: err, process: process)
    }

    let secrets: [String: String]

    deinit { stop() }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The server's error log so far (for failure messages).
    var log: String { (try? String(contentsOfFile: root + "/server.err", encoding: .utf8)) ?? "" }

    /// Blob uploads the server completed (new or already stored), from its `/metrics`.
    func blobUploads() async throws -> Int {
        let transport = HTTPTransport(endpoint: try ServerEndpoint(url: url, token: nil))
        let response = try await transport.execute(transport.request(.GET, "/metrics"), what: "metrics")
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return text.split(separator: "\n").filter { $0.hasPrefix("hangar_blobs_stored_total") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0) { $0 + Int($1) }
    }

    /// The file a blob is kept in on the server's store.
    func blobFile(_ digest: String) -> String {
        let hex = String(digest.dropFirst("sha256:".count))
        return "\(store)/blobs/sha256/\(hex.prefix(2))/\(hex)"
    }

    private static func waitForAddress(in out: String, errors: String, process: Process) throws -> String {
        let prefix = "hangar: serving on "
        for _ in 0..<600 {
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                return String(line.dropFirst(prefix.count))
            }
            guard process.isRunning else {
                throw ServerFailure("hangar serve exited: \((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")")
            }
            usleep(50_000)
        }
        throw ServerFailure("hangar serve did not print its address within 30 s")
    }
}

struct ServerFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
