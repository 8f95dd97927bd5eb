/// The audit log's Merkle tree kept as it grows: every node that is the root of a perfect
/// subtree (the 2^level leaves from index·2^level) is stored when its last leaf is appended,
/// in the same transaction. Any tree size's root and any inclusion proof are then made of
/// O(log n) stored nodes, read in one query, instead of re-hashing the whole log.
public struct MerkleNodeKey: Hashable, Sendable {
    public var level: Int
    public var index: Int64

    public init(level: Int, index: Int64) {
        self.level = level
        self.index = index
    }
}

/// Where a metadata backend keeps the stored nodes.
public protocol MerkleNodeStore: Sendable {
    /// The stored hashes of those of `keys` that exist.
    func merkleNodes(_ keys: [MerkleNodeKey]) async throws -> [MerkleNodeKey: MerkleTree.Hash]
}

public enum MerkleNodes {
    public typealias Hash = MerkleTree.Hash

    /// The left siblings that appending leaf `index` (0-based) combines with: one per level
    /// at which the new node is a right child.
    public static func siblings(appending index: Int64) -> [MerkleNodeKey] {
        var out: [MerkleNodeKey] = []
        var (level, i) = (0, index)
        while i & 1 == 1 {
            out.append(MerkleNodeKey(level: level, index: i - 1))
            level += 1
            i >>= 1
        }
        return out
    }

    /// The nodes that leaf `index` completes, from the leaf itself up, given its siblings.
    public static func completed(leaf: Hash, at index: Int64, siblings: [MerkleNodeKey: Hash]) throws -> [(MerkleNodeKey, Hash)] {
        var out = [(MerkleNodeKey(level: 0, index: index), leaf)]
        var (level, i, hash) = (0, index, leaf)
        while i & 1 == 1 {
            guard let left = siblings[MerkleNodeKey(level: level, index: i - 1)] else {
                throw HangarError.integrity("the audit log's Merkle node (\(level), \(i - 1)) is missing")
            }
            hash = MerkleTree.nodeHash(left, hash)
            level += 1
            i >>= 1
            out.append((MerkleNodeKey(level: level, index: i), hash))
        }
        return out
    }

    /// The root of the first `size` leaves.
    public static func root(size: Int64, from store: any MerkleNodeStore) async throws -> Hash {
        guard size > 0 else { return MerkleTree.emptyRoot }
        var keys: [MerkleNodeKey] = []
        collect(0, size, into: &keys)
        let nodes = try await fetch(keys, from: store)
        return try hash(0, size, nodes)
    }

    /// The audit path of leaf `index` in the tree of the first `size` leaves (RFC 9162 §2.1.3.1).
    public static func inclusionProof(index: Int64, size: Int64, from store: any MerkleNodeStore) async throws -> [Hash] {
        precondition(index >= 0 && index < size, "leaf index out of range")
        var ranges: [(Int64, Int64)] = []
        pathRanges(index, 0, size, into: &ranges)
        var keys: [MerkleNodeKey] = []
        for (start, n) in ranges { collect(start, n, into: &keys) }
        let nodes = try await fetch(keys, from: store)
        return try ranges.map { try hash($0.0, $0.1, nodes) }
    }

    /// The ranges whose hashes make the path of leaf `m` in leaves [start, start+n), leaf up.
    private static func pathRanges(_ m: Int64, _ start: Int64, _ n: Int64, into out: inout [(Int64, Int64)]) {
        guard n > 1 else { return }
        let k = Int64(MerkleTree.split(Int(n)))
        if m < k {
            pathRanges(m, start, k, into: &out)
            out.append((start + k, n - k))
        } else {
            pathRanges(m - k, start + k, n - k, into: &out)
            out.append((start, k))
        }
    }

    /// The stored nodes the hash of leaves [start, start+n) is made of (each range the
    /// RFC's split reaches is aligned, so its perfect parts are stored nodes).
    private static func collect(_ start: Int64, _ n: Int64, into keys: inout [MerkleNodeKey]) {
        if let key = perfect(start, n) { return keys.append(key) }
        let k = Int64(MerkleTree.split(Int(n)))
        collect(start, k, into: &keys)
        collect(start + k, n - k, into: &keys)
    }

    private static func hash(_ start: Int64, _ n: Int64, _ nodes: [MerkleNodeKey: Hash]) throws -> Hash {
        if let key = perfect(start, n) {
            guard let h = nodes[key] else { throw HangarError.integrity("the audit log's Merkle node (\(key.level), \(key.index)) is missing") }
            return h
        }
        let k = Int64(MerkleTree.split(Int(n)))
        return MerkleTree.nodeHash(try hash(start, k, nodes), try hash(start + k, n - k, nodes))
    }

    /// The stored node that is exactly leaves [start, start+n), when there is one.
    private static func perfect(_ start: Int64, _ n: Int64) -> MerkleNodeKey? {
        guard n > 0, n & (n - 1) == 0, start % n == 0 else { return nil }
        return MerkleNodeKey(level: n.trailingZeroBitCount, index: start / n)
    }

    private static func fetch(_ keys: [MerkleNodeKey], from store: any MerkleNodeStore) async throws -> [MerkleNodeKey: Hash] {
        try await store.merkleNodes(Array(Set(keys)))
    }

    /// Builds the nodes of a log from its leaves in order, keeping only the right edge in
    /// memory (for backfilling a log written before nodes were stored).
    public struct Builder {
        private var edge: [MerkleNodeKey: Hash] = [:]
        public private(set) var count: Int64 = 0

        public init() {}

        /// The nodes the next leaf completes.
        public mutating func append(_ leaf: Hash) throws -> [(MerkleNodeKey, Hash)] {
            let made = try MerkleNodes.completed(leaf: leaf, at: count, siblings: edge)
            for key in MerkleNodes.siblings(appending: count) { edge[key] = nil }
            for (key, hash) in made where key.index & 1 == 0 { edge[key] = hash }  // only left children are siblings later
            count += 1
            return made
        }
    }
}
