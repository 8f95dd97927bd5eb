import Foundation
import HangarCore
import Hummingbird
import NIOCore
import NIOHTTP1

/// A failure on its way to the client: what kind it is, the OCI code when the thrower
/// named one, a message, and the part of the API it happened in. Its one
/// `HTTPResponseError` conformance turns every failure of both APIs into the OCI error
/// body `{"errors":[{"code","message","detail"}]}` with the status from `ErrorTable`.
public struct APIError: HTTPResponseError, CustomStringConvertible, Sendable {
    public var kind: HangarError.Kind
    public var code: OCIErrorCode?
    public var message: String
    public var scope: ErrorScope
    /// Headers the client needs to recover (e.g. `Range` of an upload after a 416).
    public var headers: HTTPFields
    /// The status when the table's does not fit (416 for an upload the store could not
    /// continue, as the OCI spec words it).
    public var statusOverride: HTTPResponse.Status?

    public init(_ kind: HangarError.Kind, _ code: OCIErrorCode? = nil, _ message: String,
                scope: ErrorScope = .native, headers: HTTPFields = [:], status: HTTPResponse.Status? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.scope = scope
        self.headers = headers
        self.statusOverride = status
    }

    /// Any error as an API error: Hangar's errors keep their kind and message; request
    /// bodies that do not decode are invalid input; Hummingbird's own errors keep their
    /// status; a body over its size limit is `limitExceeded`; anything else is internal. An `APIError` thrown without a scope takes `scope`.
    public init(_ error: any Error, scope: ErrorScope) {
        switch error {
        case var e as APIError:
            if e.scope == .native { e.scope = scope }
            self = e
        case let e as HangarError:
            var headers: HTTPFields = [:]
            if let seconds = e.retryAfter { headers[.retryAfter] = String(seconds) }
            self.init(e.kind, e.registryCode.flatMap { OCIErrorCode(rawValue: $0.rawValue) }, e.description, scope: scope, headers: headers)
        case let e as DecodingError:
            self.init(.invalidInput, nil, "request body is not valid JSON of the expected shape: \(HangarJSON.describe(e))", scope: scope)
        case let e as BlobStreaming.StoreFailure:
            self.init(.io, nil, "the store could not take the upload, nothing was stored: \(e.cause)", scope: scope)
        case let e as HTTPParserError:
            // The request's bytes were not HTTP (a bad chunk size, a bad header): the client's fault.
            self.init(.invalidInput, scope == .upload || scope == .blob ? .blobUploadInvalid : nil,
                      "malformed HTTP request: \(e)", scope: scope)
        case is NIOTooManyBytesError:
            self.init(.limitExceeded, nil, "request body is larger than this endpoint accepts (manifests: 4 MiB, JSON: 8 MiB)",
                      scope: scope)
        case let e as HTTPError:
            self.init(Self.kind(of: e.status), nil, e.body ?? e.status.reasonPhrase, scope: scope, headers: e.headers)
        default:
            self.init(.internal, nil, "internal error: \(error)", scope: scope)
        }
    }

    public var status: HTTPResponse.Status { statusOverride ?? ErrorTable.entry(kind: kind, code: code, scope: scope).status }
    public var ociCode: OCIErrorCode { ErrorTable.entry(kind: kind, code: code, scope: scope).code }
    public var description: String { "\(ociCode.rawValue) (\(kind.rawValue)): \(message)" }

    /// The body in the OCI shape; `detail.kind` is Hangar's error kind, so a remote CLI
    /// exits with the same code as a local one.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(errors: [.init(code: ociCode.rawValue, message: Self.bounded(message), detail: .init(kind: kind.rawValue))])
        var headers = self.headers
        headers[.contentType] = "application/json"
        if status == .unauthorized, headers[.wwwAuthenticate] == nil {
            headers[.wwwAuthenticate] = #"Basic realm="hangar""#
        }
        let bytes = try HangarJSON.encode(body)
        let response = Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        return request.method == .head ? response.createHeadResponse() : response
    }

    /// The longest message sent: errors quote what the client sent, which may be huge.
    static let messageLimit = 2048

    static func bounded(_ message: String) -> String {
        BoundedText.cut(message, to: messageLimit) { " … [\($0) bytes, cut]" }
    }

    /// The OCI error body: a list of errors (Hangar always sends one).
    public struct Body: Codable, Sendable {
        /// One error: its code, a message for people, and details.
        public struct Entry: Codable, Sendable {
            public var code: String
            public var message: String
            public var detail: Detail?
        }
        /// What Hangar adds to an error: its kind (the CLI maps it to an exit code).
        public struct Detail: Codable, Sendable {
            public var kind: String
        }
        public var errors: [Entry]
    }

    static func kind(of status: HTTPResponse.Status) -> HangarError.Kind {
        switch status.code {
        case 401: .unauthorized
        case 403: .denied
        case 404: .notFound
        case 409: .conflict
        case 413: .limitExceeded
        case 429, 503: .unavailable
        case 400..<500: .invalidInput
        default: .internal
        }
    }
}

extension APIError {
    /// A missing OCI repository (project).
    static func nameUnknown(_ project: String) -> APIError {
        APIError(.notFound, .nameUnknown, "repository \(project) is not known to this registry")
    }

    /// An operation the registry does not offer.
    /// 405 with the `Allow` header listing what the path answers.
    static func unsupported(_ message: String, allow: [HTTPRequest.Method]) -> APIError {
        APIError(.denied, .unsupported, message, headers: [.allow: allow.map(\.rawValue).joined(separator: ", ")])
    }
}
