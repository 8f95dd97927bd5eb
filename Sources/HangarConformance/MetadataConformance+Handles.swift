import HangarCore

private typealias F = MetadataFixtures

extension MetadataStoreConformance {
    /// Races between two handles on one database (two servers): compare-and-swap,
    /// uniqueness and the audit chain hold in the database, not in one handle's memory.
    static let handleCases: [Case] = [
        Case("moves racing from one generation on two handles: exactly one wins, the others are conflicts") { h in
            let first = try await h.makeStore()
            let second = try await h.secondHandle(first)
            let c = try await F.seed(first, candidates: 10)
            let outcomes = await F.raceFromGenerationZero([first, second], c, environment: "staging")
            let winners = outcomes.compactMap { try? $0.get() }
            let losers = outcomes.compactMap { if case .failure(let e) = $0 { e as? HangarError } else { nil } }
            try require(winners.count == 1 && losers.count == 9, "one winner, nine errors: \(winners.count)/\(losers.count)")
            try require(losers.allSatisfy { $0.kind == .conflict }, "losers get conflicts: \(losers.map(\.kind))")
            for store in [first, second] {
                let env = try await F.environment(store, "acme/checkout", "staging")
                try require(env.current == winners[0].to && env.generation == 1, "both handles see the winner's pointer: \(env)")
                try require(try await store.allDeployments() == winners, "only the winner is recorded")
            }
        },
        Case("moves with retry on two handles form one from→to chain and one audit chain") { h in
            let first = try await h.makeStore()
            let second = try await h.secondHandle(first)
            let c = try await F.seed(first, candidates: 16)
            _ = try await withThrowingTaskGroup(of: Int.self) { group in
                for (i, candidate) in c.enumerated() {
                    let store = i.isMultiple(of: 2) ? first : second
                    group.addTask {
                        try await F.move(store, environment: "production", to: candidate.digest,
                                         at: F.at(1000 + Double(i)), actor: "releaser\(i)").conflicts
                    }
                }
                return try await group.reduce(0, +)
            }
            let moves = try await second.allDeployments().sorted { $0.id < $1.id }
            try require(moves.count == 16 && Set(moves.map(\.to)) == Set(c.map(\.digest)), "every move recorded once: \(moves.count)")
            for (before, after) in zip(moves, moves.dropFirst()) {
                try require(after.from == before.to, "move \(after.id) starts where move \(before.id) ended")
            }
            let log = try await F.auditLog(first)
            try require(AuditChain.verify(log, after: nil).isEmpty, "the chain is unbroken")
            try require(log.map(\.seq) == Array(1...Int64(log.count)), "sequence numbers without gaps or repeats")
        },
        Case("audit appends racing on two handles keep one unbroken chain") { h in
            let first = try await h.makeStore()
            let second = try await h.secondHandle(first)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    let store = i.isMultiple(of: 2) ? first : second
                    group.addTask { _ = try await store.appendAudit([F.draft(.blobStored, subject: "blob \(i)")]) }
                }
                try await group.waitForAll()
            }
            let log = try await F.auditLog(second)
            try require(log.count == 40 && log.map(\.seq) == Array(1...40), "40 entries, numbered 1…40: \(log.map(\.seq))")
            try require(AuditChain.verify(log, after: nil).isEmpty, "the chain is unbroken")
            try require(Set(log.compactMap(\.subject)).count == 40, "each append once")
        },
        Case("the same tag cut on two handles at once: one candidate, the other a conflict") { h in
            let first = try await h.makeStore()
            let second = try await h.secondHandle(first)
            _ = try await F.seed(first, candidates: 0)
            let a = F.candidate(rc: 1)
            var b = F.candidate(rc: 1)
            b.digest = F.digest("another build")
            async let one = Result { try await first.insertCandidate(a, audit: [F.draft(.candidateCreated, subject: a.tag)]) }
            async let two = Result { try await second.insertCandidate(b, audit: [F.draft(.candidateCreated, subject: b.tag)]) }
            let outcomes = [await one, await two]
            let failures = outcomes.compactMap { if case .failure(let e) = $0 { e as? HangarError } else { nil } }
            try require(failures.count == 1 && failures[0].kind == .conflict, "one conflict: \(failures)")
            let stored = try await second.candidate(project: "acme/checkout", tag: a.tag)
            try require(stored?.digest == a.digest || stored?.digest == b.digest, "one of them is the candidate")
            try require(try await first.candidates(project: "acme/checkout", version: nil).count == 1, "and only one")
        },
        Case("one approver approving twice on two handles is recorded once; the second is a conflict") { h in
            let first = try await h.makeStore()
            let second = try await h.secondHandle(first)
            let c = try await F.seed(first, candidates: 1)
            func approval(_ at: Double) -> ApprovalRecord {
                ApprovalRecord(project: "acme/checkout", environment: "production", candidate: c[0].digest, actor: "alice",
                               at: F.at(at), comment: nil)
            }
            async let one = Result { try await first.addApproval(approval(10), audit: F.draft(.approval, subject: "a")) }
            async let two = Result { try await second.addApproval(approval(11), audit: F.draft(.approval, subject: "a")) }
            let outcomes = [await one, await two]
            let failures = outcomes.compactMap { if case .failure(let e) = $0 { e as? HangarError } else { nil } }
            try require(failures.count == 1 && failures[0].kind == .conflict, "one conflict: \(failures)")
            let approvals = try await second.approvals(project: "acme/checkout", environment: "production", candidate: c[0].digest)
            try require(approvals.count == 1, "recorded once: \(approvals.count)")
            try require(try await F.auditLog(first).filter { $0.action == "approval" }.count == 1, "audited once")
        },
    ]
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
