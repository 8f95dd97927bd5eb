import Foundation

extension HangarService {
    /// The longest message a deploy agent may attach to a report, in UTF-8 bytes.
    public static let reportMessageLimit = 4096

    /// Records what a deploy agent says happened when it acted on a deployment of an
    /// environment (audited as `deployment.reported` by the agent). `notFound` when the
    /// project, the environment or that deployment of it does not exist.
    func reportDeployment(project: String, environment: String, deploymentID: Int64,
                                 status: DeploymentReport.Status, message: String?, agent: String) async throws -> DeploymentReport {
        _ = try await requireProject(project)
        _ = try await requireEnvironment(project, environment)
        guard !agent.isEmpty else { throw HangarError.invalid("a deployment report needs the agent's name") }
        // The status is what matters: a long message is shortened, never a reason to lose the report.
        let message = message.map { Self.boundedReportMessage($0) }
        let report = DeploymentReport(deploymentID: deploymentID, project: project, environment: environment,
                                      agent: agent, status: status, message: message, at: now())
        var details = ["environment": environment, "deployment": String(deploymentID), "status": status.rawValue]
        details["message"] = message
        try await metadata.addReport(report, audit: AuditDraft(
            at: report.at, actor: agent, action: .deploymentReported, project: project, subject: environment, details: details))
        changes.changed(project: project)
        return report
    }

    /// `message` cut to at most `reportMessageLimit` UTF-8 bytes (at a character
    /// boundary), ending with a note of how much was cut when it was.
    public static func boundedReportMessage(_ message: String) -> String {
        BoundedText.cut(message, to: reportMessageLimit) { " … [\($0) bytes, cut to \(reportMessageLimit)]" }
    }
}
