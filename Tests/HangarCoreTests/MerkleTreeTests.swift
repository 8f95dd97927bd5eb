import Foundation
import Testing
@testable import HangarCore

/// Known-answer tests from the RFC 6962 reference vectors, and every proof of every
/// small tree shape checked both ways.
@Suite struct MerkleTreeTests {
    struct Vectors: Decodable {
        struct Inclusion: Decodable { var index: Int; var size: Int; var proof: [String] }
        struct Consistency: Decodable { var old: Int; var new: Int; var proof: [String] }
        var leaves: [String]
        var roots: [String]
        var inclusion: [Inclusion]
        var consistency: [Consistency]
    }

    let v: Vectors = try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: URL(fileURLWithPath: fixturesRoot + "/merkle/rfc6962-vectors.json")))
    var leaves: [MerkleTree.Hash] { v.leaves.map { MerkleTree.leafHash(Hex.decode($0)!) } }
    func hex(_ h: MerkleTree.Hash) -> String { Hex.encode(h) }
    func unhex(_ s: [String]) -> [MerkleTree.Hash] { s.map { Hex.decode($0)! } }

    @Test func rootsMatchTheReferenceForSizesZeroToEight() {
        for n in 0...8 { #expect(hex(MerkleTree.root(Array(leaves.prefix(n)))) == v.roots[n], "size \(n)") }
    }

    @Test func inclusionProofsMatchTheReference() {
        for c in v.inclusion {
            let tree = Array(leaves.prefix(c.size))
            #expect(MerkleTree.inclusionProof(index: c.index, tree).map(hex) == c.proof, "leaf \(c.index) of \(c.size)")
            #expect(MerkleTree.verifyInclusion(leaf: tree[c.index], index: c.index, size: c.size,
                                               proof: unhex(c.proof), root: Hex.decode(v.roots[c.size])!))
        }
    }

    @Test func consistencyProofsMatchTheReference() {
        for c in v.consistency {
            let tree = Array(leaves.prefix(c.new))
            #expect(MerkleTree.consistencyProof(oldSize: c.old, tree).map(hex) == c.proof, "\(c.old) → \(c.new)")
            #expect(MerkleTree.verifyConsistency(oldSize: c.old, newSize: c.new, oldRoot: Hex.decode(v.roots[c.old])!,
                                                 newRoot: Hex.decode(v.roots[c.new])!, proof: unhex(c.proof)))
        }
    }

    /// Every leaf of every tree up to 33 leaves (all the non-power-of-two shapes), and
    /// every pair of sizes: proofs verify, and altered proofs, indexes or roots do not.
    @Test func everyProofOfEverySmallTreeVerifiesAndNothingElseDoes() {
        let all = (0..<33).map { MerkleTree.leafHash([UInt8($0), UInt8($0 * 7 & 0xff)]) }
        for n in 1...all.count {
            let tree = Array(all.prefix(n))
            let root = MerkleTree.root(tree)
            for i in 0..<n {
                let proof = MerkleTree.inclusionProof(index: i, tree)
                #expect(MerkleTree.verifyInclusion(leaf: tree[i], index: i, size: n, proof: proof, root: root))
                #expect(!MerkleTree.verifyInclusion(leaf: tree[(i + 1) % n], index: i, size: n, proof: proof, root: root) || n == 1)
                if n > 1 { #expect(!MerkleTree.verifyInclusion(leaf: tree[i], index: (i + 1) % n, size: n, proof: proof, root: root)) }
                if var bad = proof.first.map({ _ in proof }) {
                    bad[0][0] ^= 1
                    #expect(!MerkleTree.verifyInclusion(leaf: tree[i], index: i, size: n, proof: bad, root: root))
                }
            }
            for m in 1...n {
                let proof = MerkleTree.consistencyProof(oldSize: m, tree)
                let oldRoot = MerkleTree.root(Array(tree.prefix(m)))
                #expect(MerkleTree.verifyConsistency(oldSize: m, newSize: n, oldRoot: oldRoot, newRoot: root, proof: proof), "\(m) → \(n)")
                if m < n {
                    var rewritten = tree
                    rewritten[m - 1][0] ^= 1
                    #expect(!MerkleTree.verifyConsistency(oldSize: m, newSize: n, oldRoot: oldRoot,
                                                          newRoot: MerkleTree.root(rewritten), proof: MerkleTree.consistencyProof(oldSize: m, rewritten)))
                }
            }
        }
    }
}

/// Found in the pass over integer conversions reachable from input: a proof naming entry
/// `Int64.min` overflowed computing its index.
@Suite struct ProofBoundsTests {
    @Test func aProofWithAnImpossibleSequenceNumberIsFalseNotATrap() {
        let entry = AuditEntry(seq: Int64.min, at: Date(timeIntervalSince1970: 0), actor: "a", action: "x", project: nil,
                               subject: nil, details: [:], prevHash: String(repeating: "0", count: 64), hash: "")
        let leaf = Hex.encode(TransparencyLog.leafHash(entry))
        for (seq, size) in [(Int64.min, Int64.max), (0, 1), (5, 4), (1, Int64.min)] {
            var e = entry
            e.seq = seq
            let proof = InclusionProof(seq: seq, treeSize: size, leafHash: leaf, rootHash: leaf, proof: [])
            #expect(!proof.verify(entry: e, root: leaf))
        }
    }
}
