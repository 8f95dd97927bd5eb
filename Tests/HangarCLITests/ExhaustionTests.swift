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
        let server = try await ServerProcess.start(cli, shell: "ulimit -n 1024 &&")
        defer { server.stop() }
        let port = server.port

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
            let answer = await Sockets.offPool { Sockets.exchangeText(port: port, request, timeout: 10) }
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
        #expect(server.process.isRunning)
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

/// The shared socket helpers, plus the one text form the exhaustion test wants.
typealias Sockets = TestSockets

extension TestSockets {
    /// One request on a new connection; the answer as text, or a description of the failure.
    static func exchangeText(port: Int, _ request: [UInt8], timeout: Int) -> String {
        switch exchange(port: port, request, timeout: timeout) {
        case .success(let out): return out.isEmpty ? "no answer (errno \(errno))" : String(decoding: out, as: UTF8.self)
        case .failure(let why): return why.text
        }
    }
}
