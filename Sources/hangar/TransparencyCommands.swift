import ArgumentParser
import Foundation
import HangarCore

/// `hangar audit checkpoint`: a signed statement of the log's Merkle root now.
struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "Write a signed checkpoint (size, root hash, time) of the audit log; keep it.")
    @Option(name: .shortAndLong, help: "Write it to this file (default: stdout).") var output: String?
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let cp = try await store.client().checkpoint()
        let bytes = Array(try Terminal.jsonData(cp))
        try AtomicFileOutput.write(to: output ?? "-") { try bytes.withUnsafeBytes($0) }
        if output != nil { print("checkpoint of \(cp.checkpoint.size) entries, root \(cp.checkpoint.rootHash)") }
    }
}

/// `hangar audit prove --entry N`: the inclusion proof of one entry.
struct ProveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove", abstract: "Inclusion proof of an audit entry (checked against a checkpoint when given).")
    @Option(help: "The entry's sequence number.") var entry: Int64
    @Option(help: "A checkpoint file: prove against its tree and check its signature.") var checkpoint: String?
    @Option(help: "The public key that signed the checkpoint (default: the store's).") var key: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let service = try await store.client()
        var size: Int64?
        var root: String?
        if let checkpoint {
            let signer = try await trustedKey(key, service)
            let cp = try readJSON(SignedCheckpoint.self, from: checkpoint, what: "signed checkpoint").verified(key: signer)
            size = cp.size
            root = cp.rootHash
        }
        let (proof, e) = try await service.proveInclusion(seq: entry, treeSize: size)
        guard proof.verify(entry: e, root: root ?? proof.rootHash) else {
            throw HangarError.integrity("entry \(entry) is not included in the checkpoint's tree: the log was rewritten")
        }
        if output.json { return try Terminal.json(InclusionAnswer(proof: proof, entry: e)) }
        print("entry \(entry) (\(e.action) by \(e.actor) at \(Timestamp.format(e.at))) is in the tree of \(proof.treeSize) entries")
        print("root  \(proof.rootHash)\nleaf  \(proof.leafHash)")
        for (i, h) in proof.proof.enumerated() { print("path[\(i)] \(h)") }
    }
}

/// `hangar audit consistency --from SIZE | --checkpoint FILE`.
struct ConsistencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consistency", abstract: "Prove the log only grew since an earlier size or checkpoint; exit 5 if it was rewritten.")
    @Option(help: "An earlier tree size.") var from: Int64?
    @Option(help: "An earlier checkpoint file (checked: signature, then that the log only grew since).") var checkpoint: String?
    @Option(help: "The public key that signed the checkpoint (default: the store's).") var key: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let service = try await store.client()
        let proof: ConsistencyProof
        if let checkpoint {
            let signer = try await trustedKey(key, service)
            proof = try await service.verifyAgainst(readJSON(SignedCheckpoint.self, from: checkpoint, what: "signed checkpoint"), key: signer)
        } else if let from {
            proof = try await service.proveConsistency(from: from)
        } else {
            throw ValidationError("give --from SIZE or --checkpoint FILE")
        }
        if output.json { return try Terminal.json(proof) }
        print("the log of \(proof.newSize) entries extends the one of \(proof.oldSize): consistent")
        print("old root \(proof.oldRoot)\nnew root \(proof.newRoot)")
        for (i, h) in proof.proof.enumerated() { print("proof[\(i)] \(h)") }
    }
}

/// The key a checkpoint is checked with: the file the auditor gave, else the store's own.
func trustedKey(_ file: String?, _ client: any HangarClient) async throws -> SigningKey {
    if let file { return try loadKey(file) }
    return try await client.publicKey()
}
