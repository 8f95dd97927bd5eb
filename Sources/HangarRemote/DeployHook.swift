import Foundation
import HangarCore

/// The command a deploy agent runs after a candidate was swapped into its target folder,
/// through `/bin/sh -c`, with the deployment described in its environment:
/// `HANGAR_PROJECT`, `HANGAR_ENV`, `HANGAR_TAG`, `HANGAR_DIGEST`, `HANGAR_TARGET`.
/// Its output goes to the agent's standard error; the agent's token is not passed on.
public struct DeployHook: Sendable {
    public var command: String

    public init(command: String) {
        self.command = command
    }

    /// How the hook ended.
    public enum Outcome: Sendable, Hashable {
        case succeeded
        /// Exited with a non-zero status, or was killed by a signal; the text says which.
        case failed(String)
    }

    /// The environment the hook runs with: the agent's own, minus `HANGAR_TOKEN`, plus
    /// the deployment's variables.
    public static func environment(project: String, environment: String, tag: String?, digest: Digest, target: String,
                                   inherited: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var env = inherited
        env["HANGAR_TOKEN"] = nil
        env["HANGAR_PROJECT"] = project
        env["HANGAR_ENV"] = environment
        env["HANGAR_TAG"] = tag ?? ""
        env["HANGAR_DIGEST"] = digest.description
        env["HANGAR_TARGET"] = target
        return env
    }

    /// Runs the hook to its end without blocking a thread while it runs.
    public func run(environment: [String: String]) async -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.standardError
        process.standardError = FileHandle.standardError
        let ended = AsyncStream<Void> { continuation in
            process.terminationHandler = { _ in continuation.yield(); continuation.finish() }
        }
        do {
            try process.run()
        } catch {
            return .failed("hook could not start: \(error)")
        }
        for await _ in ended { break }
        let status = process.terminationStatus
        switch process.terminationReason {
        case .exit where status == 0: return .succeeded
        case .exit: return .failed("hook exited with status \(status)")
        case .uncaughtSignal: return .failed("hook was killed by signal \(status)")
        @unknown default: return .failed("hook ended abnormally (\(status))")
        }
    }
}
