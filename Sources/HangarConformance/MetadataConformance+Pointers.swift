import Foundation
import HangarCore

private typealias F = MetadataFixtures

extension MetadataStoreConformance {
    static let pointerCases: [Case] = [
        Case("a pointer moves by compare-and-swap, bumping the generation and recording from and to") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 2)
            let draft = DeploymentDraft(to: c[0].digest, kind: .promote, actor: "rita", at: F.at(100),
                                        reason: "first", overridden: ["requirePredecessor"])
            let first = try await store.movePointer(
                project: "acme/checkout", environment: "staging", expectedGeneration: 0, draft: draft,
                audit: [F.draft(.promotion, subject: "staging", at: F.at(100), actor: "rita"),
                        F.draft(.policyOverride, subject: "staging", at: F.at(100), actor: "rita")])
            try require(first.from == nil && first.to == c[0].digest, "first move: from nothing to rc.1")
            try require(first.kind == .promote && first.actor == "rita" && first.at == F.at(100), "draft fields kept")
            try require(first.reason == "first" && first.overridden == ["requirePredecessor"], "reason and overrides kept")
            let env = try await F.environment(store, "acme/checkout", "staging")
            try require(env.current == c[0].digest && env.generation == 1, "pointer moved, generation 1: \(env)")
            try require(env.updatedAt == F.at(100) && env.updatedBy == "rita", "updated at and by recorded")
            let second = try await F.move(store, environment: "staging", to: c[1].digest, at: F.at(200)).0
            try require(second.from == c[0].digest && second.to == c[1].digest, "second move from rc.1 to rc.2")
            try require(second.id > first.id, "ids increase")
            try require(try await F.environment(store, "acme/checkout", "staging").generation == 2, "generation 2")
            let others = try await store.environments(project: "acme/checkout").filter { $0.name != "staging" }
            try require(others.allSatisfy { $0.current == nil && $0.generation == 0 }, "other environments untouched")
            try require(try await store.deployments(project: "acme/checkout", environment: nil, before: nil, limit: nil)
                == [second, first], "both moves recorded as returned")
        },
        Case("a stale generation is a conflict and records nothing") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 2)
            let won = try await F.move(store, environment: "sandbox", to: c[0].digest, at: F.at(100)).0
            let entriesBefore = try await F.auditLog(store)
            let draft = DeploymentDraft(to: c[1].digest, kind: .promote, actor: "bob", at: F.at(101), reason: nil, overridden: [])
            let e = try await requireThrows(.conflict, "move from generation 0 after it became 1") {
                try await store.movePointer(project: "acme/checkout", environment: "sandbox", expectedGeneration: 0,
                                            draft: draft, audit: [F.draft(.promotion, subject: "sandbox", actor: "bob")])
            }
            try require(e.message.contains("sandbox") && e.message.contains("acme/checkout"), "names environment and project: \(e.message)")
            let env = try await F.environment(store, "acme/checkout", "sandbox")
            try require(env.current == c[0].digest && env.generation == 1, "pointer unchanged: \(env)")
            try require(try await store.allDeployments() == [won], "no deployment recorded")
            try require(try await F.auditLog(store) == entriesBefore, "no audit entry appended")
        },
        Case("moving an unknown environment, or to an unknown candidate, is not found and records nothing") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 1)
            func attempt(_ project: String, _ env: String, _ to: Digest) async throws -> HangarError {
                let draft = DeploymentDraft(to: to, kind: .promote, actor: "bob", at: F.at(5), reason: nil, overridden: [])
                return try await requireThrows(.notFound, "move \(env) of \(project) to \(to)") {
                    try await store.movePointer(project: project, environment: env, expectedGeneration: 0, draft: draft,
                                                audit: [F.draft(.promotion, project: project, subject: env)])
                }
            }
            let noEnv = try await attempt("acme/checkout", "qa", c[0].digest)
            try require(noEnv.message.contains("qa") && noEnv.message.contains("acme/checkout"), "names both: \(noEnv.message)")
            _ = try await attempt("ghost/project", "staging", c[0].digest)
            let noCandidate = try await attempt("acme/checkout", "staging", F.digest("never recorded"))
            try require(noCandidate.message.contains(F.digest("never recorded").description), "names the digest: \(noCandidate.message)")
            try require(try await F.environment(store, "acme/checkout", "staging").current == nil, "pointer unchanged")
            try require(try await store.allDeployments().isEmpty, "no deployment recorded")
            try require(try await F.auditLog(store).count == 2, "no audit entry appended")
        },
        Case("of 10 moves racing from the same generation exactly one wins; the others are conflicts") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 10)
            let outcomes = await F.raceFromGenerationZero([store], c, environment: "staging")
            let winners = outcomes.compactMap { try? $0.get() }
            let losers = outcomes.compactMap { if case .failure(let e) = $0 { e as? HangarError } else { nil } }
            try require(winners.count == 1 && losers.count == 9, "one winner, nine errors: \(winners.count)/\(losers.count)")
            try require(losers.allSatisfy { $0.kind == .conflict }, "losers get conflicts: \(losers.map(\.kind))")
            let env = try await F.environment(store, "acme/checkout", "staging")
            try require(env.current == winners[0].to && env.generation == 1, "the pointer is the winner's: \(env)")
            try require(try await store.allDeployments() == winners, "only the winner is recorded")
            try require(try await F.auditLog(store).count == 1 + 10 + 1, "only the winner is audited")
        },
        Case("20 racing moves with retry on conflict are all recorded in one from→to chain") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 20)
            let conflicts = try await withThrowingTaskGroup(of: Int.self) { group in
                for (i, candidate) in c.enumerated() {
                    group.addTask {
                        try await F.move(store, environment: "production", to: candidate.digest,
                                         at: F.at(1000 + Double(i)), actor: "releaser\(i)").conflicts
                    }
                }
                return try await group.reduce(0, +)
            }
            let moves = try await store.allDeployments().sorted { $0.id < $1.id }
            try require(moves.count == 20, "every move recorded: \(moves.count) (\(conflicts) conflicts retried)")
            try require(Set(moves.map(\.to)) == Set(c.map(\.digest)), "each candidate landed once")
            try require(moves[0].from == nil, "the first move started from nothing")
            for (before, after) in zip(moves, moves.dropFirst()) {
                try require(after.from == before.to, "move \(after.id) starts where move \(before.id) ended")
            }
            let env = try await F.environment(store, "acme/checkout", "production")
            try require(env.current == moves.last!.to && env.generation == 20, "pointer is the last move's target: \(env)")
            let log = try await F.auditLog(store)
            try require(AuditChain.verify(log, after: nil).isEmpty, "the chain is unbroken")
            try require(log.count == 1 + 20 + 20, "one entry per creation, candidate and move: \(log.count)")
        },
        Case("every deployment points at the audit entry that records it") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 3)
            for (i, candidate) in c.enumerated() {
                _ = try await F.move(store, environment: "sandbox", to: candidate.digest, at: F.at(Double(100 + i)))
                try await store.appendAudit([F.draft(.blobStored, subject: "noise \(i)")])
            }
            _ = try await F.move(store, environment: "sandbox", to: c[0].digest, at: F.at(200), kind: .rollback)
            let entries = Dictionary(uniqueKeysWithValues: try await F.auditLog(store).map { ($0.seq, $0) })
            for d in try await store.allDeployments() {
                let entry = entries[d.auditSeq]
                let action = d.kind == .rollback ? "rollback" : "promotion"
                try require(entry?.action == action && entry?.subject == d.environment, "deployment \(d.id) → entry \(d.auditSeq)")
                try require(entry?.details["to"] == d.to.description && entry?.at == d.at, "entry \(d.auditSeq) is this move")
            }
        },
        Case("firstArrival gives when a candidate first reached an environment, or nil") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 3)
            _ = try await F.move(store, environment: "sandbox", to: c[0].digest, at: F.at(100))
            _ = try await F.move(store, environment: "sandbox", to: c[1].digest, at: F.at(101))
            _ = try await F.move(store, environment: "sandbox", to: c[0].digest, at: F.at(102))
            let first = try await store.firstArrival(project: "acme/checkout", environment: "sandbox", candidate: c[0].digest)
            try require(first == F.at(100), "the earliest of its two arrivals: \(String(describing: first))")
            try require(try await store.firstArrival(project: "acme/checkout", environment: "sandbox", candidate: c[2].digest) == nil,
                        "never deployed there")
            try require(try await store.firstArrival(project: "acme/checkout", environment: "staging", candidate: c[0].digest) == nil,
                        "another environment")
        },
    ]
}
