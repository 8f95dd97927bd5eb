import AsyncHTTPClient
import Foundation
import HangarCore
import NIOCore

extension RemoteClient {
    /// The environment's status once its generation differs from `generation` (or its
    /// newest report's fingerprint from `report`), or after about `timeout` seconds if
    /// nothing changed (a long poll; the server decides the exact
    /// wait, and the answer may then still be at `generation`).
    public func watch(_ project: String, environment: String, generation: Int64, report: String? = nil,
                      timeout: Int) async throws -> EnvironmentStatus {
        var query = [("generation", String(generation)), ("timeout", String(timeout))]
        if let report { query.append(("report", report)) }
        return try await transport.json(.GET, APIPath.environment(project, environment, "watch"), query: query,
                                 what: "watch \(environment) of \(project)", timeout: .seconds(Int64(timeout) + 60))
    }

    /// Tells the server what a deploy agent did with deployment `id`.
    @discardableResult
    public func report(_ project: String, deployment id: Int64, status: DeploymentReport.Status, message: String?) async throws -> DeploymentReport {
        try await transport.json(.POST, APIPath.project(project, "deployments", String(id), "reports"),
                                 body: ReportBody(status: status, message: message),
                                 what: "report \(status.rawValue) for deployment \(id) of \(project)")
    }
}

private struct ReportBody: Encodable {
    var status: DeploymentReport.Status
    var message: String?
}
