import Foundation
import Testing
@testable import HangarCore

/// Known-answer tests from NIST's CAVS files and FIPS 180-2, kept in Fixtures/sha256.
@Suite struct SHA256Tests {
    struct Vector: CustomStringConvertible {
        var message: [UInt8]
        var expected: String
        var description: String { "\(message.count) bytes" }
    }

    static func nistVectors() throws -> [Vector] {
        let text = try String(contentsOfFile: fixturesRoot + "/sha256/SHA256ShortMsg.rsp", encoding: .utf8)
        var vectors: [Vector] = []
        var length = 0, message: [UInt8] = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "Len": length = Int(parts[1])! / 8
            case "Msg": message = Array(Hex.decode(parts[1])!.prefix(length))
            case "MD": vectors.append(Vector(message: message, expected: parts[1]))
            default: break
            }
        }
        return vectors
    }

    @Test func matchesEveryNISTShortMessageVector() throws {
        let vectors = try Self.nistVectors()
        #expect(vectors.count >= 14)
        for v in vectors {
            #expect(SHA256Hasher.digest(v.message).hex == v.expected, "\(v)")
        }
    }

    @Test func matchesTheFIPS180Examples() throws {
        let text = try String(contentsOfFile: fixturesRoot + "/sha256/FIPS180-2-examples.txt", encoding: .utf8)
        var checked = 0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "\t")
            let hasher = SHA256Hasher()
            let unit = Array(f[0].utf8)
            // Feed the repeated message in 64 KiB pieces, as a stream would arrive.
            var pending: [UInt8] = []
            for _ in 0..<Int(f[1])! {
                pending += unit
                if pending.count >= 65_536 { hasher.update(pending); pending.removeAll(keepingCapacity: true) }
            }
            hasher.update(pending)
            #expect(hasher.finalize().hex == String(f[2]))
            checked += 1
        }
        #expect(checked == 3)
    }

    @Test func chunkingDoesNotChangeTheDigest() {
        let bytes = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let whole = SHA256Hasher.digest(bytes)
        for size in [1, 63, 64, 65, 4096, 99_999] {
            let h = SHA256Hasher()
            var i = 0
            while i < bytes.count { h.update(Array(bytes[i..<min(i + size, bytes.count)])); i += size }
            #expect(h.finalize() == whole, "chunk size \(size)")
            #expect(h.count == Int64(bytes.count))
        }
    }
}
