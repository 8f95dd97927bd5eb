import Foundation
import HangarCore
import Hummingbird
import Logging

/// The per-request context of both APIs: Hummingbird's core storage, the caller the
/// auth middleware identified, and Hangar's JSON dialect for bodies.
public struct HangarRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware`; anonymous until then.
    public var caller: Principal = .anonymous(readAccess: false)
    /// The request id (from `X-Request-Id`, or made up), echoed in the response and logs.
    public var requestID: String = ""
    /// Facts about this request gathered by every layer (route, caller, bytes in).
    public let record = RequestRecord()
    /// The client's IP address (`unknown` when the connection has none, as in-process tests).
    public let remoteAddress: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// JSON request bodies (not blob uploads, which stream) are capped at 8 MiB.
    public var maxUploadSize: Int { 8 << 20 }
    public var requestDecoder: JSONDecoder { HangarJSON.decoder }
    public var responseEncoder: JSONEncoder { HangarJSON.encoder }
}
