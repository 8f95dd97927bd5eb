import Foundation
import HangarCore

private typealias F = MetadataFixtures

extension MetadataStoreConformance {
    static let candidateCases: [Case] = [
        Case("a candidate is found by tag and by digest with its artifacts in order") { h in
            let store = try await h.makeStore()
            let made = try await F.seed(store, candidates: 2)
            try require(made[1].parent == made[0].digest && !made[1].cherryPicks.isEmpty, "fixture has a parent and picks")
            for c in made {
                try require(try await store.candidate(project: c.project, tag: c.tag) == c, "\(c.tag) by tag")
                try require(try await store.candidate(project: c.project, digest: c.digest) == c, "\(c.tag) by digest")
            }
            let got = try await store.candidate(project: "acme/checkout", tag: "2.4.0-rc.2")
            try require(got?.artifacts.map(\.name) == ["web", "api", "migrations"], "artifacts in the order given")
            try require(try await store.candidate(project: "acme/checkout", tag: "9.9.9-rc.1") == nil, "absent tag is nil")
            try require(try await store.candidate(project: "acme/checkout", digest: F.digest("nothing")) == nil,
                        "absent digest is nil")
            try require(try await store.candidate(project: "zeta/api", tag: "2.4.0-rc.1") == nil, "tags are per project")
            let log = try await F.auditLog(store)
            try require(log.map(\.subject) == ["acme/checkout", "2.4.0-rc.1", "2.4.0-rc.2"], "one entry per candidate")
        },
        Case("candidates are listed oldest first, all or of one version") { h in
            let store = try await h.makeStore()
            try await F.seed(store)
            let order: [(String, Int)] = [("2.4.0", 1), ("2.5.0", 1), ("2.4.0", 2), ("2.5.0", 2), ("2.4.0", 3)]
            var made: [CandidateRecord] = []
            for (i, (version, rc)) in order.enumerated() {
                let c = F.candidate(version: version, rc: rc, at: F.at(Double(10 * (i + 1))))
                try await store.insertCandidate(c, audit: [F.draft(.candidateCreated, subject: c.tag)])
                made.append(c)
            }
            try require(try await store.candidates(project: "acme/checkout", version: nil) == made, "all, oldest first")
            let v240 = try await store.candidates(project: "acme/checkout", version: "2.4.0")
            try require(v240.map(\.tag) == ["2.4.0-rc.1", "2.4.0-rc.2", "2.4.0-rc.3"], "one version: \(v240.map(\.tag))")
            try require(try await store.candidates(project: "acme/checkout", version: "3.0.0").isEmpty, "unknown version")
            try require(try await store.candidates(project: "zeta/api", version: nil).isEmpty, "other project")
        },
        Case("a tag never moves: recording an existing tag again is a conflict") { h in
            let store = try await h.makeStore()
            let original = try await F.seed(store, candidates: 1)[0]
            var moved = F.candidate(rc: 1, at: F.at(50))
            moved.digest = F.digest("a different manifest")
            let e = try await requireThrows(.conflict, "same tag, other digest") {
                try await store.insertCandidate(moved, audit: [F.draft(.candidateCreated, subject: moved.tag)])
            }
            try require(e.message.contains("2.4.0-rc.1") && e.message.contains("acme/checkout"), "names tag and project: \(e.message)")
            try require(try await store.candidate(project: "acme/checkout", tag: "2.4.0-rc.1") == original, "tag still names the original")
            try require(try await store.candidate(project: "acme/checkout", digest: moved.digest) == nil, "new digest not recorded")
            try require(try await F.auditLog(store).count == 2, "no audit entry for the refused insert")
        },
        Case("a second candidate for the same rc of a version is a conflict") { h in
            let store = try await h.makeStore()
            try await F.seed(store, candidates: 1)
            var twin = F.candidate(rc: 1, at: F.at(50))
            twin.tag = "2.4.0-rc.1-again"
            twin.digest = F.digest("twin manifest")
            let e = try await requireThrows(.conflict, "same version and rc") {
                try await store.insertCandidate(twin, audit: [F.draft(.candidateCreated, subject: twin.tag)])
            }
            try require(e.message.contains("2.4.0") && e.message.contains("acme/checkout"), "names version and project: \(e.message)")
            try require(try await store.candidates(project: "acme/checkout", version: "2.4.0").count == 1, "one rc.1")
            try require(try await F.auditLog(store).count == 2, "no audit entry for the refused insert")
        },
        Case("the same manifest cannot be recorded under two tags of a project") { h in
            let store = try await h.makeStore()
            let first = try await F.seed(store, candidates: 1)[0]
            var copy = F.candidate(rc: 2, at: F.at(50))
            copy.digest = first.digest
            try await requireThrows(.conflict, "same digest, new tag") {
                try await store.insertCandidate(copy, audit: [F.draft(.candidateCreated, subject: copy.tag)])
            }
            try require(try await store.candidate(project: "acme/checkout", tag: "2.4.0-rc.2") == nil, "rc.2 not recorded")
            try require(try await store.candidate(project: "acme/checkout", digest: first.digest) == first, "digest still rc.1")
        },
        Case("a candidate of an unknown project is not found") { h in
            let store = try await h.makeStore()
            let c = F.candidate("ghost/project", rc: 1)
            let e = try await requireThrows(.notFound, "candidate of a missing project") {
                try await store.insertCandidate(c, audit: [F.draft(.candidateCreated, project: "ghost/project", subject: c.tag)])
            }
            try require(e.message.contains("ghost/project"), "names the project: \(e.message)")
            try require(try await F.auditLog(store).isEmpty, "nothing audited")
        },
    ]
}
