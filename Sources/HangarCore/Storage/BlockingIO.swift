import Dispatch
import Foundation

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

extension BlockingIO {
    /// Runs `body` on a thread of its own, made for it: for long synchronous pipelines
    /// (libarchive archiving or extracting) that wait on async blob reads and writes with
    /// `wait`. Waiting there never holds a thread that those reads and writes need, as it
    /// would on `run`'s threads or the cooperative ones.
    public static func dedicated<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.name = "hangar.pipeline"
            thread.start()
        }
    }

    /// Runs `body` as a task and blocks this thread until it is done: how synchronous code
    /// (libarchive's callbacks) calls the async blob readers and writers. Only ever from a
    /// `dedicated` thread: on a cooperative thread or one of `run`'s it would hold up the
    /// very threads `body` needs.
    public static func wait<T>(_ body: @escaping () async throws -> T) throws -> T {
        let work = Handoff(body)
        let outcome = Handoff(Box<Result<T, any Error>>())
        let done = DispatchSemaphore(value: 0)
        Task {
            do { outcome.value.value = .success(try await work.value()) } catch { outcome.value.value = .failure(error) }
            done.signal()
        }
        done.wait()
        return try outcome.value.value!.get()
    }

    private final class Box<Value> { var value: Value? }
}

/// A blob reader seen as a synchronous `ByteSource`, for code that runs on a
/// `BlockingIO.dedicated` thread (libarchive pulling an archive's bytes).
public final class BlockingBlobSource: ByteSource {
    public let reader: any BlobReader
    public init(_ reader: any BlobReader) { self.reader = reader }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let target = Handoff(buffer)
        return try BlockingIO.wait { try await self.reader.read(into: target.value) }
    }
}
