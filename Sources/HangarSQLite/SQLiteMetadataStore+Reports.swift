import HangarCore
import Foundation
import GRDB

extension SQLiteMetadataStore {
    /// The deployment must be one of `report.environment` of `report.project`: `notFound`
    /// (naming all three) otherwise. Reports keep the order they were recorded in.
    public func addReport(_ report: DeploymentReport, audit: AuditDraft) async throws {
        let r = report
        try await write("cannot record a report on deployment \(r.deploymentID) of \(r.environment) in \(r.project)") { db in
            guard try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM deployments WHERE id = ? AND project = ? AND environment = ?)
                """, arguments: try SQLiteRows.arguments([r.deploymentID, r.project, r.environment])) == true else {
                throw HangarError.notFound("deployment \(r.deploymentID) of environment \(r.environment) in project \(r.project) not found")
            }
            try db.execute(sql: """
                INSERT INTO deployment_reports (deployment_id, agent, status, message, at) VALUES (?, ?, ?, ?, ?)
                """, arguments: try SQLiteRows.arguments([r.deploymentID, r.agent, r.status.rawValue, r.message, SQLiteRows.ms(r.at)]))
            _ = try Self.append([audit], in: db)
        }
    }

    /// Newest first is the order the reports were recorded in, whatever the agents' clocks said.
    public func reports(project: String, environment: String, deploymentID: Int64?) async throws -> [DeploymentReport] {
        var values: [(any DatabaseValueConvertible)?] = [project, environment]
        var condition = "d.project = ? AND d.environment = ?"
        if let deploymentID {
            condition += " AND d.id = ?"
            values.append(deploymentID)
        }
        let arguments = try SQLiteRows.arguments(values)
        let sql = """
            SELECT r.*, d.project, d.environment FROM deployment_reports r JOIN deployments d ON d.id = r.deployment_id
            WHERE \(condition) ORDER BY r.id DESC
            """
        return try await read("cannot read the reports of \(environment) in \(project)") { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(SQLiteRows.report)
        }
    }
}

extension SQLiteRows {
    static func report(_ row: Row) throws -> DeploymentReport {
        let statusText: String = try row.decode(forColumn: "status")
        guard let status = DeploymentReport.Status(rawValue: statusText) else {
            throw HangarError.integrity("stored deployment report status '\(statusText)' is unknown")
        }
        return DeploymentReport(
            deploymentID: try row.decode(forColumn: "deployment_id"), project: try row.decode(forColumn: "project"),
            environment: try row.decode(forColumn: "environment"), agent: try row.decode(forColumn: "agent"),
            status: status, message: try row.decode(forColumn: "message"), at: try date(row, "at"))
    }
}
