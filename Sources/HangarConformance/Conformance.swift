import HangarCore

/// A failed conformance check: which check, and what was seen.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Throws a `ConformanceFailure` with `message` unless `condition` holds.
public func require(
    _ condition: Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) throws {
    if !condition { throw ConformanceFailure("\(file):\(line): \(message())") }
}

/// Runs `body` and requires it to throw a `HangarError` of `kind`; returns the error.
@discardableResult
public func requireThrows<T>(
    _ kind: HangarError.Kind, _ what: String,
    file: StaticString = #fileID, line: UInt = #line,
    _ body: () async throws -> T
) async throws -> HangarError {
    do {
        _ = try await body()
    } catch let error as HangarError {
        try require(error.kind == kind, "\(what): expected a \(kind) error, got \(error.kind): \(error)", file: file, line: line)
        return error
    }
    throw ConformanceFailure("\(file):\(line): \(what): expected a \(kind) error, nothing was thrown")
}

/// One named check of a conformance suite, runnable against any backend.
public struct ConformanceCase<Harness: Sendable>: Sendable, CustomStringConvertible {
    public let name: String
    public let run: @Sendable (Harness) async throws -> Void
    public var description: String { name }

    public init(_ name: String, _ run: @escaping @Sendable (Harness) async throws -> Void) {
        self.name = name
        self.run = run
    }
}
