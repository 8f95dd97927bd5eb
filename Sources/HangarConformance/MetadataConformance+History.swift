import Foundation
import HangarCore

private typealias F = MetadataFixtures

extension MetadataStoreConformance {
    static let historyCases: [Case] = [
        Case("deployments come newest first, per environment, limited") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 3)
            try await F.seed(store, project: "zeta/api", candidates: 1)
            _ = try await F.move(store, project: "zeta/api", environment: "staging", to: F.candidate("zeta/api", rc: 1).digest, at: F.at(15))
            let plan: [(String, Int, Double)] = [("staging", 0, 10), ("production", 0, 20), ("staging", 1, 30),
                                                 ("staging", 2, 30), ("production", 1, 40)]
            var made: [DeploymentRecord] = []
            for (env, rc, time) in plan {
                made.append(try await F.move(store, environment: env, to: c[rc].digest, at: F.at(time)).0)
            }
            let all = try await store.deployments(project: "acme/checkout", environment: nil, before: nil, limit: nil)
            try require(all == [made[4], made[3], made[2], made[1], made[0]], "newest first, same time by id: \(all.map(\.id))")
            let staging = try await store.deployments(project: "acme/checkout", environment: "staging", before: nil, limit: nil)
            try require(staging == [made[3], made[2], made[0]], "one environment: \(staging.map(\.id))")
            let two = try await store.deployments(project: "acme/checkout", environment: nil, before: nil, limit: 2)
            try require(two == [made[4], made[3]], "at most limit")
            try require(try await store.deployments(project: "acme/checkout", environment: "qa", before: nil, limit: nil).isEmpty,
                        "unknown environment has no history")
            try require(try await store.deployments(project: "zeta/api", environment: nil, before: nil, limit: nil).count == 1,
                        "projects are kept apart")
        },
        Case("'before' answers what an environment pointed at, at time T (inclusive)") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 3)
            for (rc, time) in [(0, 10.0), (1, 20.0), (2, 30.0)] {
                _ = try await F.move(store, environment: "production", to: c[rc].digest, at: F.at(time))
            }
            func pointer(at time: Date) async throws -> Digest? {
                let found = try await store.deployments(project: "acme/checkout", environment: "production", before: time, limit: 1)
                return found.first?.to
            }
            try require(try await pointer(at: F.at(9.999)) == nil, "nothing before the first move")
            try require(try await pointer(at: F.at(10)) == c[0].digest, "a move at exactly T counts")
            try require(try await pointer(at: F.at(19.999)) == c[0].digest, "just before the second move")
            try require(try await pointer(at: F.at(25)) == c[1].digest, "between the second and third")
            try require(try await pointer(at: F.at(1_000_000)) == c[2].digest, "long after: the last move")
            let upTo20 = try await store.deployments(project: "acme/checkout", environment: "production", before: F.at(20), limit: nil)
            try require(upTo20.map(\.to) == [c[1].digest, c[0].digest], "history up to T, newest first")
        },
        Case("approvals are kept per candidate and environment, oldest first, each audited") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 2)
            let approvals = [
                ApprovalRecord(project: "acme/checkout", environment: "production", candidate: c[0].digest, actor: "vera", at: F.at(50), comment: "lgtm"),
                ApprovalRecord(project: "acme/checkout", environment: "production", candidate: c[0].digest, actor: "ann", at: F.at(60), comment: nil),
                ApprovalRecord(project: "acme/checkout", environment: "staging", candidate: c[0].digest, actor: "vera", at: F.at(55), comment: nil),
                ApprovalRecord(project: "acme/checkout", environment: "production", candidate: c[1].digest, actor: "ann", at: F.at(70), comment: nil),
            ]
            for a in approvals.reversed() {
                try await store.addApproval(a, audit: F.draft(.approval, subject: a.environment, at: a.at, actor: a.actor))
            }
            let prod = try await store.approvals(project: "acme/checkout", environment: "production", candidate: c[0].digest)
            try require(prod == [approvals[0], approvals[1]], "production approvals of rc.1, oldest first: \(prod)")
            try require(try await store.approvals(project: "acme/checkout", environment: "staging", candidate: c[0].digest)
                == [approvals[2]], "staging kept apart")
            try require(try await store.approvals(project: "acme/checkout", environment: "sandbox", candidate: c[0].digest).isEmpty,
                        "none in sandbox")
            try require(try await F.auditLog(store).filter { $0.action == "approval" }.count == 4, "each approval audited")
        },
        Case("an approval for an unknown environment or candidate is not found and records nothing") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 1)
            let badEnv = ApprovalRecord(project: "acme/checkout", environment: "qa", candidate: c[0].digest, actor: "vera", at: F.at(5), comment: nil)
            let e = try await requireThrows(.notFound, "approval for qa") {
                try await store.addApproval(badEnv, audit: F.draft(.approval, subject: "qa"))
            }
            try require(e.message.contains("qa") && e.message.contains("acme/checkout"), "names both: \(e.message)")
            var badCandidate = badEnv
            badCandidate.environment = "production"
            badCandidate.candidate = F.digest("never recorded")
            try await requireThrows(.notFound, "approval of an unknown candidate") {
                try await store.addApproval(badCandidate, audit: F.draft(.approval, subject: "production"))
            }
            try require(try await store.approvals(project: "acme/checkout", environment: "production",
                                                  candidate: badCandidate.candidate).isEmpty, "nothing stored")
            try require(try await F.auditLog(store).count == 2, "nothing audited")
        },
    ]
}
