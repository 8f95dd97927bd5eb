import Foundation
import HangarCore

private typealias F = MetadataFixtures

extension MetadataStoreConformance {
    /// Units of work: compound changes recorded whole or not at all, on one handle or racing on two.
    static let unitCases: [Case] = [
        Case("a unit of work records a candidate, its provenance manifest, blob links and audit entries together") { h in
            let store = try await h.makeStore()
            _ = try await F.seed(store)
            let c = F.candidate(rc: 1)
            let provenance = F.manifest("provenance", subject: c.digest)
            let link = F.link(F.digest("envelope"))
            try await store.apply(UnitOfWork(
                [.insertCandidate(c), .putManifest(provenance, tag: nil), .linkBlobs(project: c.project, [link])],
                audit: [F.draft(.candidateCreated, subject: c.tag), F.draft(.manifestPushed, subject: provenance.digest.description)]))
            try require(try await store.candidate(project: c.project, tag: c.tag) == c, "the candidate")
            try require(try await store.referrers(project: c.project, subject: c.digest) == [provenance], "its provenance, as a referrer")
            try require(try await store.isBlobLinked(project: c.project, digest: link.digest), "the linked blob")
            try await F.requireAudit(store, count: 3, endingWith: [.candidateCreated, .manifestPushed])
        },
        Case("a unit of work whose last change fails leaves nothing: no candidate, no manifest, no link, no audit entry") { h in
            let store = try await h.makeStore()
            _ = try await F.seed(store)
            let c = F.candidate(rc: 1)
            let pushed = F.manifest("image")
            let link = F.link(F.digest("layer"))
            try await requireThrows(.conflict, "a tag named after an environment, last in the unit") {
                try await store.apply(UnitOfWork(
                    [.insertCandidate(c), .linkBlobs(project: c.project, [link]), .putManifest(pushed, tag: F.tag("production", pushed))],
                    audit: [F.draft(.candidateCreated, subject: c.tag), F.draft(.manifestPushed)]))
            }
            try require(try await store.candidate(project: c.project, tag: c.tag) == nil, "no candidate")
            try require(try await store.manifest(project: c.project, digest: pushed.digest) == nil, "no manifest")
            try require(!(try await store.isBlobLinked(project: c.project, digest: link.digest)), "no link")
            try await F.requireAudit(store, count: 1, endingWith: [.projectCreated])
        },
        Case("the same candidate tag cut with provenance on two handles at once: one whole unit, nothing of the other") { h in
            let first = try await h.makeStore()
            let second = try await h.secondHandle(first)
            _ = try await F.seed(first)
            func unit(_ build: String) -> (CandidateRecord, ManifestRecord, UnitOfWork) {
                var c = F.candidate(rc: 1)
                c.digest = F.digest(build)
                let p = F.manifest("provenance of \(build)", subject: c.digest)
                return (c, p, UnitOfWork([.insertCandidate(c), .putManifest(p, tag: nil)],
                                         audit: [F.draft(.candidateCreated, subject: build), F.draft(.manifestPushed, subject: build)]))
            }
            let (a, pa, ua) = unit("build a"), (b, pb, ub) = unit("build b")
            async let one = Result { try await first.apply(ua) }
            async let two = Result { try await second.apply(ub) }
            let outcomes = [await one, await two]
            let failures = outcomes.compactMap { if case .failure(let e) = $0 { e as? HangarError } else { nil } }
            try require(failures.count == 1 && failures[0].kind == .conflict, "one conflict: \(failures)")
            let won = try await second.candidate(project: "acme/checkout", tag: a.tag)
            let (winner, loser) = won?.digest == a.digest ? (pa, pb) : (pb, pa)
            try require(won?.digest == a.digest || won?.digest == b.digest, "one of them is the candidate")
            try require(try await first.manifest(project: "acme/checkout", digest: winner.digest) != nil, "the winner's provenance")
            try require(try await first.manifest(project: "acme/checkout", digest: loser.digest) == nil, "none of the loser's")
            try await F.requireAudit(first, count: 3, endingWith: [.candidateCreated, .manifestPushed])
        },
        Case("deleting a manifest names, in its audit entry, every tag it removed, read in the same transaction") { h in
            let store = try await h.makeStore()
            _ = try await F.seed(store)
            let m = F.manifest("image")
            try await store.putManifest(m, tag: F.tag("b", m), audit: [F.draft(.manifestPushed)])
            try await store.putManifest(m, tag: F.tag("a", m), audit: [F.draft(.tagSet)])
            try await store.deleteManifest(project: m.project, digest: m.digest, audit: F.draft(.manifestDeleted, subject: m.digest.description))
            let last = try await F.auditLog(store).last
            try require(last?.details["tags"] == "a,b", "the tags removed: \(last?.details ?? [:])")
            try require(try await store.tags(project: m.project, after: nil, limit: nil).isEmpty, "no tag left")
        },
    ]
}
