import Foundation
import HangarCore

private typealias F = MetadataFixtures

extension MetadataStoreConformance {
    /// The read model (one snapshot of a project) and the bounded history reads.
    static let snapshotCases: [Case] = [
        Case("a snapshot lists the newest candidates and moves asked for, each environment's current ones, reports, approvals and arrivals") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 4)
            let d1 = try await F.move(store, environment: "sandbox", to: c[0].digest, at: F.at(10)).0
            _ = try await F.move(store, environment: "staging", to: c[0].digest, at: F.at(20))
            _ = try await F.move(store, environment: "sandbox", to: c[1].digest, at: F.at(30))
            let d4 = try await F.move(store, environment: "sandbox", to: c[3].digest, at: F.at(40)).0
            let report = DeploymentReport(deploymentID: d4.id, project: "acme/checkout", environment: "sandbox", agent: "agent-1",
                                          status: .succeeded, message: nil, at: F.at(41))
            try await store.addReport(report, audit: F.draft(.deploymentReported, subject: "sandbox"))
            let old = DeploymentReport(deploymentID: d1.id, project: "acme/checkout", environment: "sandbox", agent: "agent-1",
                                       status: .failed, message: "old", at: F.at(42))
            try await store.addReport(old, audit: F.draft(.deploymentReported, subject: "sandbox"))
            let approval = ApprovalRecord(project: "acme/checkout", environment: "production", candidate: c[3].digest, actor: "bob",
                                          at: F.at(50), comment: "ok")
            try await store.addApproval(approval, audit: F.draft(.approval, subject: "production"))
            guard let s = try await store.snapshot(project: "acme/checkout", candidates: 1, deployments: 1) else {
                throw ConformanceFailure("no snapshot of an existing project")
            }
            try require(s.project.name == "acme/checkout" && s.environments.map(\.name) == ["sandbox", "staging", "production"],
                        "the project and its environments in order")
            try require(s.candidates.map(\.tag) == [c[3].tag, c[0].tag], "the newest candidate, then the older one staging runs: \(s.candidates.map(\.tag))")
            try require(s.deployments.map(\.id) == [d4.id, 2], "the newest move, then staging's current one: \(s.deployments.map(\.id))")
            try require(s.reports == ["sandbox": report], "the newest report on each current move only: \(s.reports)")
            try require(s.approvals == [approval], "approvals of the listed candidates")
            try require(s.arrivals["sandbox"]?[c[0].digest] == F.at(10) && s.arrivals["staging"]?[c[0].digest] == F.at(20)
                        && s.arrivals["sandbox"]?[c[3].digest] == F.at(40) && s.arrivals["production"] == nil,
                        "first arrivals of the listed candidates: \(s.arrivals)")
            let none = try await store.snapshot(project: "acme/checkout", candidates: 0, deployments: 0)
            try require(none?.candidates.map(\.tag) == [c[3].tag, c[0].tag] && none?.deployments.count == 2,
                        "with no window, what the environments run")
            try require(try await store.snapshot(project: "ghost/project", candidates: 5, deployments: 5) == nil, "nil for no project")
        },
        Case("history pages: moves to one manifest, ids below a cursor, at most a limit, newest first") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 2)
            var moves: [DeploymentRecord] = []
            for i in 0..<7 {
                moves.append(try await F.move(store, environment: i % 2 == 0 ? "sandbox" : "staging", to: c[i % 3 == 0 ? 0 : 1].digest,
                                              at: F.at(Double(10 + i))).0)
            }
            func page(_ env: String?, _ to: Digest?, _ before: Int64?, _ limit: Int) async throws -> [Int64] {
                try await store.deployments(project: "acme/checkout", environment: env, to: to, beforeID: before, limit: limit).map(\.id)
            }
            let toFirst = moves.filter { $0.to == c[0].digest }.map(\.id).reversed()
            try require(try await page(nil, c[0].digest, nil, 10) == Array(toFirst), "every move to rc.1, newest first")
            try require(try await page(nil, c[0].digest, toFirst.first, 1) == [Array(toFirst)[1]], "below the cursor, one")
            try require(try await page("sandbox", nil, moves[4].id, 2) == [moves[2].id, moves[0].id], "one environment's, paged")
            try require(try await page("staging", c[0].digest, nil, 10) == [moves[3].id], "environment and manifest together")
            try require(try await page(nil, nil, nil, 0).isEmpty, "a limit of 0 gives nothing")
            try require(try await page(nil, F.digest("never deployed"), nil, 10).isEmpty, "a manifest never deployed has none")
        },
        Case("the audit entries about one subject of one project, in order") { h in
            let store = try await h.makeStore()
            _ = try await F.seed(store)
            try await store.appendAudit([F.draft(.promotion, subject: "sandbox"), F.draft(.promotion, subject: "staging"),
                                         F.draft(.promotion, project: "zeta/api", subject: "sandbox"), F.draft(.rollback, subject: "sandbox")])
            let about = try await store.auditEntries(project: "acme/checkout", subject: "sandbox", limit: 10)
            try require(about.map(\.action) == ["promotion", "rollback"], "sandbox's entries of acme/checkout: \(about.map(\.action))")
            try require(try await store.auditEntries(project: "acme/checkout", subject: "sandbox", limit: 1).count == 1, "at most the limit")
        },
        Case("snapshots taken while another handle moves pointers are each consistent: every environment's pointer is its newest move's target") { h in
            let store = try await h.makeStore()
            let writer = try await h.secondHandle(store)
            let c = try await F.seed(store, candidates: 3)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for i in 0..<40 {
                        _ = try await F.move(writer, environment: ["sandbox", "staging"][i % 2], to: c[i % 3].digest, at: F.at(Double(i)))
                    }
                }
                group.addTask {
                    for _ in 0..<40 {
                        guard let s = try await store.snapshot(project: "acme/checkout", candidates: 3, deployments: 5) else {
                            throw ConformanceFailure("the project vanished")
                        }
                        for env in s.environments {
                            try require(env.current == s.currentMove(env.name)?.to,
                                        "\(env.name) points at \(env.current?.description ?? "nothing") and its newest move goes to \(s.currentMove(env.name)?.to.description ?? "nothing")")
                            try require(env.current == nil || s.candidate(env.current) != nil, "the candidate \(env.name) runs is listed")
                        }
                    }
                }
                try await group.waitForAll()
            }
        },
    ]
}
