import HangarCore
import Hummingbird

/// `/healthz` (200 when both stores answer, 503 naming the one that does not) and
/// `/metrics` (Prometheus text). Neither needs credentials; neither reveals data.
struct HealthAndMetrics: Sendable {
    let state: ServerState

    func register(on router: some RouterMethods<HangarRequestContext>) {
        router.get("/healthz") { request, context in try await health(context) }
        router.get("/metrics") { _, _ in
            Responses.bytes(Array(state.metrics.render().utf8), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    private struct Health: Codable { var status: String; var problem: String? }

    private func health(_ context: HangarRequestContext) async throws -> Response {
        do {
            _ = try await state.service.metadata.auditEntries(after: Int64.max - 1, limit: 1)
            _ = try await state.blobs.stat(SHA256Hasher.digest([UInt8]()))
            return try Responses.json(Health(status: "ok"))
        } catch {
            context.logger.error("health check failed", metadata: ["error": .string("\(error)")])
            return try Responses.json(Health(status: "unavailable", problem: "\(error)"), status: .serviceUnavailable)
        }
    }
}
