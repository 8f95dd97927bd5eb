import HangarBackends
import HangarCore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Builds the Hangar HTTP server on the backends the configuration names: the OCI
/// distribution API (`/v2/`), the native API (`/api/v1/`), the release board (`/ui/`),
/// `/healthz` and `/metrics`.
/// `hangar serve` runs it; tests drive the same application in-process.
/// `onServerRunning` gets the address actually bound (useful with port 0).
public func buildApplication(_ configuration: ServerConfiguration,
                             onServerRunning: @escaping @Sendable (String, Int) async -> Void = { _, _ in })
    async throws -> some ApplicationProtocol {
    try configuration.validate()
    let service = try await Backends.service(configuration.backends, signingKey: configuration.signingKey ?? configuration.store + "/signing-key.pem",
                                             createKey: configuration.signingKey == nil)
    return try await buildApplication(configuration, service: service, onServerRunning: onServerRunning)
}

/// Builds the server over a given service (tests pass one with their own clock).
public func buildApplication(_ configuration: ServerConfiguration, service: HangarService,
                             onServerRunning: @escaping @Sendable (String, Int) async -> Void = { _, _ in })
    async throws -> some ApplicationProtocol {
    var logger = Logger(label: "hangar")
    logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
    let metrics = ServerMetrics()
    let limits = configuration.limits
    let connections = ConnectionTable(maxConnections: limits.effectiveMaxConnections(openFileLimit: OpenFileLimit.raise()),
                                      headerTimeout: .seconds(limits.headerTimeoutSeconds))
    let state = ServerState(service: service, configuration: configuration, metrics: metrics, connections: connections)
    let router = buildRouter(state)
    let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
        maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes, maxHeaderFieldCount: 256)
    let http1 = HTTP1Channel.Configuration(
        additionalChannelHandlers: [connections.handler(), ExpectContinueHandler()],
        idleTimeout: .seconds(Int64(limits.idleTimeoutSeconds)), httpDecoderConfiguration: decoder)
    let housekeeping = Housekeeping(uploads: state.uploads, service: service,
                                    collectEvery: configuration.gcMinutes > 0 ? .seconds(configuration.gcMinutes * 60) : nil,
                                    collectionGrace: Double(configuration.gcGraceMinutes * 60),
                                    interval: .seconds(configuration.housekeepingSeconds),
                                    scrubEvery: configuration.scrubHours > 0 ? .seconds(configuration.scrubHours * 3600) : nil,
                                    metrics: metrics, logger: logger)
    return Application(
        router: router,
        server: .http1(configuration: http1),
        configuration: .init(address: .hostname(configuration.bind, port: configuration.port), serverName: "hangar"),
        services: [housekeeping, ChangeFeedFollower(service: service)],
        onServerRunning: { channel in
            await onServerRunning(configuration.bind, channel.localAddress?.port ?? configuration.port)
        },
        logger: logger)
}

/// The routes and their middleware: request ids, logs, metrics and error bodies around
/// everything; credentials checked for both APIs.
func buildRouter(_ state: ServerState) -> Router<HangarRequestContext> {
    let router = Router(context: HangarRequestContext.self)
    router.add(middleware: RequestMiddleware(metrics: state.metrics, securityLog: state.securityLog,
                                             maxPathBytes: state.configuration.limits.maxPathBytes))
    HealthAndMetrics(state: state).register(on: router)
    let auth = AuthMiddleware(service: state.service, anonymousRead: state.configuration.anonymousRead)
    let api = router.group().add(middleware: auth)
    OCIController(state: state).register(on: api)
    NativeController(state: state).register(on: api)
    BoardController(state: state).register(on: router)
    return router
}

/// Builds the server and runs it until SIGTERM or SIGINT, then shuts down gracefully:
/// it stops accepting connections and lets requests in flight finish.
public func runServer(_ configuration: ServerConfiguration,
                      onServerRunning: @escaping @Sendable (String, Int) async -> Void) async throws {
    let app = try await buildApplication(configuration, onServerRunning: onServerRunning)
    try await app.runService()
}
