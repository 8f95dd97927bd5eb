import Foundation
import HTTPTypes
import HangarCore
import Hummingbird
import HummingbirdTesting
import HangarFileSystem
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import HangarServer

/// The promise of the read path: a client never receives a complete response (a 2xx
/// whose body is as long as its `Content-Length`) with a wrong byte in it. Every kind of
/// damage against whole and ranged reads, of a small blob (checked before the answer)
/// and a large one (checked while streaming, ranges through the chunk table).
@Suite struct BlobHonestyTests {
    static let damages = ["flip-start", "flip-end", "truncate-0", "truncate-1", "truncate-half", "extra", "missing"]
    static let reads: [String?] = [nil, "bytes=0-", "bytes=0-99", "bytes=-100", "bytes=1048570-1048700"]

    @Test(arguments: [1000, 3 << 20], ReadVerification.allCases)
    func noDamageIsEverServedAsACompleteGoodResponse(size: Int, mode: ReadVerification) async throws {
        let f = try await ServerFixture(blobReads: mode)
        try await f.test(.live) { c in
            let port = try #require(c.raw.port)
            for (n, damage) in Self.damages.enumerated() {
                // A fresh blob for each damage, so a chunk table made from good bytes is in play too.
                let good = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ n) }
                let digest = try await c.upload(good)
                let warm = try await Self.get(port, c, digest, range: "bytes=0-9")  // builds the chunk table
                #expect(warm.status == 206, "\(warm.status) \(String(decoding: warm.body, as: UTF8.self).prefix(200))")
                try Self.damage(try FileSystemBlobStore(root: f.configuration.store).path(for: digest), damage)
                for range in Self.reads {
                    let r = try await Self.get(port, c, digest, range: range)
                    let label = "\(mode) \(size) bytes, \(damage), \(range ?? "whole"): \(r.status) \(r.body.count)/\(r.length.map(String.init) ?? "-")"
                    guard (200..<300).contains(r.status), r.length == r.body.count else { continue }  // refused or cut: honest
                    let expected = Self.slice(good, range)
                    #expect(r.body == expected, "a complete answer must be right: \(label)")
                }
            }
            #expect(try await c.send(.get, "/healthz", as: nil).status == .ok)
        }
    }

    @Test func anHonestUploadRepairsADamagedBlob() async throws {
        let f = try await ServerFixture()
        let good = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let digest = try await f.test { c in try await c.upload(good) }
        let path = try FileSystemBlobStore(root: f.configuration.store).path(for: digest)
        for damage in ["flip-start", "truncate-half", "extra"] {
            try Self.damage(path, damage)
            // A fresh server each round: a running one serves the checked bytes it cached.
            try await f.test { c in
                #expect(try await c.send(.get, "/v2/acme/app/blobs/\(digest)", as: "deployer").status == .internalServerError)
                try await c.upload(good)
            }
            try await f.test { c in
                let r = try await c.send(.get, "/v2/acme/app/blobs/\(digest)", as: "deployer")
                #expect(r.status == .ok && r.bytes == good, "repaired after \(damage)")
            }
        }
    }

    /// The expected bytes of `range` (nil: all) of `bytes`.
    static func slice(_ bytes: [UInt8], _ range: String?) -> [UInt8] {
        guard let range, let r = try? ByteRange.resolve(range, size: Int64(bytes.count)) else { return bytes }
        return Array(bytes[Int(r.lowerBound)..<Int(r.upperBound)])
    }

    static func damage(_ path: String, _ how: String) throws {
        chmod(path, 0o644)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        switch how {
        case "flip-start": bytes[0] ^= 0x01
        case "flip-end": bytes[bytes.count - 1] ^= 0x80
        case "truncate-0": bytes = []
        case "truncate-1": bytes.removeLast()
        case "truncate-half": bytes.removeLast(bytes.count / 2)
        case "extra": bytes += [0, 1, 2]
        default: try FileManager.default.removeItem(atPath: path); return
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    struct Answer { var status: Int; var length: Int?; var body: [UInt8] }

    /// A GET on its own connection, read to the end (a cut response shows as a short body).
    static func get(_ port: Int, _ c: Client, _ digest: Digest, range: String?) async throws -> Answer {
        var headers = ["Authorization": "Bearer \(c.secrets["deployer"]!)", "Connection": "close"]
        headers["Range"] = range
        let raw = try await RawHTTP.send(port: port, RawHTTP.head("GET", "/v2/acme/app/blobs/\(digest)", headers), hangUp: false, timeout: 20)
        let text = String(decoding: raw.prefix(4096), as: UTF8.self)
        let status = Int(text.dropFirst(9).prefix(3)) ?? 0
        let length = text.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
        return Answer(status: status, length: length, body: RawHTTP.body(of: raw))
    }
}
