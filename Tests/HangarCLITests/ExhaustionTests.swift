import Foundation
import HangarConformance
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One client cannot make the server unreachable: a real `hangar serve` limited to 1,024
/// open files (the usual default), 2,000 connections held open by an attacker that
/// reconnects whatever is closed (1,700 silent, 300 trickling header bytes), and a normal
/// client whose every request must still be answered. Bounded to about 20 seconds. The
/// normal client's latency is printed (the figure the README quotes), not asserted.
@Suite struct ExhaustionTests {
    @Test func twoThousandIdleAndSlowConnectionsDoNotLockOutANormalClient() async throws {
        let dir = TempDir("exhaustion")
        let cli = CLI(workdir: dir.path)
        let secret = try cli.run("token", "create", "--name", "ops", "--role", "admin").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        Sockets.raiseOwnLimit()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/bin/sh")
        server.arguments = ["-c", "ulimit -n 1024 && exec \"$0\" serve --port 0 --log-level error", CLI.binary]
        server.currentDirectoryURL = URL(fileURLWithPath: dir.path)
        server.environment = cli.process([]).environment
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        let line = try #require(await Sockets.offPool { ServeCLITests.firstLine(out.fileHandleForReading) })
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0) }, "\(line)")

        let attacker = Attacker(port: port, silent: 1700, slow: 300)
        let attack = Thread { attacker.run() }
        attack.start()
        defer { attacker.stop() }
        for _ in 0..<60 where attacker.peakOpen < 2000 { try await Task.sleep(for: .milliseconds(500)) }
        #expect(attacker.peakOpen >= 1500, "the attacker holds its connections: \(attacker.peakOpen)")

        let request = Array("GET /v2/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(secret)\r\nConnection: close\r\n\r\n".utf8)
        var latencies: [Duration] = [], failures: [String] = []
        for _ in 0..<150 {
            let started = ContinuousClock.now
            let answer = await Sockets.offPool { Sockets.exchange(port: port, request, timeout: 10) }
            latencies.append(ContinuousClock.now - started)
            if !answer.hasPrefix("HTTP/1.1 200") { failures.append(String(answer.prefix(60))) }
            try await Task.sleep(for: .milliseconds(50))
        }
        attacker.stop()
        latencies.sort()
        let p50 = latencies[latencies.count / 2], p99 = latencies[latencies.count * 99 / 100]
        print("exhaustion: 150 requests beside \(attacker.peakOpen) attacking connections (\(attacker.reconnects) reconnects): "
              + "p50 \(p50.formatted(.units(allowed: [.milliseconds]))), p99 \(p99.formatted(.units(allowed: [.milliseconds]))), "
              + "\(failures.count) failed")
        #expect(failures.isEmpty, "every request of the normal client was answered: \(failures.prefix(5))")
        #expect(server.isRunning)
    }
}

/// Holds `silent` connections that send nothing and `slow` ones that send a header byte
/// every half second, reconnecting any the server closes, until stopped.
final class Attacker: Sendable {
    let port: Int, silent: Int, slow: Int
    private let state = Mutex((stopped: false, peak: 0, reconnects: 0))

    init(port: Int, silent: Int, slow: Int) {
        (self.port, self.silent, self.slow) = (port, silent, slow)
    }

    var peakOpen: Int { state.withLock { $0.peak } }
    var reconnects: Int { state.withLock { $0.reconnects } }
    func stop() { state.withLock { $0.stopped = true } }

    func run() {
        var fds = [Int32](repeating: -1, count: silent + slow)
        defer { fds.filter { $0 >= 0 }.forEach { close($0) } }
        var round = 0
        while !state.withLock({ $0.stopped }) {
            for i in fds.indices {
                if fds[i] >= 0, Sockets.isClosedByPeer(fds[i]) { close(fds[i]); fds[i] = -1 }
                if fds[i] < 0 {
                    fds[i] = Sockets.connect(port: port) ?? -1
                    if fds[i] >= 0, i >= silent { _ = Sockets.send(fds[i], Array("GET /v2/ HTTP/1.1\r\nHost: x\r\n".utf8)) }
                    if round > 0 { state.withLock { $0.reconnects += 1 } }
                } else if i >= silent {
                    _ = Sockets.send(fds[i], Array("X".utf8))
                }
            }
            let open = fds.filter { $0 >= 0 }.count
            state.withLock { $0.peak = max($0.peak, open) }
            round += 1
            usleep(500_000)
        }
    }
}

/// Plain blocking sockets for the exhaustion test, run on threads of their own.
enum Sockets {
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in Thread { continuation.resume(returning: body()) }.start() }
    }

    static func raiseOwnLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if ok != 0 { close(fd); return nil }
        return fd
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) } == bytes.count
    }

    static func isClosedByPeer(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_DONTWAIT))
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// One request on a new connection; the answer, or a description of the failure.
    static func exchange(port: Int, _ request: [UInt8], timeout: Int) -> String {
        switch exchangeBytes(port: port, request, timeout: timeout) {
        case .success(let out): return out.isEmpty ? "no answer (errno \(errno))" : String(decoding: out, as: UTF8.self)
        case .failure(let why): return why.text
        }
    }

    struct Failure: Error { let text: String }

    /// One request on a new connection; every byte of the answer.
    static func exchangeBytes(port: Int, _ request: [UInt8], timeout: Int) -> Result<[UInt8], Failure> {
        guard let fd = connect(port: port) else { return .failure(Failure(text: "connect failed: errno \(errno)")) }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the server may answer (and close) before taking the whole body
            sent += n
        }
        var out: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return .success(out)
    }
}
