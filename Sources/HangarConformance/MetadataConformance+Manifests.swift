import Foundation
import HangarCore

private typealias F = MetadataFixtures

extension MetadataStoreConformance {
    static let manifestCases: [Case] = [
        Case("a manifest is recorded once: putting the same digest again is a no-op") { h in
            let store = try await h.makeStore()
            try await F.seed(store)
            let m = F.manifest("app", at: F.at(1))
            try await store.putManifest(m, tag: nil, audit: [F.draft(.manifestPushed, subject: m.digest.description)])
            var again = m
            again.createdAt = F.at(50)
            again.annotations = ["changed": "yes"]
            try await store.putManifest(again, tag: nil, audit: [F.draft(.manifestPushed, subject: m.digest.description)])
            try require(try await store.manifest(project: m.project, digest: m.digest) == m, "the first record is kept exactly")
            try require(try await store.manifest(project: "zeta/api", digest: m.digest) == nil, "manifests are per project")
            try require(try await store.manifest(project: m.project, digest: F.digest("none")) == nil, "absent digest is nil")
            try await F.requireAudit(store, count: 3, endingWith: [.manifestPushed, .manifestPushed])
        },
        Case("a plain tag is set with its manifest and moves to another") { h in
            let store = try await h.makeStore()
            try await F.seed(store)
            let (m1, m2) = (F.manifest("one", at: F.at(1)), F.manifest("two", at: F.at(2)))
            try await store.putManifest(m1, tag: F.tag("latest", m1, at: F.at(1)), audit: [F.draft(.manifestPushed), F.draft(.tagSet)])
            try require(try await store.tag(project: m1.project, name: "latest") == F.tag("latest", m1, at: F.at(1)), "latest names one")
            let moved = F.tag("latest", m2, at: F.at(2), by: "bob")
            try await store.putManifest(m2, tag: moved, audit: [F.draft(.manifestPushed), F.draft(.tagSet)])
            try require(try await store.tag(project: m1.project, name: "latest") == moved, "latest moved to two, by bob")
            try require(try await store.manifest(project: m1.project, digest: m1.digest) == m1, "one is still recorded")
            try require(try await store.tag(project: m1.project, name: "stable") == nil, "an absent tag is nil")
            try require(try await store.tag(project: "zeta/api", name: "latest") == nil, "tags are per project")
            try await F.requireAudit(store, count: 5, endingWith: [.manifestPushed, .tagSet, .manifestPushed, .tagSet])
        },
        Case("tags are listed by name, after a name, at most a limit") { h in
            let store = try await h.makeStore()
            try await F.seed(store)
            try await F.seed(store, project: "zeta/api")
            let m = F.manifest("app")
            for name in ["v1.0", "b", "latest", "A", "a", "_x"] {
                try await store.putManifest(m, tag: F.tag(name, m), audit: [F.draft(.tagSet, subject: name)])
            }
            let other = F.manifest("other", project: "zeta/api")
            try await store.putManifest(other, tag: F.tag("aa", other), audit: [F.draft(.tagSet, project: "zeta/api")])
            func names(_ after: String?, _ limit: Int?) async throws -> [String] {
                try await store.tags(project: "acme/checkout", after: after, limit: limit).map(\.tag)
            }
            try require(try await names(nil, nil) == ["A", "_x", "a", "b", "latest", "v1.0"], "all, in byte order")
            try require(try await names(nil, 2) == ["A", "_x"], "first page")
            try require(try await names("_x", 2) == ["a", "b"], "second page")
            try require(try await names("b", 2) == ["latest", "v1.0"], "last page")
            try require(try await names("v1.0", 2).isEmpty, "nothing after the last")
            try require(try await names("aa", nil) == ["b", "latest", "v1.0"], "after a name that is not a tag")
            try require(try await names(nil, 0).isEmpty, "a limit of 0 gives nothing")
            try require(try await store.tags(project: "zeta/api", after: nil, limit: nil).map(\.tag) == ["aa"], "per project")
        },
        Case("referrers are the manifests whose subject is the digest, oldest first") { h in
            let store = try await h.makeStore()
            try await F.seed(store)
            try await F.seed(store, project: "zeta/api")
            let base = F.manifest("base", at: F.at(1))
            let signature = F.manifest("signature", subject: base.digest, at: F.at(5))
            let sbom = F.manifest("sbom", subject: base.digest, at: F.at(3))
            let unrelated = F.manifest("unrelated", subject: F.digest("elsewhere"), at: F.at(4))
            let foreign = F.manifest("foreign", project: "zeta/api", subject: base.digest, at: F.at(2))
            for m in [base, signature, sbom, unrelated, foreign] {
                try await store.putManifest(m, tag: nil, audit: [F.draft(.manifestPushed, project: m.project)])
            }
            try require(try await store.referrers(project: "acme/checkout", subject: base.digest) == [sbom, signature],
                        "sbom then signature (by creation time), not unrelated or another project's")
            try require(try await store.referrers(project: "acme/checkout", subject: signature.digest).isEmpty, "none")
            try require(try await store.referrers(project: "zeta/api", subject: base.digest) == [foreign], "per project")
        },
        Case("deleting a manifest removes it, its references and every tag naming it") { h in
            let store = try await h.makeStore()
            try await F.seed(store)
            let (m1, m2) = (F.manifest("one"), F.manifest("two"))
            try await store.putManifest(m1, tag: F.tag("a", m1), audit: [F.draft(.manifestPushed)])
            try await store.putManifest(m1, tag: F.tag("b", m1), audit: [F.draft(.tagSet)])
            try await store.putManifest(m2, tag: F.tag("c", m2), audit: [F.draft(.manifestPushed)])
            try await store.deleteManifest(project: m1.project, digest: m1.digest, audit: F.draft(.manifestDeleted))
            try require(try await store.manifest(project: m1.project, digest: m1.digest) == nil, "one is gone")
            try require(try await store.tags(project: m1.project, after: nil, limit: nil).map(\.tag) == ["c"], "only c is left")
            try require(try await store.manifest(project: m2.project, digest: m2.digest) == m2, "two is kept")
            try require(!(try await store.isBlobLinked(project: m1.project, digest: m1.references[0])), "one's config no longer linked")
            try require(try await store.isBlobLinked(project: m2.project, digest: m2.references[0]), "two's config still linked")
            let e = try await requireThrows(.notFound, "deleting an absent manifest") {
                try await store.deleteManifest(project: m1.project, digest: m1.digest, audit: F.draft(.manifestDeleted))
            }
            try require(e.message.contains(m1.digest.description), "names the digest: \(e.message)")
            try await F.requireAudit(store, count: 5, endingWith: [.manifestPushed, .tagSet, .manifestPushed, .manifestDeleted])
        },
        Case("a manifest a candidate names as an artifact is never deleted, and nothing changes") { h in
            let store = try await h.makeStore()
            try await F.seed(store)
            let image = F.manifest("image")
            try await store.putManifest(image, tag: F.tag("web-b1", image), audit: [F.draft(.manifestPushed)])
            var candidate = F.candidate(rc: 1)
            candidate.artifacts[0] = ArtifactRecord(name: "web", digest: image.digest, size: image.size, mediaType: image.mediaType)
            try await store.insertCandidate(candidate, audit: [F.draft(.candidateCreated)])
            let e = try await requireThrows(.denied, "deleting a candidate's image") {
                try await store.deleteManifest(project: image.project, digest: image.digest, audit: F.draft(.manifestDeleted))
            }
            try require(e.message.contains("'web'") && e.message.contains(candidate.tag), "names the artifact and candidate: \(e.message)")
            try require(try await store.manifest(project: image.project, digest: image.digest) == image, "still there")
            try require(try await store.tags(project: image.project, after: nil, limit: nil).map(\.tag) == ["web-b1"], "its tag too")
            try await F.requireAudit(store, count: 3, endingWith: [.manifestPushed, .candidateCreated])
        },
        Case("deleting a tag removes only the tag, and an absent tag is not found") { h in
            let store = try await h.makeStore()
            try await F.seed(store)
            let m = F.manifest("one")
            try await store.putManifest(m, tag: F.tag("a", m), audit: [F.draft(.manifestPushed)])
            try await store.putManifest(m, tag: F.tag("b", m), audit: [F.draft(.tagSet)])
            try await store.deleteTag(project: m.project, name: "a", audit: F.draft(.tagDeleted, subject: "a"))
            try require(try await store.tags(project: m.project, after: nil, limit: nil).map(\.tag) == ["b"], "only b is left")
            try require(try await store.manifest(project: m.project, digest: m.digest) == m, "the manifest stays")
            _ = try await requireThrows(.notFound, "deleting an absent tag") {
                try await store.deleteTag(project: m.project, name: "a", audit: F.draft(.tagDeleted, subject: "a"))
            }
            try await F.requireAudit(store, count: 4, endingWith: [.manifestPushed, .tagSet, .tagDeleted])
        },
        Case("blobs belong to a project by upload, by a manifest's references and by its candidates") { h in
            let store = try await h.makeStore()
            let candidates = try await F.seed(store, candidates: 1)
            let zeta = try await F.seed(store, project: "zeta/api", candidates: 1)
            let uploaded = F.digest("uploaded blob")
            try await store.linkBlobs(project: "acme/checkout", [F.link(uploaded)])
            try await store.linkBlobs(project: "acme/checkout", [F.link(uploaded)])
            let m = F.manifest("app")
            try await store.putManifest(m, tag: nil, audit: [F.draft(.manifestPushed)])
            func linked(_ d: Digest, _ project: String = "acme/checkout") async throws -> Bool {
                try await store.isBlobLinked(project: project, digest: d)
            }
            try require(try await linked(uploaded), "an uploaded blob, linked twice without error")
            try require(!(try await linked(uploaded, "zeta/api")), "not linked to another project")
            try require(try await linked(m.references[2]), "a layer of a pushed manifest")
            try require(!(try await linked(m.references[2], "zeta/api")), "not another project's manifest's layer")
            try require(try await linked(candidates[0].configDigest), "a candidate's config")
            try require(try await candidates[0].artifacts.asyncAll { try await linked($0.digest) }, "a candidate's artifacts")
            try require(!(try await linked(zeta[0].artifacts[0].digest)), "not another project's candidate's artifact")
            try require(!(try await linked(F.digest("never seen"))), "an unknown blob")
            try await requireThrows(.notFound, "linking to an unknown project") {
                try await store.linkBlobs(project: "ghost/project", [F.link(uploaded)])
            }
        },
        Case("a candidate's manifest is answered from its row; it is no referrer and has no plain tag") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 1)[0]
            let expected = ManifestRecord(
                project: c.project, digest: c.digest, mediaType: MediaType.ociManifest, artifactType: MediaType.candidate,
                size: c.manifestSize, subject: nil, annotations: [:],
                references: [c.configDigest] + c.artifacts.map(\.digest), createdAt: c.createdAt)
            try require(try await store.manifest(project: c.project, digest: c.digest) == expected, "made from the candidate")
            try require(try await store.manifest(project: "zeta/api", digest: c.digest) == nil, "not in another project")
            try require(try await store.tag(project: c.project, name: c.tag) == nil, "the candidate tag is not a plain tag")
            try require(try await store.tags(project: c.project, after: nil, limit: nil).isEmpty, "no plain tags")
            try await store.putManifest(expected, tag: F.tag(c.tag, expected), audit: [F.draft(.tagSet, subject: c.tag)])
            try require(try await store.tag(project: c.project, name: c.tag)?.digest == c.digest,
                        "the candidate's own tag may name the candidate")
        },
        Case("a refused manifest put records nothing: unknown project, environment or candidate tag, mismatched tag") { h in
            let store = try await h.makeStore()
            let c = try await F.seed(store, candidates: 1)[0]
            let before = try await F.auditLog(store)
            let m = F.manifest("app")
            let ghost = F.manifest("ghost", project: "ghost/project")
            try await requireThrows(.notFound, "unknown project") {
                try await store.putManifest(ghost, tag: F.tag("latest", ghost), audit: [F.draft(.manifestPushed)])
            }
            let e1 = try await requireThrows(.conflict, "a tag named as an environment") {
                try await store.putManifest(m, tag: F.tag("production", m), audit: [F.draft(.manifestPushed)])
            }
            try require(e1.message.contains("production"), "names the tag: \(e1.message)")
            let e2 = try await requireThrows(.conflict, "moving a candidate tag") {
                try await store.putManifest(m, tag: F.tag(c.tag, m), audit: [F.draft(.manifestPushed)])
            }
            try require(e2.message.contains(c.tag), "names the tag: \(e2.message)")
            try await requireThrows(.invalidInput, "a tag of another digest") {
                try await store.putManifest(m, tag: F.tag("latest", F.manifest("other")), audit: [F.draft(.manifestPushed)])
            }
            try require(try await store.manifest(project: m.project, digest: m.digest) == nil, "the manifest was not recorded")
            try require(try await store.tags(project: m.project, after: nil, limit: nil).isEmpty, "no tag was set")
            try require(try await F.auditLog(store) == before, "nothing audited")
        },
    ]
}

extension Sequence {
    /// Whether `predicate` holds for every element, awaiting each in turn.
    func asyncAll(_ predicate: (Element) async throws -> Bool) async rethrows -> Bool {
        for element in self where !(try await predicate(element)) { return false }
        return true
    }
}
