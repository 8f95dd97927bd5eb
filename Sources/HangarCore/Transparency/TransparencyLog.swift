import Foundation

/// A signed statement of the audit log's Merkle tree at one size: an auditor who keeps it
/// can later prove that the log only grew since (consistency) and that an entry is in it
/// (inclusion), without trusting the store.
public struct Checkpoint: Codable, Sendable, Hashable {
    public static let payloadType = "application/vnd.hangar.checkpoint.v1+json"
    /// Which log: `hangar:<key id prefix>`.
    public var origin: String
    public var size: Int64
    /// Hex RFC 6962 root of the first `size` entries.
    public var rootHash: String
    public var time: Date

    public var canonicalBytes: [UInt8] {
        CanonicalJSON.object([
            "_type": .string("https://hangar.dev/checkpoint/v1"), "origin": .string(origin), "size": .int(size),
            "rootHash": .string(rootHash), "time": .string(Timestamp.format(time)),
        ]).bytes
    }

    /// Signs this checkpoint.
    public func signed(with key: SigningKey) throws -> SignedCheckpoint {
        SignedCheckpoint(checkpoint: self, envelope: try DSSEEnvelope.sign(canonicalBytes, type: Self.payloadType, key: key))
    }
}

/// A checkpoint and its DSSE envelope (what `hangar audit checkpoint` writes).
public struct SignedCheckpoint: Codable, Sendable, Hashable {
    public var checkpoint: Checkpoint
    public var envelope: DSSEEnvelope

    /// The checkpoint, after checking that `key` signed exactly it.
    public func verified(key: SigningKey) throws -> Checkpoint {
        let payload = try envelope.verifiedPayload(key: key, what: "checkpoint of size \(checkpoint.size)")
        guard envelope.payloadType == Checkpoint.payloadType, payload == checkpoint.canonicalBytes else {
            throw HangarError.integrity("checkpoint of size \(checkpoint.size): its fields differ from what was signed")
        }
        return checkpoint
    }
}

/// Proof that audit entry `seq` is in the tree of `treeSize` entries with root `rootHash`.
public struct InclusionProof: Codable, Sendable, Hashable {
    public var seq: Int64
    public var treeSize: Int64
    public var leafHash: String
    public var rootHash: String
    public var proof: [String]

    /// Checks the proof for `entry` (whose bytes give the leaf) against `root`.
    public func verify(entry: AuditEntry, root: String) -> Bool {
        let leaf = TransparencyLog.leafHash(entry)
        guard Hex.encode(leaf) == leafHash, seq == entry.seq, seq >= 1, seq <= treeSize, rootHash == root,
              let rootBytes = Hex.decode(root) else { return false }
        return MerkleTree.verifyInclusion(leaf: leaf, index: Int(seq - 1), size: Int(treeSize),
                                          proof: proof.compactMap(Hex.decode), root: rootBytes)
    }
}

/// Proof that the tree of `oldSize` entries is a prefix of the tree of `newSize` entries.
public struct ConsistencyProof: Codable, Sendable, Hashable {
    public var oldSize: Int64
    public var newSize: Int64
    public var oldRoot: String
    public var newRoot: String
    public var proof: [String]

    public func verify() -> Bool {
        guard let old = Hex.decode(oldRoot), let new = Hex.decode(newRoot) else { return false }
        return MerkleTree.verifyConsistency(oldSize: Int(oldSize), newSize: Int(newSize), oldRoot: old, newRoot: new,
                                            proof: proof.compactMap(Hex.decode))
    }
}

/// The audit log seen as an RFC 6962 Merkle tree: leaf n is audit entry n+1.
public enum TransparencyLog {
    /// Leaf hash of an audit entry: SHA-256(0x00 ‖ canonical bytes of the entry).
    public static func leafHash(_ entry: AuditEntry) -> MerkleTree.Hash {
        MerkleTree.leafHash(AuditChain.canonicalBytes(of: entry))
    }
}

extension HangarService {
    /// Every audit entry's leaf hash, in order.
    func auditLeaves() async throws -> [MerkleTree.Hash] {
        var leaves: [MerkleTree.Hash] = []
        var after: Int64 = 0
        while true {
            let page = try await metadata.auditEntries(after: after, limit: 2000)
            guard let last = page.last else { return leaves }
            leaves += page.map(TransparencyLog.leafHash)
            after = last.seq
        }
    }

    /// A signed checkpoint of the whole log now: its root from the stored Merkle nodes
    /// (O(log n); `audit verify` checks those nodes against the entries).
    func checkpoint() async throws -> SignedCheckpoint {
        let key = try requireSigningKey()
        let size = try await metadata.auditSize()
        let cp = Checkpoint(origin: "hangar:\(key.keyID.prefix(16))", size: size,
                            rootHash: Hex.encode(try await MerkleNodes.root(size: size, from: metadata)), time: now())
        return try cp.signed(with: key)
    }

    /// The inclusion proof of entry `seq` in the tree of `treeSize` entries (default: all),
    /// from the stored Merkle nodes.
    func proveInclusion(seq: Int64, treeSize: Int64? = nil) async throws -> (InclusionProof, AuditEntry) {
        let count = try await metadata.auditSize()
        let size = treeSize ?? count
        guard size <= count else { throw HangarError.invalid("the log has \(count) entries, not \(size)") }
        guard seq >= 1, seq <= size else {
            throw HangarError.notFound("audit entry \(seq) is not in a log of \(size) entries")
        }
        guard let entry = try await metadata.auditEntries(after: seq - 1, limit: 1).first, entry.seq == seq else {
            throw HangarError.notFound("audit entry \(seq) does not exist")
        }
        let proof = InclusionProof(seq: seq, treeSize: size, leafHash: Hex.encode(TransparencyLog.leafHash(entry)),
                                   rootHash: Hex.encode(try await MerkleNodes.root(size: size, from: metadata)),
                                   proof: try await MerkleNodes.inclusionProof(index: seq - 1, size: size, from: metadata).map(Hex.encode))
        return (proof, entry)
    }

    /// The consistency proof from the first `oldSize` entries to the whole log now.
    func proveConsistency(from oldSize: Int64) async throws -> ConsistencyProof {
        let leaves = try await auditLeaves()
        guard oldSize >= 0, oldSize <= Int64(leaves.count) else {
            throw HangarError.integrity("the log has \(leaves.count) entries, fewer than the \(oldSize) of the checkpoint: entries were dropped")
        }
        return ConsistencyProof(
            oldSize: oldSize, newSize: Int64(leaves.count), oldRoot: Hex.encode(MerkleTree.root(Array(leaves.prefix(Int(oldSize))))),
            newRoot: Hex.encode(MerkleTree.root(leaves)),
            proof: MerkleTree.consistencyProof(oldSize: Int(oldSize), leaves).map(Hex.encode))
    }

    /// Checks the log now against a checkpoint an auditor kept (`CheckpointCheck`).
    func verifyAgainst(_ signed: SignedCheckpoint, key: SigningKey) async throws -> ConsistencyProof {
        try await CheckpointCheck.verify(signed, key: key) { try await proveConsistency(from: $0) }
    }

    func requireSigningKey() throws -> SigningKey {
        guard let signingKey else {
            throw HangarError.invalid("this store has no signing key (configure --signing-key or HANGAR_SIGNING_KEY)")
        }
        return signingKey
    }
}
