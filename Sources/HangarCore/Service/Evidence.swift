import Foundation

extension HangarService {
    /// Gathers the evidence for the candidate `ref` names and writes it as one tar to `sink`.
    func writeEvidence(_ project: String, ref: String, into sink: (UnsafeRawBufferPointer) throws -> Void) async throws -> EvidenceBundle.Index {
        let key = try requireSigningKey()
        let c = try await resolve(project, ref)
        guard let provenance = try await provenance(of: c) else {
            throw HangarError.notFound("\(c.tag) of \(project) has no signed provenance to put in evidence")
        }
        let moves = try await moves(project, to: c.digest)
        let enc = EvidenceBundle.encoder()
        var files: [String: [UInt8]] = [
            "manifest.json": try await blobs.get(c.digest), "config.json": try await blobs.get(c.configDigest),
            "provenance.dsse.json": provenance.envelope.canonicalBytes, "public-key.pem": Array(try key.publicPEM().utf8),
        ]
        let checkpoint = try await self.checkpoint()
        files["checkpoint.json"] = Array(try enc.encode(checkpoint))
        let created = try await metadata.auditEntries(project: project, subject: c.digest.description, limit: 64)
            .first { $0.action == AuditAction.candidateCreated.rawValue }
        var seqs = created.map { [$0.seq] } ?? []
        for d in moves {
            files["deployments/\(d.id).json"] = Array(try enc.encode(d))
            guard let envelope = try await moveEnvelope(d) else { throw HangarError.notFound("move \(d.id) has no signed statement") }
            files["deployments/\(d.id).dsse.json"] = envelope
            seqs.append(d.auditSeq)
        }
        for seq in seqs {
            let (proof, entry) = try await proveInclusion(seq: seq, treeSize: checkpoint.checkpoint.size)
            files["audit/\(seq).json"] = Array(try enc.encode(entry))
            files["proofs/\(seq).json"] = Array(try enc.encode(proof))
        }
        let index = EvidenceBundle.Index(project: project, tag: c.tag, digest: c.digest, deployments: moves.map(\.id), auditEntries: seqs)
        files["index.json"] = Array(try enc.encode(index))
        try EvidenceBundle.write(files, into: sink)
        return index
    }

    /// The bytes of the signed statement of a move, if it has one: the one its audit entry
    /// names, kept with the move (or, for moves recorded before 0.7, in the blob store).
    func moveEnvelope(_ d: DeploymentRecord) async throws -> [UInt8]? {
        guard let entry = try await metadata.auditEntries(after: d.auditSeq - 1, limit: 1).first, entry.seq == d.auditSeq,
              let digest = entry.details["envelope"].flatMap(Digest.valid) else { return nil }
        guard let kept = try await metadata.moveStatement(project: d.project, deploymentID: d.id) else {
            return try await blobs.get(digest)
        }
        guard SHA256Hasher.digest(kept) == digest else {
            throw HangarError.integrity("the statement kept with move \(d.id) is not the one its audit entry names (\(digest))")
        }
        return kept
    }
}
