import Foundation
import HangarCore

private typealias F = MetadataFixtures

extension MetadataStoreConformance {
    static let referenceCases: [Case] = [
        Case("every blob the metadata refers to is listed, with the size recorded for it where there is one") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 1)
            let envelope = F.digest("statement of the move")
            let d = DeploymentDraft(to: c[0].digest, kind: .promote, actor: "alice", at: F.at(1), reason: nil, overridden: [])
            _ = try await store.movePointer(project: "acme/checkout", environment: "sandbox", expectedGeneration: 0, draft: d,
                                            audit: [F.draft(.promotion, subject: "sandbox", details: ["envelope": envelope.description])])
            let m = F.manifest("image")
            try await store.putManifest(m, tag: F.tag("latest", m), audit: [F.draft(.manifestPushed, subject: m.digest.description)])
            let linked = F.digest("a pushed layer")
            try await store.linkBlobs(project: "acme/checkout", [F.link(linked)])
            let refs = try await store.referencedBlobs()
            for a in c[0].artifacts { try require(refs[a.digest] == .some(a.size), "artifact \(a.name) with its size") }
            try require(refs[c[0].digest] == .some(c[0].manifestSize), "the candidate manifest with its size")
            try require(refs[c[0].configDigest] != nil, "the candidate config")
            try require(refs[m.digest] == .some(m.size), "a pushed manifest with its size")
            for r in m.references { try require(refs[r] != nil, "what the manifest references") }
            try require(refs[linked] != nil, "a blob linked into a repository")
            try require(refs[envelope] != nil, "the signed statement of a move")
            try require(refs.count == 3 + 2 + 1 + 3 + 1 + 1, "nothing else: \(refs.count)")
        },
        Case("a move's signed statement is kept with it, in its transaction, and is no blob reference") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 2)
            let statement = Array("signed statement of the move".utf8)
            let digest = SHA256Hasher.digest(statement)
            let d = DeploymentDraft(to: c[0].digest, kind: .promote, actor: "alice", at: F.at(1), reason: nil, overridden: [],
                                    statement: statement)
            let moved = try await store.movePointer(project: "acme/checkout", environment: "sandbox", expectedGeneration: 0, draft: d,
                                                    audit: [F.draft(.promotion, subject: "sandbox", details: ["envelope": digest.description])])
            try require(try await store.moveStatement(project: "acme/checkout", deploymentID: moved.id) == statement, "read back whole")
            try require(try await store.moveStatement(project: "zeta/api", deploymentID: moved.id) == nil, "not another project's")
            var lost = d
            lost.to = c[1].digest
            lost.statement = Array("a statement that must not be kept".utf8)
            try await requireThrows(.conflict, "a stale generation") {
                _ = try await store.movePointer(project: "acme/checkout", environment: "sandbox", expectedGeneration: 0, draft: lost,
                                                audit: [F.draft(.promotion, subject: "sandbox")])
            }
            try require(try await store.deployments(project: "acme/checkout", environment: nil, before: nil, limit: nil).count == 1,
                        "the lost move left nothing")
            try require(try await store.referencedBlobs()[digest] == nil, "a statement kept with its move is no blob the store must keep")
        },
    ]
}
