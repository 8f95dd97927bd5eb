import Foundation
import Synchronization
import Testing
@testable import HangarCore

@Suite struct MoveQueueTests {
    final class Log: Sendable {
        let state = Mutex<(running: [String: Int], most: [String: Int], order: [Int])>(([:], [:], []))
    }

    @Test func movesOfOneEnvironmentRunOneAtATime() async throws {
        let queue = MoveQueue()
        let log = Log()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<60 {
                let env = i % 3 == 0 ? "staging" : "production"
                group.addTask {
                    try await queue.serialized("acme/app", env) {
                        log.state.withLock {
                            $0.running[env, default: 0] += 1
                            $0.most[env] = max($0.most[env] ?? 0, $0.running[env]!)
                        }
                        try await Task.sleep(for: .microseconds(200))
                        log.state.withLock {
                            $0.running[env]! -= 1
                            if env == "production" { $0.order.append(i) }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let seen = log.state.withLock { $0 }
        #expect(seen.most == ["staging": 1, "production": 1], "never two moves of one environment at once: \(seen.most)")
        #expect(seen.order.count == 40)
    }

    @Test func aFailedMoveLetsTheNextOneRun() async throws {
        let queue = MoveQueue()
        await #expect(throws: HangarError.self) {
            try await queue.serialized("acme/app", "production") { () async throws -> Int in throw HangarError.conflict("lost") }
        }
        let value = try await queue.serialized("acme/app", "production") { 42 }
        #expect(value == 42)
    }
}
