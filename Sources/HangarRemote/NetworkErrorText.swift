import AsyncHTTPClient
import Foundation
import HangarCore
import NIOCore

/// Plain words for the errors of the HTTP stack (connection refused, timeouts, TLS),
/// instead of their Swift descriptions with nested enums, errno soup and source paths.
/// Registered as `ErrorText.describeForeign` by the `hangar` binary.
public enum NetworkErrorText {
    public static func describe(_ error: any Error) -> String? {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if let http = error as? HTTPClientError { return describe(http) }
        let type = String(reflecting: Swift.type(of: error))
        if type.hasSuffix("NIOConnectionError") { return connection(error) }
        if type.contains("NIOSSL") || type.contains("BoringSSL") { return tls(error) }
        if type.hasPrefix("NIO") || type.hasPrefix("AsyncHTTPClient") { return ErrorText.scrub(String(describing: error)) }
        return nil
    }

    static func describe(_ error: HTTPClientError) -> String {
        switch error {
        case .connectTimeout: "the connection timed out"
        case .readTimeout, .deadlineExceeded: "no answer in time"
        case .remoteConnectionClosed: "the server closed the connection"
        case .cancelled: "cancelled"
        case .tlsHandshakeTimeout: "the TLS handshake timed out"
        case .invalidURL, .emptyHost, .emptyScheme: "the server URL is not valid"
        default: ErrorText.scrub(error.description)
        }
    }

    /// A failed connect: the first attempt's error (`connection refused`), or the DNS failure.
    static func connection(_ error: any Error) -> String {
        let fields = Dictionary(Mirror(reflecting: error).children.compactMap { c in c.label.map { ($0, c.value) } },
                                uniquingKeysWith: { a, _ in a })
        if let attempts = fields["connectionErrors"] as? [Any], let first = attempts.first,
           let inner = Mirror(reflecting: first).children.first(where: { $0.label == "error" })?.value as? any Error {
            return ErrorText.describe(inner)
        }
        for key in ["dnsAError", "dnsAAAAError"] {
            if case .some(.some) = fields[key] as? (any Error)? { return "the host name could not be resolved" }
        }
        return "the connection failed"
    }

    /// `TLS handshake failed (wrong version number): is it an https:// server?`
    static func tls(_ error: any Error) -> String {
        let text = String(describing: error)
        let reason = text.firstMatch(of: /:([A-Z][A-Z0-9_]+)\ at\ /).map { " (" + $0.1.lowercased().replacing("_", with: " ") + ")" } ?? ""
        if text.contains("handshakeFailed") {
            let hint = text.contains("WRONG_VERSION_NUMBER") ? ": the server does not speak TLS; try http://" : ""
            return "the TLS handshake failed\(reason)\(hint)"
        }
        return "TLS failed\(reason)"
    }
}
