#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Runs a program to its end for a test harness and returns what it printed. Output goes
/// to a file, not a pipe (a daemon it starts would hold a pipe open), and the child is
/// waited for with waitpid, not Foundation's Process.
enum ChildProcess {
    struct Outcome {
        var status: Int32
        var output: String
    }

    static func run(_ argv: [String]) throws -> Outcome {
        let outputPath = NSTemporaryDirectory() + "hangar-child-output-\(UUID().uuidString)"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArgs, environ)
        guard spawned == 0 else { throw PostgresCluster.Failure("cannot start \(argv[0]): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Outcome(status: status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), output: text)
    }
}
