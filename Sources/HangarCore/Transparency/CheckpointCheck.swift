import Foundation

/// Checks a log against a checkpoint an auditor kept: the checkpoint's signature with the
/// key the auditor trusts, then a consistency proof from the checkpoint's size to now,
/// whose old root must be the checkpoint's. The same check runs in-process and against a
/// server (the proof is recomputed from the hashes, so a server cannot fake it).
public enum CheckpointCheck {
    public static func verify(_ signed: SignedCheckpoint, key: SigningKey,
                              proof prove: (Int64) async throws -> ConsistencyProof) async throws -> ConsistencyProof {
        let cp = try signed.verified(key: key)
        let proof = try await prove(cp.size)
        guard proof.oldSize == cp.size, proof.oldRoot == cp.rootHash else {
            throw HangarError.integrity("the first \(cp.size) audit entries no longer hash to the checkpoint's root \(cp.rootHash.prefix(16))…: entries were edited, removed or reordered since \(Timestamp.format(cp.time))")
        }
        guard proof.verify() else { throw HangarError.integrity("the consistency proof from size \(cp.size) does not verify") }
        return proof
    }
}
