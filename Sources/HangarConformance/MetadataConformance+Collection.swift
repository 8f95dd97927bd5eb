import Foundation
import HangarCore

private typealias F = MetadataFixtures

extension MetadataStoreConformance {
    /// What the garbage collector asks of a store: rules, collected candidates, manifest
    /// removal and blob deletions that check again in their own transaction.
    static let collectionCases: [Case] = [
        Case("retention rules are stored per project and audited; absent ones are nil") { h in
            let store = try await h.makeStore()
            try await F.seed(store)
            try require(try await store.retentionRules(project: "acme/checkout") == nil, "none set")
            let rules = RetentionRules(rollbackDepth: 2, releases: nil, supersededAfterSeconds: 3600, untaggedAfterSeconds: 60)
            try await store.setRetentionRules(project: "acme/checkout", rules, audit: F.draft(.retentionSet))
            try require(try await store.retentionRules(project: "acme/checkout") == rules, "read back")
            try await requireThrows(.notFound, "rules of a project that does not exist") {
                try await store.setRetentionRules(project: "nope/none", rules, audit: F.draft(.retentionSet, project: "nope/none"))
            }
            try await F.requireAudit(store, count: 2, endingWith: [.retentionSet])
        },
        Case("a blob deletion begins only when nothing refers to it, and refuses links until it finishes") { h in
            let store = try await h.makeStore()
            let made = try await F.seed(store, candidates: 1)
            let old = F.digest("old upload"), fresh = F.digest("fresh upload")
            try await store.linkBlobs(project: "acme/checkout", [F.link(old, at: 1), F.link(fresh, at: 100)])
            let since = F.at(50)
            try require(!(try await store.beginBlobDeletion(fresh, since: since, at: F.at(150))), "linked after since: kept")
            try require(!(try await store.beginBlobDeletion(made[0].artifacts[0].digest, since: since, at: F.at(150))), "a candidate's artifact: kept")
            try require(!(try await store.beginBlobDeletion(made[0].digest, since: since, at: F.at(150))), "a candidate's manifest: kept")
            try require(try await store.beginBlobDeletion(old, since: since, at: F.at(150)), "an old, unreferenced link: goes")
            try require(try await store.pendingBlobDeletions() == [old], "recorded as begun")
            try require(!(try await store.isBlobLinked(project: "acme/checkout", digest: old)), "its link is gone")
            let e = try await requireThrows(.unavailable, "linking a blob being deleted") {
                try await store.linkBlobs(project: "acme/checkout", [F.link(old, at: 200)])
            }
            try require(e.message.contains("upload it again"), "says what to do: \(e.message)")
            try await requireThrows(.unavailable, "pushing a manifest that names it") {
                var m = F.manifest("late")
                m.references.append(old)
                try await store.putManifest(m, tag: nil, audit: [F.draft(.manifestPushed)])
            }
            try await store.finishBlobDeletion(old, at: F.at(151))
            try require(try await store.pendingBlobDeletions().isEmpty, "finished")
            // A writer that found the bytes just before they went: still told to upload again.
            try await requireThrows(.unavailable, "linking a blob whose deletion began a moment ago") {
                try await store.linkBlobs(project: "acme/checkout", [F.link(old, at: 160)])
            }
            try await store.pruneBlobDeletions(before: F.at(100))
            try await requireThrows(.unavailable, "pruning keeps recent deletions") {
                try await store.linkBlobs(project: "acme/checkout", [F.link(old, at: 160)])
            }
            try await store.linkBlobs(project: "acme/checkout", [F.link(old, at: 300)])
            try require(try await store.isBlobLinked(project: "acme/checkout", digest: old), "linked again after the bytes went")
        },
        Case("a collected candidate stays a record, frees its blobs, and can no longer be moved to") { h in
            let store = try await h.makeStore()
            let made = try await F.seed(store, candidates: 2)
            try await F.move(store, environment: "sandbox", to: made[1].digest, at: F.at(10))
            let records = made.map { CollectedCandidate(project: $0.project, digest: $0.digest, tag: $0.tag, at: F.at(20), rule: "test") }
            let inUse = try await store.recordCollected(records, since: F.at(5))
            try require(inUse == [made[1].digest], "the candidate sandbox runs is not collected: \(inUse)")
            try require(try await store.collectedCandidates(project: "acme/checkout").map(\.digest) == [made[0].digest], "rc.1 recorded")
            try require(try await store.candidate(project: "acme/checkout", tag: made[0].tag) == made[0], "its record stays")
            let needed = try await store.referencedBlobs()
            try require(needed[made[0].artifacts[0].digest] == nil && needed[made[0].digest] == nil, "its blobs are no longer needed")
            try require(needed[made[1].artifacts[0].digest] != nil, "rc.2's still are")
            try require(try await store.beginBlobDeletion(made[0].artifacts[0].digest, since: F.at(5), at: F.at(21)), "its artifact may go now")
            try await store.finishBlobDeletion(made[0].artifacts[0].digest, at: F.at(22))
            let e = try await requireThrows(.notFound, "moving to a collected candidate") {
                let env = try await F.environment(store, "acme/checkout", "staging")
                _ = try await store.movePointer(project: "acme/checkout", environment: "staging", expectedGeneration: env.generation,
                                                draft: DeploymentDraft(to: made[0].digest, kind: .promote, actor: "a", at: F.at(30), reason: nil, overridden: []),
                                                audit: [F.draft(.promotion, subject: "staging")])
            }
            try require(e.message.contains("collected"), "says so: \(e.message)")
        },
        Case("an untagged manifest record goes only when nothing names it and it was not pushed since") { h in
            let store = try await h.makeStore()
            try await F.seed(store)
            let (lone, tagged, index) = (F.manifest("lone", at: F.at(1)), F.manifest("tagged", at: F.at(1)), F.manifest("index", at: F.at(1)))
            var child = F.manifest("child", at: F.at(1))
            child.references = [F.digest("child layer")]
            var parent = index
            parent.references = [child.digest]
            try await store.putManifest(lone, tag: nil, audit: [F.draft(.manifestPushed)])
            try await store.putManifest(tagged, tag: F.tag("keep", tagged), audit: [F.draft(.manifestPushed)])
            try await store.putManifest(child, tag: nil, audit: [F.draft(.manifestPushed)])
            try await store.putManifest(parent, tag: nil, audit: [F.draft(.manifestPushed)])
            try require(!(try await store.collectManifest(project: "acme/checkout", digest: tagged.digest, since: F.at(50))), "tagged: kept")
            try require(!(try await store.collectManifest(project: "acme/checkout", digest: child.digest, since: F.at(50))), "listed by an index: kept")
            try require(!(try await store.collectManifest(project: "acme/checkout", digest: lone.digest, since: F.at(0))), "pushed since: kept")
            try require(try await store.collectManifest(project: "acme/checkout", digest: parent.digest, since: F.at(50)), "the index goes")
            try require(try await store.collectManifest(project: "acme/checkout", digest: child.digest, since: F.at(50)), "then its child")
            try require(try await store.collectManifest(project: "acme/checkout", digest: lone.digest, since: F.at(50)), "the lone one")
            try require(try await store.manifests(project: "acme/checkout").map(\.digest) == [tagged.digest], "only the tagged one is left")
            try require(!(try await store.collectTag(project: "acme/checkout", name: "keep", digest: lone.digest, since: F.at(50))),
                        "a tag that names another manifest now stays")
            try require(!(try await store.collectTag(project: "acme/checkout", name: "keep", digest: tagged.digest, since: F.at(-10))),
                        "a tag moved since stays")
            try require(try await store.collectTag(project: "acme/checkout", name: "keep", digest: tagged.digest, since: F.at(50)), "an old tag goes")
            try require(try await store.tags(project: "acme/checkout", after: nil, limit: nil).isEmpty, "no tags left")
        },
    ]
}
