import Foundation
import Synchronization
import Testing
@testable import HangarCore

/// Stored-node roots and proofs are the RFC 9162 ones `MerkleTree` computes from all leaves.
@Suite struct MerkleNodesTests {
    final class Nodes: MerkleNodeStore {
        let stored = Mutex<[MerkleNodeKey: MerkleTree.Hash]>([:])
        func merkleNodes(_ keys: [MerkleNodeKey]) async throws -> [MerkleNodeKey: MerkleTree.Hash] {
            stored.withLock { all in Dictionary(uniqueKeysWithValues: keys.compactMap { k in all[k].map { (k, $0) } }) }
        }
    }

    @Test func rootsAndProofsOfEverySizeMatchTheWholeTreeComputation() async throws {
        let nodes = Nodes()
        var builder = MerkleNodes.Builder()
        var leaves: [MerkleTree.Hash] = []
        for n in 0..<70 {
            let leaf = MerkleTree.leafHash(Array("entry \(n)".utf8))
            leaves.append(leaf)
            let made = try builder.append(leaf)
            nodes.stored.withLock { for (k, h) in made { $0[k] = h } }
            let size = Int64(leaves.count)
            #expect(try await MerkleNodes.root(size: size, from: nodes) == MerkleTree.root(leaves), "root of \(size)")
            for index in 0..<leaves.count {
                let proof = try await MerkleNodes.inclusionProof(index: Int64(index), size: size, from: nodes)
                #expect(proof == MerkleTree.inclusionProof(index: index, leaves), "proof of \(index) in \(size)")
            }
        }
        // A tree of 70 leaves keeps 70 + 35 + 17 + 8 + 4 + 2 + 1 nodes, at most 2 per leaf.
        #expect(nodes.stored.withLock { $0.count } == 137)
    }

    @Test func aMissingNodeIsAnIntegrityError() async throws {
        let nodes = Nodes()
        var builder = MerkleNodes.Builder()
        for n in 0..<8 {
            let made = try builder.append(MerkleTree.leafHash([UInt8(n)]))
            nodes.stored.withLock { for (k, h) in made { $0[k] = h } }
        }
        _ = nodes.stored.withLock { $0.removeValue(forKey: MerkleNodeKey(level: 3, index: 0)) }
        let e = await #expect(throws: HangarError.self) { _ = try await MerkleNodes.root(size: 8, from: nodes) }
        #expect(e?.kind == .integrity && e?.message.contains("(3, 0)") == true)
    }
}
