import AsyncHTTPClient
import Foundation
import HangarCore
import NIOCore
import NIOHTTP1

/// Where a `hangar serve` is and how to prove who we are to it.
public struct ServerEndpoint: Sendable, Hashable {
    /// `http(s)://host[:port][/prefix]`, without a trailing slash.
    public let baseURL: String
    /// The API token sent as `Authorization: Bearer <token>`, if any.
    public let token: String?

    /// Checks that `url` is an http or https URL with a host.
    public init(url: String, token: String?) throws {
        var trimmed = url.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let parsed = URL(string: trimmed), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parsed.host, !host.isEmpty,
              parsed.query == nil, parsed.fragment == nil else {
            throw HangarError.invalid("server '\(url)' is not an http:// or https:// URL of a hangar serve (e.g. https://hangar.example.com)")
        }
        baseURL = trimmed
        let t = token?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.token = (t?.isEmpty ?? true) ? nil : t
    }
}

/// Sends requests to a server and turns every failure into a `HangarError`: error answers
/// through `RemoteErrors`, a server that cannot be reached into `io` naming it.
struct HTTPTransport: Sendable {
    let endpoint: ServerEndpoint
    let client: HTTPClient

    /// How long a JSON call may take in all (a long poll adds its own wait).
    static let callTimeout: TimeAmount = .seconds(120)
    /// The largest JSON answer accepted.
    static let maxJSONBytes = 64 << 20

    /// One client for the process: connections are pooled across calls, and it is never
    /// shut down (it lives as long as the process). A refused connection fails at once
    /// instead of being retried until the connect timeout: a command says "cannot reach"
    /// straight away, and the agent retries on its own schedule.
    static let sharedClient: HTTPClient = {
        let timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10), read: .seconds(150))
        var configuration = HTTPClient.Configuration(timeout: timeout, decompression: .disabled)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    init(endpoint: ServerEndpoint, client: HTTPClient = HTTPTransport.sharedClient) {
        self.endpoint = endpoint
        self.client = client
    }

    /// A request for `path` (starting with `/`, already escaped) or for an absolute URL.
    func request(_ method: HTTPMethod, _ path: String, query: [(String, String)] = []) -> HTTPClientRequest {
        let url = path.hasPrefix("http://") || path.hasPrefix("https://") ? path : endpoint.baseURL + path
        var request = HTTPClientRequest(url: url + APIPath.query(query, appendingTo: url))
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "hangar")
        if let token = endpoint.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return request
    }

    /// Executes a request; an answer outside 2xx (and not in `accept`) is thrown as the
    /// mapped `HangarError`. `what` names the operation in messages.
    func execute(_ request: HTTPClientRequest, what: String, timeout: TimeAmount = callTimeout,
                 accept: Set<Int> = []) async throws -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch let error as HangarError {
            throw error
        } catch {
            throw HangarError(.io, "cannot reach the Hangar server at \(endpoint.baseURL) (\(what))", cause: error)
        }
        let status = Int(response.status.code)
        if (200..<300).contains(status) || accept.contains(status) { return response }
        let body = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
        throw RemoteErrors.error(status: status, body: body, what: what)
    }

    /// Sends `body` (JSON) and decodes the JSON answer.
    func json<Answer: Decodable>(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [],
                                 body: (any Encodable)? = nil, what: String,
                                 timeout: TimeAmount = callTimeout) async throws -> Answer {
        var request = request(method, path, query: query)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try APIJSON.encode(body)))
        }
        let response = try await execute(request, what: what, timeout: timeout)
        let data: Data
        do {
            data = Data(try await response.body.collect(upTo: Self.maxJSONBytes).readableBytesView)
        } catch {
            throw HangarError(.io, "cannot read the server's answer to \(what)", cause: error)
        }
        return try APIJSON.decode(Answer.self, from: data, what: what)
    }

    /// The raw body of a GET (at most `limit` bytes).
    func bytes(_ path: String, query: [(String, String)] = [], what: String, limit: Int = 64 << 20) async throws -> [UInt8] {
        let response = try await execute(request(.GET, path, query: query), what: what)
        do {
            return Array(try await response.body.collect(upTo: limit).readableBytesView)
        } catch {
            throw HangarError(.io, "cannot read the server's answer to \(what)", cause: error)
        }
    }
}
