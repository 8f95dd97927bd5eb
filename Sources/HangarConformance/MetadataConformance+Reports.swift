import Foundation
import HangarCore

private typealias F = MetadataFixtures

extension MetadataStoreConformance {
    static let reportCases: [Case] = [
        Case("reports are listed newest first (in recorded order), of an environment or of one deployment") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 2)
            let d1 = try await F.move(store, environment: "sandbox", to: c[0].digest, at: F.at(10)).0
            let d2 = try await F.move(store, environment: "sandbox", to: c[1].digest, at: F.at(20)).0
            let d3 = try await F.move(store, environment: "staging", to: c[0].digest, at: F.at(30)).0
            func report(_ d: DeploymentRecord, _ status: DeploymentReport.Status, _ at: Double, _ message: String? = nil) -> DeploymentReport {
                DeploymentReport(deploymentID: d.id, project: d.project, environment: d.environment, agent: "agent-1",
                                 status: status, message: message, at: F.at(at))
            }
            let reports = [report(d1, .inProgress, 11), report(d1, .succeeded, 12), report(d3, .succeeded, 31),
                           report(d2, .failed, 21, "exit 3: migrations failed\nrolled back"), report(d1, .failed, 5)]
            for r in reports {
                try await store.addReport(r, audit: F.draft(.deploymentReported, subject: r.environment, at: r.at,
                                                            actor: r.agent, details: ["status": r.status.rawValue]))
            }
            func listed(_ env: String, _ id: Int64? = nil) async throws -> [DeploymentReport] {
                try await store.reports(project: "acme/checkout", environment: env, deploymentID: id)
            }
            try require(try await listed("sandbox") == [reports[4], reports[3], reports[1], reports[0]],
                        "sandbox's reports, last recorded first even with an earlier clock")
            try require(try await listed("sandbox", d1.id) == [reports[4], reports[1], reports[0]], "one deployment's")
            try require(try await listed("sandbox", d3.id).isEmpty, "a deployment of another environment gives none")
            try require(try await listed("staging") == [reports[2]], "staging's")
            try require(try await listed("production").isEmpty, "production has none")
            try require(try await store.reports(project: "zeta/api", environment: "sandbox", deploymentID: nil).isEmpty,
                        "another project has none")
            try await F.requireAudit(store, count: 11, endingWith: Array(repeating: .deploymentReported, count: 5))
        },
        Case("a report on a deployment that does not exist there is not found, and nothing is recorded") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 1)
            let d = try await F.move(store, environment: "sandbox", to: c[0].digest, at: F.at(10)).0
            try await F.seed(store, project: "zeta/api")
            let before = try await F.auditLog(store)
            let wrong: [(String, Int64, String, String)] = [
                ("an unknown deployment", d.id + 100, "acme/checkout", "sandbox"),
                ("another environment's", d.id, "acme/checkout", "staging"),
                ("another project's", d.id, "zeta/api", "sandbox"),
                ("an unknown project's", d.id, "ghost/project", "sandbox"),
            ]
            for (label, id, project, environment) in wrong {
                let r = DeploymentReport(deploymentID: id, project: project, environment: environment, agent: "agent",
                                         status: .succeeded, message: nil, at: F.at(11))
                let e = try await requireThrows(.notFound, label) {
                    try await store.addReport(r, audit: F.draft(.deploymentReported, project: project, subject: environment))
                }
                try require(e.message.contains(String(id)) && e.message.contains(environment), "\(label): names both: \(e.message)")
            }
            try require(try await store.reports(project: "acme/checkout", environment: "sandbox", deploymentID: nil).isEmpty,
                        "no report recorded")
            try require(try await F.auditLog(store) == before, "nothing audited")
        },
    ]
}
