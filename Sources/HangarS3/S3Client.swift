import AsyncHTTPClient
import Foundation
import HangarCore
import NIOCore
import NIOHTTP1

/// One request to the bucket.
struct S3Request: Sendable {
    var method: HTTPMethod
    /// The object's key (without the configured prefix); nil for the bucket itself.
    var key: String?
    var query: [(String, String)] = []
    var headers: [(String, String)] = []
    /// The whole body, hashed into `x-amz-content-sha256` (S3 checks it).
    var body: [UInt8]?
}

/// Signs requests with SigV4 and sends them over async-http-client, retrying what the
/// store throttled or failed (5xx, 429, `SlowDown`, a dropped connection) with growing
/// pauses; when the attempts run out the error is `unavailable` (503 + `Retry-After` to
/// Hangar's own clients). Every S3 call Hangar makes is idempotent, so a retry is safe.
public final class S3Client: Sendable {
    let config: S3Configuration
    private let signer: SigV4
    private let http: HTTPClient
    private static let emptyHash = Hex.encode(SHA256Hasher.raw([UInt8]()))

    /// The process's connections to object stores: a failed connection attempt gives up
    /// after 5 s (so a retry, or `unavailable`, comes soon), and up to 64 connections per
    /// store carry concurrent uploads and reads.
    public static let sharedHTTP: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(120))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    init(_ config: S3Configuration, http: HTTPClient = S3Client.sharedHTTP) {
        self.config = config
        self.signer = SigV4(credentials: config.credentials, region: config.region, service: "s3",
                            normalizePath: false, signPayloadHeader: true)
        self.http = http
    }

    /// Sends `request`; returns the response when its status is below 300 or in `accept`
    /// (its body not yet read), throws the store's error otherwise.
    func send(_ request: S3Request, _ what: @autoclosure () -> String, accept: Set<Int> = [],
              timeout: TimeAmount = .seconds(120)) async throws -> HTTPClientResponse {
        var pause = Duration.milliseconds(100)
        var lastProblem = ""
        for attempt in 1...config.attempts {
            do {
                let response = try await http.execute(prepared(request), timeout: timeout)
                if response.status.code < 300 || accept.contains(Int(response.status.code)) { return response }
                let failure = try await Self.failure(response)
                guard failure.retryable, attempt < config.attempts else {
                    if failure.retryable { break }
                    throw failure.hangarError(what())
                }
                lastProblem = failure.code.isEmpty ? "HTTP \(failure.status)" : "\(failure.code) (HTTP \(failure.status))"
            } catch let e as HangarError {
                throw e
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                lastProblem = Self.describe(error)
                if attempt == config.attempts { break }
            }
            try await Task.sleep(for: pause)
            pause *= 4
        }
        throw HangarError.unavailable("\(what()): the object store at \(config.endpoint.absoluteString) did not succeed after \(config.attempts) attempts (last: \(lastProblem))", retryAfter: 5)
    }

    /// Sends `request` and reads its whole (small) answer.
    func data(_ request: S3Request, _ what: @autoclosure () -> String, limit: Int = 16 * 1024 * 1024) async throws -> (HTTPClientResponse, [UInt8]) {
        let text = what()
        let response = try await send(request, text)
        let body = try await response.body.collect(upTo: limit)
        return (response, Array(body.readableBytesView))
    }

    /// The signed request as async-http-client sends it.
    private func prepared(_ r: S3Request) -> HTTPClientRequest {
        let (host, path) = config.location(r.key)
        let query = r.query.map { SigV4.encode($0.0) + "=" + SigV4.encode($0.1) }.joined(separator: "&")
        let payloadHash = r.body.map { Hex.encode(SHA256Hasher.raw($0)) } ?? Self.emptyHash
        let signature = signer.sign(method: r.method.rawValue, path: path, query: query, headers: [("Host", host)] + r.headers,
                                    payloadHash: payloadHash, date: Date())
        let encodedPath = SigV4.encodePath(path)
        var request = HTTPClientRequest(url: "\(config.endpoint.scheme!)://\(host)\(encodedPath)\(query.isEmpty ? "" : "?" + query)")
        request.method = r.method
        for (name, value) in r.headers + signature.headers { request.headers.add(name: name, value: value) }
        if let body = r.body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    /// A network failure in a few words ("connection refused"), not the transport's dump.
    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset"
            case ETIMEDOUT: return "timed out"
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
            default: return String(cString: strerror(io.errnoCode)).lowercased()
            }
        }
        if let http = error as? HTTPClientError {
            if http == .connectTimeout || http == .deadlineExceeded { return "timed out" }
            if http == .remoteConnectionClosed { return "the connection was closed" }
        }
        if error is ChannelError { return "the connection failed (\(error))" }
        return String(describing: error)
    }

    /// The error an answer of 300 or more describes (its XML `Code` and `Message`).
    private static func failure(_ response: HTTPClientResponse) async throws -> S3Failure {
        let body = (try? await response.body.collect(upTo: 64 * 1024)).map { Array($0.readableBytesView) } ?? []
        let fields = S3XML.fields(body, ["Code", "Message"])
        return S3Failure(status: Int(response.status.code), code: fields["Code"] ?? "", message: fields["Message"] ?? "")
    }

    /// A URL that reads `key` without credentials until `expiresIn` has passed.
    func presignedGET(_ key: String, expiresIn: Duration) -> String {
        let (host, path) = config.location(key)
        let query = signer.presign(method: "GET", path: path, host: host, expires: Int(expiresIn.components.seconds), date: Date())
        let encodedPath = SigV4.encodePath(path)
        return "\(config.endpoint.scheme!)://\(host)\(encodedPath)?\(query)"
    }
}
