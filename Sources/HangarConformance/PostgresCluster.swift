#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A throw-away PostgreSQL cluster for tests: `initdb` into a temp folder, `pg_ctl start`
/// on 127.0.0.1 and a free port (trust authentication, loopback only), one fresh database
/// per `makeDatabase`, stopped and removed when the test process exits. Started once per
/// process, on first use. Needs Debian's `postgresql` (`make test` installs it); as root it
/// runs the server as the `postgres` user, since PostgreSQL refuses to run as root.
public final class PostgresCluster: Sendable {
    public let port: Int
    public let folder: String
    private let bin: String
    private let counter = Mutex(0)

    /// The process's cluster, started on first use.
    public static func shared() throws -> PostgresCluster {
        try started.withLock { cluster in
            if let cluster { return cluster }
            let made = try PostgresCluster()
            cluster = made
            atexit { PostgresCluster.stopShared() }
            return made
        }
    }

    private static let started = Mutex<PostgresCluster?>(nil)

    private static func stopShared() {
        started.withLock({ $0 })?.stop()
    }

    /// A cluster of its own (not the shared one), for a test that stops it; `stop()` it.
    public static func startPrivate() throws -> PostgresCluster { try PostgresCluster() }

    /// Stops the server at once (as a crash would) and removes its folder.
    public func stop() {
        _ = try? run(bin + "/pg_ctl", ["-D", folder + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: folder)
    }

    private init() throws {
        guard let bin = Self.binaries() else {
            throw Failure("PostgreSQL's server binaries are not installed (apt-get install postgresql)")
        }
        self.bin = bin
        folder = NSTemporaryDirectory() + "hangar-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let folder = folder
        func run(_ program: String, _ arguments: [String], asServer: Bool = true) throws {
            try Self.run(program, arguments, folder: folder, asServer: asServer)
        }
        if getuid() == 0 { try run("/bin/chown", ["postgres:postgres", folder], asServer: false) }
        try run(bin + "/initdb", ["-D", folder + "/data", "-U", "hangar", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"])
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = Self.freePort()
            do {
                try run(bin + "/pg_ctl", ["-D", folder + "/data", "-l", folder + "/server.log", "-w", "-t", "60", "-o",
                                          "-h 127.0.0.1 -p \(port) -k \(folder) -c fsync=off -c synchronous_commit=off -c max_connections=400",
                                          "start"])
                self.port = port
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? Failure("PostgreSQL did not start")
    }

    /// A new, empty database; its `postgres://` URL.
    public func makeDatabase() throws -> String {
        let name = counter.withLock { n in n += 1; return "t\(getpid())_\(n)" }
        try run(bin + "/createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "hangar", name])
        return "postgres://hangar@127.0.0.1:\(port)/\(name)"
    }

    /// Runs a server program (as `postgres` when this process is root); throws with its output on failure.
    @discardableResult
    private func run(_ program: String, _ arguments: [String]) throws -> String {
        try Self.run(program, arguments, folder: folder)
    }

    @discardableResult
    private static func run(_ program: String, _ arguments: [String], folder: String, asServer: Bool = true) throws -> String {
        let argv = asServer && getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", program] + arguments : [program] + arguments
        let outcome = try ChildProcess.run(argv)
        let (text, exited) = (outcome.output, outcome.status)
        guard exited == 0 else {
            let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
            throw Failure("\(program) \(arguments.joined(separator: " ")) failed (\(exited)): \(text)\n\(log.suffix(2000))")
        }
        return text
    }

    /// The newest PostgreSQL server's binaries Debian installed.
    private static func binaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        return versions.reversed().map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/pg_ctl") }
    }

    /// A port nothing listens on now (the kernel's pick for a socket bound to port 0).
    private static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ text: String) { description = text }
    }
}
