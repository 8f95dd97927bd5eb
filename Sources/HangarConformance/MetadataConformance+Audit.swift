import Foundation
import HangarCore

private typealias F = MetadataFixtures

extension MetadataStoreConformance {
    static let auditCases: [Case] = [
        Case("appending numbers entries 1, 2, 3… in a hash chain that verifies") { h in
            let store = try await h.makeStore()
            try require(try await store.appendAudit([]).isEmpty, "appending nothing appends nothing")
            let first = try await store.appendAudit([F.draft(.blobStored, project: nil, subject: "sha256:aa", at: F.at(1))])
            let batch = try await store.appendAudit((2...6).map { F.draft(.tokenIssued, subject: "t\($0)", at: F.at(Double($0))) })
            try require((first + batch).map(\.seq) == [1, 2, 3, 4, 5, 6], "seqs 1…6: \((first + batch).map(\.seq))")
            try require(first[0].prevHash == AuditChain.genesis, "the first entry follows the genesis hash")
            try require(batch[0].prevHash == first[0].hash, "a batch continues the chain")
            let stored = try await F.auditLog(store)
            try require(stored == first + batch, "entries read back exactly as sealed")
            try require(AuditChain.verify(stored, after: nil).isEmpty, "verify accepts the chain")
            let page = try await store.auditEntries(after: 2, limit: 3)
            try require(page.map(\.seq) == [3, 4, 5], "entries after 2, at most 3")
            try require(AuditChain.verify(page, after: (stored[1].seq, stored[1].hash)).isEmpty, "a page verifies from its predecessor")
            try require(try await store.auditEntries(after: 6, limit: 10).isEmpty, "nothing after the last")
        },
        Case("details, subjects and actors of any text survive storage and still verify") { h in
            let store = try await h.makeStore()
            let details = ["quote": "say \"hi\"", "newline": "a\nb\tc", "unicode": "Zürich ✈️ 東京", "control": "\u{1}\u{1f}",
                           "backslash": #"C:\path\"#, "empty": "", "json": #"{"a":[1,2]}"#]
            let draft = AuditDraft(at: F.at(1), actor: "ops@acme.example ✓", action: .policyOverride,
                                   project: "acme/checkout", subject: "production?", details: details)
            let sealed = try await store.appendAudit([draft, F.draft(.approval, project: nil, subject: nil)])
            let stored = try await F.auditLog(store)
            try require(stored == sealed, "read back exactly: \(stored)")
            try require(stored[0].details == details && stored[1].project == nil && stored[1].subject == nil, "fields kept")
            try require(AuditChain.verify(stored, after: nil).isEmpty, "the chain verifies")
        },
        Case("text with a NUL character is refused as invalid input, never cut short") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 1)
            let before = try await F.auditLog(store)
            try await requireThrows(.invalidInput, "audit subject with NUL") {
                try await store.appendAudit([F.draft(.accessDenied, subject: "2.4.0-rc.1\u{0}evil")])
            }
            let policy = EnvironmentPolicy(requirePredecessor: false, requiredApprovals: 0)
            try await requireThrows(.invalidInput, "environment name with NUL") {
                try await store.setPolicy(project: "acme/checkout", environment: "production\u{0}x", policy: policy,
                                          audit: F.draft(.policySet))
            }
            try require(try await F.environment(store, "acme/checkout", "production").policy != policy, "production untouched")
            let found = try? await store.candidate(project: "acme/checkout", tag: "2.4.0-rc.1\u{0}x")
            try require(found == nil, "a lookup with NUL does not find \(c[0].tag)")
            try require(try await F.auditLog(store) == before, "nothing appended")
        },
        Case("one project's entries are read on their own, in order, after a seq, at most a limit") { h in
            let store = try await h.makeStore()
            var drafts: [AuditDraft] = []
            for i in 0..<30 { drafts.append(F.draft(.blobStored, project: i % 3 == 0 ? "acme/a" : "acme/b", subject: "e\(i)")) }
            try await store.appendAudit(drafts)
            let a = try await store.auditEntries(project: "acme/a", after: 0, limit: 100)
            try require(a.count == 10 && a.allSatisfy { $0.project == "acme/a" }, "ten entries, all of acme/a: \(a.count)")
            try require(a.map(\.seq) == a.map(\.seq).sorted(), "in sequence order")
            let page = try await store.auditEntries(project: "acme/a", after: a[3].seq, limit: 4)
            try require(page.map(\.seq) == Array(a[4..<8]).map(\.seq), "after a seq, at most the limit")
            try require(try await store.auditEntries(project: "acme/none", after: 0, limit: 10).isEmpty, "none of another project")
        },
        Case("the stored Merkle nodes give the root and proofs of every size, whatever the batches") { h in
            let store = try await h.makeStore()
            var leaves: [MerkleTree.Hash] = []
            for batch in [1, 3, 1, 7, 2, 16, 5] {
                let entries = try await store.appendAudit((0..<batch).map { F.draft(.blobStored, subject: "b\($0)") })
                leaves += entries.map(TransparencyLog.leafHash)
                try require(try await store.auditSize() == Int64(leaves.count), "the size is the last seq")
                let root = try await MerkleNodes.root(size: Int64(leaves.count), from: store)
                try require(root == MerkleTree.root(leaves), "the root of \(leaves.count) entries")
            }
            for size in [1, 5, 17, 35] {
                let proof = try await MerkleNodes.inclusionProof(index: 3 % Int64(size), size: Int64(size), from: store)
                try require(proof == MerkleTree.inclusionProof(index: 3 % size, Array(leaves.prefix(size))), "a proof in the tree of \(size)")
            }
        },
        tamperCase("an edited entry is reported at its seq", .edit(seq: 3)) { breaks in
            breaks.first?.seq == 3 && breaks.first?.problem.contains("edited") == true
        },
        tamperCase("a deleted entry is reported at the entry after the gap", .delete(seq: 3)) { breaks in
            breaks.first?.seq == 4 && breaks.first?.problem.contains("3…3 are missing") == true
        },
        tamperCase("swapped entries are reported", .swap(2, 4)) { breaks in
            breaks.first?.seq == 2 && breaks.contains { $0.seq == 4 }
        },
        Case("mutations that fail append no audit entry") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 1)
            let before = try await F.auditLog(store)
            let stale = DeploymentDraft(to: c[0].digest, kind: .promote, actor: "x", at: F.at(9), reason: nil, overridden: [])
            let failing: [(String, @Sendable () async throws -> Void)] = [
                ("createProject", { try await store.createProject(F.project(), environments: [], audit: F.draft(.projectCreated)) }),
                ("updateProject", { try await store.updateProject(F.project("ghost/p"), audit: F.draft(.projectUpdated)) }),
                ("setPolicy", { try await store.setPolicy(project: "acme/checkout", environment: "qa", policy: .init(), audit: F.draft(.policySet)) }),
                ("insertCandidate", { try await store.insertCandidate(c[0], audit: [F.draft(.candidateCreated), F.draft(.tagSet)]) }),
                ("movePointer", { _ = try await store.movePointer(project: "acme/checkout", environment: "staging", expectedGeneration: 7,
                                                                  draft: stale, audit: [F.draft(.promotion), F.draft(.policyOverride)]) }),
            ]
            for (name, body) in failing {
                do {
                    try await body()
                    throw ConformanceFailure("\(name) was expected to fail")
                } catch is HangarError {}
            }
            try require(try await F.auditLog(store) == before, "the log is as it was")
        },
    ]

    /// Appends five entries, applies `action` behind the store's back, and requires
    /// `AuditChain.verify` over what the store then returns to report breaks satisfying `expected`.
    private static func tamperCase(_ name: String, _ action: TamperAction,
                                   _ expected: @escaping @Sendable ([AuditChain.Break]) -> Bool) -> Case {
        Case(name) { h in
            let store = try await h.makeStore()
            try await store.appendAudit((1...5).map { F.draft(.blobStored, subject: "blob \($0)", at: F.at(Double($0))) })
            try require(AuditChain.verify(try await F.auditLog(store), after: nil).isEmpty, "intact before tampering")
            try await h.tamper(store, action)
            let breaks = AuditChain.verify(try await F.auditLog(store), after: nil)
            try require(!breaks.isEmpty, "\(action) was not detected")
            try require(expected(breaks), "\(action) reported as \(breaks)")
        }
    }
}
