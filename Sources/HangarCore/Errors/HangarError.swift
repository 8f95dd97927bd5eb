/// The one error type Hangar throws: a kind (what sort of failure, which decides the
/// exit code and HTTP status at the edges), a message naming what was wrong, and an
/// optional underlying cause.
public struct HangarError: Error, CustomStringConvertible, Sendable {
    /// What sort of failure this is. Mapped to exit codes by the CLI and to HTTP
    /// statuses by the server, each in one table.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The caller gave something malformed (a bad digest, name, version, path).
        case invalidInput
        /// What was asked for does not exist.
        case notFound
        /// Bytes do not match their digest, or a record does not match its hash.
        case integrity
        /// The change conflicts with the current state (tag exists, pointer moved).
        case conflict
        /// A promotion or rollback was refused by an environment's policy.
        case policy
        /// A limit was exceeded (extraction size, entry count).
        case limitExceeded
        /// The caller is not allowed to do this.
        case denied
        /// The caller did not prove who it is.
        case unauthorized
        /// A limit on concurrent work was reached (connections, upload sessions, watchers)
        /// or a backend is briefly unreachable: the same request may succeed later.
        case unavailable
        /// The operating system or a backend failed (disk full, permission, network).
        case io
        /// A bug or an unexpected state inside Hangar.
        case `internal`
    }

    public var kind: Kind
    public var message: String
    public var cause: (any Error)?
    /// For `unavailable`: how many seconds the caller should wait before trying again.
    public var retryAfter: Int?
    /// For a failure of a registry operation: the OCI distribution error code that names it
    /// precisely (when the kind alone does not, e.g. `MANIFEST_BLOB_UNKNOWN`).
    public var registryCode: RegistryCode?

    public init(_ kind: Kind, _ message: String, cause: (any Error)? = nil, retryAfter: Int? = nil,
                registryCode: RegistryCode? = nil) {
        self.kind = kind
        self.message = message
        self.cause = cause
        self.retryAfter = retryAfter
        self.registryCode = registryCode
    }

    /// The message followed by its chain of causes, each said once: a cause whose text
    /// the message already holds (a wrapper that quoted it) is not repeated.
    public var description: String {
        guard let cause else { return message }
        let text = ErrorText.describe(cause)
        if text.isEmpty || message.contains(text) { return message }
        if let inner = cause as? HangarError, message.contains(inner.message) {
            // The wrapper quoted the inner message: go on with what the inner error wrapped.
            guard let deeper = inner.cause else { return message }
            return HangarError(kind, message, cause: deeper).description
        }
        return "\(message): \(text)"
    }

    public static func invalid(_ message: String) -> HangarError { .init(.invalidInput, message) }
    public static func notFound(_ message: String) -> HangarError { .init(.notFound, message) }
    public static func integrity(_ message: String) -> HangarError { .init(.integrity, message) }
    public static func conflict(_ message: String) -> HangarError { .init(.conflict, message) }
    /// A limit on concurrent work was reached; retry after `seconds`.
    public static func unavailable(_ message: String, retryAfter seconds: Int) -> HangarError {
        .init(.unavailable, message, retryAfter: seconds)
    }
}

/// A failed system call: the call, the path it was about and errno's text.
public struct SystemCallError: Error, CustomStringConvertible, Sendable {
    public var call: String
    public var path: String
    public var errno: Int32

    public init(_ call: String, path: String, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    public var description: String {
        "\(call)(\(path)): \(String(cString: strerror(errno)))"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HangarError {
    /// An I/O error for a failed system call, reading errno now.
    public static func system(_ call: String, _ path: String, _ what: String? = nil) -> HangarError {
        let err = SystemCallError(call, path: path, errno: errno)
        let kind: Kind = err.errno == ENOENT ? .notFound : .io
        return HangarError(kind, what ?? "cannot \(call) \(path)", cause: err)
    }
}
