import Foundation
import GRDB
import HangarFileSystem
@testable import HangarSQLite
import Testing
@testable import HangarCore

/// Tampering with what an auditor relies on is detected by the right check, which names it.
@Suite struct AuditorTests {
    /// rc.1 cut and promoted through all three environments, with a checkpoint taken.
    func deployed() async throws -> (ServiceFixture, CandidateRecord, SignedCheckpoint) {
        let f = try await ServiceFixture()
        let rc1 = try await f.candidate("one")
        for env in ["sandbox", "staging", "production"] {
            f.clock.advance(60)
            _ = try await f.service.promote("acme/checkout", ref: rc1.tag, to: env, actor: "release")
        }
        return (f, rc1, try await f.service.checkpoint())
    }

    func sql(_ f: ServiceFixture, _ statement: String) async throws {
        try await (f.service.metadata as! SQLiteMetadataStore).pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: statement)
        }
    }

    func failed(_ report: VerificationReport) -> [String] { report.checks.filter { !$0.ok }.map { "\($0.check): \($0.detail)" } }

    @Test func anIntactCandidateVerifies() async throws {
        let (f, rc1, cp) = try await deployed()
        let report = try await f.service.verifyCandidate("acme/checkout", ref: rc1.tag, key: f.service.signingKey!)
        #expect(report.ok, "\(failed(report))")
        #expect(report.checks.count == 7)
        _ = try await f.service.verifyAgainst(cp, key: f.service.signingKey!)
    }

    @Test func anEditedDeploymentRowBreaksItsSignature() async throws {
        let (f, rc1, _) = try await deployed()
        try await sql(f, "UPDATE deployments SET actor = 'mallory' WHERE environment = 'production'")
        let report = try await f.service.verifyCandidate("acme/checkout", ref: rc1.tag, key: f.service.signingKey!)
        #expect(failed(report).count == 1)
        #expect(failed(report).first?.contains("move 3 to production") == true)
        #expect(failed(report).first?.contains("differs from the deployment record") == true)
    }

    @Test func aDeletedOrReorderedEntryFailsTheCheckpoint() async throws {
        for statement in ["DELETE FROM audit WHERE seq = 4",
                          "UPDATE audit SET seq = -1 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = -1"] {
            let (f, _, cp) = try await deployed()
            try await sql(f, statement)
            await #expect { _ = try await f.service.verifyAgainst(cp, key: f.service.signingKey!) } throws: { e in
                let e = e as! HangarError
                return e.kind == .integrity && (e.message.contains("no longer hash to the checkpoint's root") || e.message.contains("entries were dropped"))
            }
        }
    }

    @Test func droppedNewestEntriesAreNamedAgainstTheCheckpoint() async throws {
        let (f, _, cp) = try await deployed()
        let newest = "(SELECT max(seq) FROM audit)"
        try await sql(f, "DELETE FROM deployments WHERE audit_seq = \(newest); DELETE FROM audit WHERE seq = \(newest)")
        let cut = try await f.service.verifyAudit()
        #expect(!cut.ok && cut.stateMismatches.contains { $0.contains("generation") }, "the pointer is ahead of the cut log: \(cut.stateMismatches)")
        // Rewinding the pointer as well leaves a state the shorter log agrees with: only the
        // checkpoint, taken before, can tell.
        let (g, _, cp2) = try await deployed()
        try await sql(g, """
            UPDATE environments SET generation = generation - 1,
                current_digest = (SELECT from_digest FROM deployments WHERE audit_seq = \(newest))
            WHERE (project, name) = (SELECT project, environment FROM deployments WHERE audit_seq = \(newest));
            DELETE FROM deployments WHERE audit_seq = \(newest); DELETE FROM audit WHERE seq = \(newest)
            """)
        let rewound = try await g.service.verifyAudit()
        #expect(rewound.ok, "the chain and the rewound state agree: \(rewound.stateMismatches)")
        await #expect { _ = try await g.service.verifyAgainst(cp2, key: g.service.signingKey!) } throws: { e in
            (e as! HangarError).message.contains("entries were dropped")
        }
        await #expect { _ = try await f.service.verifyAgainst(cp, key: f.service.signingKey!) } throws: { e in
            (e as! HangarError).message.contains("entries were dropped")
        }
    }

    @Test func aReplacedBlobIsNamed() async throws {
        let (f, rc1, _) = try await deployed()
        let path = (f.service.blobs as! FileSystemBlobStore).path(for: rc1.artifacts[0].digest)
        chmod(path, 0o644)
        try Data("other bytes".utf8).write(to: URL(fileURLWithPath: path))
        let report = try await f.service.verifyCandidate("acme/checkout", ref: rc1.tag, key: f.service.signingKey!)
        #expect(failed(report).count == 1)
        #expect(failed(report).first?.hasPrefix("artifact app: ") == true)
    }

    @Test func aSwappedProvenanceSubjectIsNamed() async throws {
        let (f, rc1, _) = try await deployed()
        let stored = try #require(try await f.service.provenance(of: rc1))
        var payload = String(decoding: Data(base64Encoded: stored.envelope.payload)!, as: UTF8.self)
        payload = payload.replacingOccurrences(of: rc1.artifacts[0].digest.hex, with: String(repeating: "0", count: 64))
        var forged = stored.envelope
        forged.payload = Data(payload.utf8).base64EncodedString()
        let path = (f.service.blobs as! FileSystemBlobStore).path(for: stored.envelopeDigest)
        chmod(path, 0o644)
        try Data(forged.canonicalBytes).write(to: URL(fileURLWithPath: path))
        let report = try await f.service.verifyCandidate("acme/checkout", ref: rc1.tag, key: f.service.signingKey!)
        #expect(failed(report).first?.hasPrefix("provenance: ") == true, "\(failed(report))")
        // Signed by another key, the subjects are checked too: a foreign key is refused outright.
        let other = try SigningKey.generate()
        let report2 = try await f.service.verifyCandidate("acme/checkout", ref: rc1.tag, key: other)
        #expect(!report2.ok)
    }

    @Test func anEvidenceBundleVerifiesOfflineAndFailsAfterAnyByteChanges() async throws {
        let (f, rc1, _) = try await deployed()
        var bundle: [UInt8] = []
        let index = try await f.service.writeEvidence("acme/checkout", ref: "production") { bundle += $0 }
        #expect(index.tag == rc1.tag && index.deployments.count == 3)
        let publicKey = try SigningKey.load(pem: try f.service.signingKey!.publicPEM(), source: "pub")
        let verifier = EvidenceVerifier(key: publicKey)
        let good = try verifier.verify(bytes: bundle, name: "bundle")
        #expect(good.ok, "\(failed(good))")
        #expect(!(try EvidenceVerifier(key: SigningKey.generate()).verify(bytes: bundle, name: "bundle").ok))
        // Every 4th byte of the first header, then every 101st byte (every byte with
        // HANGAR_EXHAUSTIVE=1): each change must fail.
        let exhaustive = ProcessInfo.processInfo.environment["HANGAR_EXHAUSTIVE"] == "1"
        let positions = exhaustive ? Array(0..<bundle.count)
            : Array(stride(from: 0, to: 512, by: 4)) + Array(stride(from: 512, to: bundle.count, by: 101))
        var undetected: [Int] = []
        for i in positions {
            var altered = bundle
            altered[i] ^= 0x01
            if try verifier.verify(bytes: altered, name: "altered").ok { undetected.append(i) }
        }
        #expect(undetected.isEmpty, "byte changes not detected at \(undetected.prefix(10))")
    }
}
