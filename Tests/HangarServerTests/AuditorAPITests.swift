import Foundation
import HangarCore
import Testing
@testable import HangarServer

/// Checkpoints, proofs, time travel, verification and evidence over the native API,
/// for the auditor role only.
@Suite struct AuditorAPITests {
    let p = "/api/v1/projects/\(ServerFixture.project)/-"

    @Test func anAuditorGetsCheckpointsProofsAndAnEvidenceBundleThatVerifiesOffline() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let rc1 = try await c.cut("one")
            for env in ["sandbox", "staging", "production"] { try await c.promote(rc1.tag, to: env) }
            let key = try SigningKey.load(pem: try await c.send(.get, "/api/v1/audit/key", as: "auditor").text, source: "key")
            let cp = try await c.send(.get, "/api/v1/audit/checkpoint", as: "auditor").decode(SignedCheckpoint.self)
            let checkpoint = try cp.verified(key: key)
            let answer = try await c.send(.get, "/api/v1/audit/proofs/inclusion?entry=2&size=\(checkpoint.size)", as: "auditor")
                .decode(InclusionAnswer.self)
            #expect(answer.proof.verify(entry: answer.entry, root: checkpoint.rootHash))
            try await c.promote(rc1.tag, to: "sandbox")
            let consistency = try await c.send(.get, "/api/v1/audit/proofs/consistency?from=\(checkpoint.size)", as: "auditor")
                .decode(ConsistencyProof.self)
            #expect(consistency.oldRoot == checkpoint.rootHash && consistency.verify())

            let now = Timestamp.format(Date().addingTimeInterval(1))
            let at = try await c.send(.get, "\(p)/at?env=production&time=\(now)", as: "auditor").decode(TimeTravelAnswer.self)
            #expect(at.candidate.tag == rc1.tag && at.verification.ok)
            let verification = try await c.send(.get, "\(p)/verification/\(rc1.tag)", as: "auditor").decode(VerificationReport.self)
            #expect(verification.ok)

            let bundle = try await c.send(.get, "\(p)/evidence/production", as: "auditor")
            #expect(bundle.headers[.contentType] == "application/x-tar")
            #expect(try EvidenceVerifier(key: key).verify(bytes: bundle.bytes, name: "bundle").ok)
        }
    }

    @Test func onlyAuditorsAndAdminsReadAuditEvidence() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let rc1 = try await c.cut("one")
            try await c.promote(rc1.tag, to: "sandbox")
            for token in ["ci", "deployer", "releaser"] {
                for path in ["/api/v1/audit/checkpoint", "/api/v1/audit/proofs/consistency?from=1", "\(p)/evidence/\(rc1.tag)"] {
                    let r = try await c.send(.get, path, as: token)
                    #expect(r.status == .forbidden, "\(token) \(path): \(r.status)")
                }
            }
            #expect(try await c.send(.get, "/api/v1/audit/checkpoint", as: "admin").status == .ok)
            #expect(try await c.send(.get, "/api/v1/audit/checkpoint", as: nil).status == .unauthorized)
            #expect(try await c.send(.get, "/api/v1/audit/proofs/inclusion?entry=999", as: "auditor").status == .notFound)
            #expect(try await c.send(.get, "/api/v1/audit/proofs/inclusion", as: "auditor").status == .badRequest)
        }
    }
}
