import Foundation

/// An offline evidence bundle: one deterministic tar holding a candidate's manifest,
/// config and signed provenance, the signed statements and audit entries of every move
/// that deployed it, their inclusion proofs, a signed checkpoint and the public key.
/// `verify` needs nothing else: no store, no network.
///
/// Layout: `index.json`, `manifest.json`, `config.json`, `provenance.dsse.json`,
/// `checkpoint.json`, `public-key.pem`, `audit/<seq>.json`, `proofs/<seq>.json`,
/// `deployments/<id>.json`, `deployments/<id>.dsse.json`.
public enum EvidenceBundle {
    /// What the bundle is about (its `index.json`).
    public struct Index: Codable, Sendable, Hashable {
        public var project: String
        public var tag: String
        public var digest: Digest
        public var deployments: [Int64]
        public var auditEntries: [Int64]
    }

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, enc in
            var c = enc.singleValueContainer()
            try c.encode(Timestamp.format(date))
        }
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { try Timestamp.parseCanonical($0.singleValueContainer().decode(String.self)) }
        return d
    }

    /// Writes the bundle's files into `folder` and archives it (plain tar) into `sink`.
    static func write(_ files: [String: [UInt8]], into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let folder = NSTemporaryDirectory() + "hangar-evidence-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, bytes) in files {
            let path = folder + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw HangarError(.io, "cannot write \(path)")
            }
        }
        _ = try DeterministicArchiver(compression: .none).archive(folder, into: sink)
    }

    /// Extracts bundle bytes into `folder` with the safe extractor.
    static func extract(_ bytes: [UInt8], into folder: String) throws {
        var offset = 0
        _ = try SafeExtractor(limits: ExtractionLimits(maxTotalBytes: 1 << 30, maxEntries: 100_000)).extract(into: folder) { buffer in
            let n = min(buffer.count, bytes.count - offset)
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
            offset += n
            return n
        }
    }

    /// What a bundle is about (its `index.json`), unverified: for messages.
    public static func index(of bytes: [UInt8]) throws -> Index {
        let folder = NSTemporaryDirectory() + "hangar-evidence-index-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try extract(bytes, into: folder)
        guard let data = FileManager.default.contents(atPath: folder + "/index.json") else {
            throw HangarError.integrity("the evidence bundle has no index.json")
        }
        return try decoder().decode(Index.self, from: data)
    }
}
