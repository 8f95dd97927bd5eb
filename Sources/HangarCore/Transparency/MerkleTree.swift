/// RFC 6962 / RFC 9162 Merkle tree hashing and proofs, as pure functions over leaf
/// hashes: leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right); a tree of
/// n leaves splits at k, the largest power of two smaller than n.
public enum MerkleTree {
    public typealias Hash = [UInt8]

    /// SHA-256 of the empty string: the root of an empty tree.
    public static let emptyRoot: Hash = SHA256Hasher.raw([UInt8]())

    public static func leafHash(_ data: [UInt8]) -> Hash {
        SHA256Hasher.raw([0x00] + data)
    }

    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        SHA256Hasher.raw([0x01] + left + right)
    }

    /// The largest power of two strictly smaller than `n` (n ≥ 2).
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// The root hash of the tree whose leaf hashes are `leaves`.
    public static func root(_ leaves: ArraySlice<Hash>) -> Hash {
        switch leaves.count {
        case 0: return emptyRoot
        case 1: return leaves.first!
        default:
            let k = split(leaves.count)
            let mid = leaves.startIndex + k
            return nodeHash(root(leaves[..<mid]), root(leaves[mid...]))
        }
    }

    public static func root(_ leaves: [Hash]) -> Hash { root(leaves[...]) }

    /// The audit path of leaf `index` in the tree of `leaves` (RFC 9162 §2.1.3.1).
    public static func inclusionProof(index: Int, _ leaves: [Hash]) -> [Hash] {
        precondition(index >= 0 && index < leaves.count, "leaf index out of range")
        return path(index, leaves[...])
    }

    private static func path(_ m: Int, _ d: ArraySlice<Hash>) -> [Hash] {
        if d.count <= 1 { return [] }
        let k = split(d.count)
        let mid = d.startIndex + k
        if m < k { return path(m, d[..<mid]) + [root(d[mid...])] }
        return path(m - k, d[mid...]) + [root(d[..<mid])]
    }

    /// The consistency proof between the first `oldSize` leaves and all of `leaves`
    /// (RFC 9162 §2.1.4.1).
    public static func consistencyProof(oldSize: Int, _ leaves: [Hash]) -> [Hash] {
        precondition(oldSize >= 0 && oldSize <= leaves.count, "old size out of range")
        if oldSize == 0 || oldSize == leaves.count { return [] }
        return subproof(oldSize, leaves[...], true)
    }

    private static func subproof(_ m: Int, _ d: ArraySlice<Hash>, _ complete: Bool) -> [Hash] {
        let n = d.count
        if m == n { return complete ? [] : [root(d)] }
        let k = split(n)
        let mid = d.startIndex + k
        if m <= k { return subproof(m, d[..<mid], complete) + [root(d[mid...])] }
        return subproof(m - k, d[mid...], false) + [root(d[..<mid])]
    }

    /// Checks that `leaf` is at `index` in the tree of `size` leaves whose root is `root`
    /// (RFC 9162 §2.1.3.2).
    public static func verifyInclusion(leaf: Hash, index: Int, size: Int, proof: [Hash], root: Hash) -> Bool {
        guard index >= 0, index < size else { return false }
        var fn = index, sn = size - 1
        var r = leaf
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Checks that the tree of `oldSize` leaves with `oldRoot` is a prefix of the tree of
    /// `newSize` leaves with `newRoot` (RFC 9162 §2.1.4.2).
    public static func verifyConsistency(oldSize: Int, newSize: Int, oldRoot: Hash, newRoot: Hash, proof: [Hash]) -> Bool {
        guard oldSize >= 0, oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        guard !path.isEmpty else { return false }
        var fn = oldSize - 1, sn = newSize - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == oldRoot && sr == newRoot
    }
}
