import Dispatch

/// Runs blocking file work (reads, writes, fsync, rename) on threads of its own, never on
/// the few cooperative threads every task of the process shares: an fsync of a large
/// blob takes a good part of a second, and on a 2-core server the cooperative pool has 2
/// threads.
public enum BlockingIO {
    private static let queue = DispatchQueue(label: "hangar.blocking-io", qos: .userInitiated, attributes: .concurrent)

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// Hands a non-`Sendable` object (a blob reader or writer, used by one task at a time)
/// to a blocking call and back. The caller guarantees nothing else touches it meanwhile.
public struct Handoff<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
