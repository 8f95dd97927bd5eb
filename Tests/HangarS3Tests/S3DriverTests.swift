import AsyncHTTPClient
import Foundation
import HangarConformance
import HangarCore
import NIOHTTP1
import Testing
@testable import HangarS3

/// What the shared blob suite does not reach on S3: uploads of several parts, sessions
/// taken up by another server with parts and a tail, leftovers of a dead write, errors.
@Suite struct S3DriverTests {
    enum F { static let digest = SHA256Hasher.digest(Array("any".utf8)) }
    static let part = S3Configuration.minimumPartSize

    func bytes(_ count: Int, seed: UInt8) -> [UInt8] {
        var out = BlobStoreConformance.pattern(count)
        out[0] = seed
        return out
    }

    @Test func aSessionOfSeveralPartsIsTakenUpByAnotherServerAndCommittedWhole() async throws {
        let config = try S3Configuration.testStore()
        let here = ContentAddressedStore(driver: S3Driver(config)), there = ContentAddressedStore(driver: S3Driver(config))
        let (a, b) = (bytes(Self.part + 2_000_000, seed: 1), bytes(Self.part + 1_000_000, seed: 2))
        let first = try await here.sessionWriter("big")
        try await first.write(a)
        try await first.suspend()
        #expect(try await there.sessionSize("big") == Int64(a.count), "the tail is durable once suspended")
        let second = try await there.sessionWriter("big")  // reads the part and the tail back to restore the hash
        #expect(second.bytesWritten == Int64(a.count))
        try await second.write(b)
        let stored = try await second.commit(expected: SHA256Hasher.digest(a + b), expectedSize: Int64(a.count + b.count))
        #expect(try await here.get(stored.digest, limit: 1 << 26) == a + b)
        #expect(try await S3BlobStoreTests.driver(of: here).list(prefix: "parts/", after: nil, limit: 10).isEmpty, "no piece left")
        #expect(try await here.sessionSize("big") == nil)
    }

    @Test func aRangeAcrossThePiecesOfASessionReadsTheRightBytes() async throws {
        let driver = S3Driver(try .testStore())
        let all = bytes(Self.part + 300_000, seed: 3)
        let appender = try await driver.appender("tmp/session-r", mode: .shared)
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: all.count, alignment: 1)
        defer { raw.deallocate() }
        raw.copyBytes(from: all)
        try await appender.append(UnsafeRawBufferPointer(raw))
        try await appender.suspend()
        let reader = try await driver.reader("tmp/session-r", range: Int64(Self.part - 1000)..<Int64(Self.part + 500))
        let got = UnsafeMutableRawBufferPointer.allocate(byteCount: 4000, alignment: 1)
        defer { got.deallocate() }
        let n = try await reader.fill(got)
        #expect(n == 1500 && Array(got[0..<n]) == Array(all[(Self.part - 1000)..<(Self.part + 500)]))
        #expect(reader.object.size == Int64(all.count))
        try await driver.delete("tmp/session-r")
        #expect(try await driver.list(prefix: "", after: nil, limit: 10).isEmpty, "the record and its pieces are gone")
    }

    @Test func aOneOffWriteLeftMidWayIsSweptUploadAndAll() async throws {
        let store = ContentAddressedStore(driver: S3Driver(try .testStore()))
        let driver = try S3BlobStoreTests.driver(of: store)
        let writer = try await store.writer()
        try await writer.write(bytes(Self.part + 10, seed: 4))  // one part sent: a multipart upload in progress
        #expect(try await driver.pendingUploads(prefix: "tmp/").count == 1)
        let report = try await store.sweepTemporary(maxAge: 0)  // as if its process died long ago
        #expect(report.removed == 1)
        #expect(try await driver.pendingUploads(prefix: "tmp/").isEmpty, "the multipart upload is aborted")
        #expect(try await driver.list(prefix: "", after: nil, limit: 10).isEmpty)
    }

    @Test func aPresignedURLReadsTheBlobWithoutCredentials() async throws {
        #expect(try await ContentAddressedStore(driver: S3Driver(try .testStore())).redirectURL(for: F.digest, expiresIn: .seconds(60)) == nil,
                "no redirect unless configured")
        let store = ContentAddressedStore(driver: S3Driver(try .testStore(redirect: .seconds(60))))
        let stored = try await store.put(bytes(1000, seed: 5))
        let url = try #require(try await store.redirectURL(for: stored.digest, expiresIn: .seconds(60)))
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        #expect(response.status == .ok)
        #expect(Array(try await response.body.collect(upTo: 1 << 20).readableBytesView) == bytes(1000, seed: 5))
        var forged = HTTPClientRequest(url: url.replacingOccurrences(of: "X-Amz-Expires=60", with: "X-Amz-Expires=600"))
        forged.method = .GET
        #expect(try await HTTPClient.shared.execute(forged, timeout: .seconds(30)).status == .forbidden, "a changed URL is refused")
    }

    @Test func aStoreThatDoesNotAnswerIsUnavailableAfterBoundedRetries() async throws {
        let config = try S3Configuration(endpoint: URL(string: "http://127.0.0.1:9")!, bucket: "hangar",
                                         credentials: .init(accessKeyID: "a", secretAccessKey: "b"), attempts: 2)
        let error = await #expect(throws: HangarError.self) { _ = try await S3Driver(config).stat("blobs/x") }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("did not succeed after 2 attempts (last: connection refused)") == true, "\(error?.message ?? "")")
    }

    @Test func wrongCredentialsAreRefusedNamingTheStoresAnswer() async throws {
        var config = try S3Configuration.testStore()
        config.credentials = .init(accessKeyID: config.credentials.accessKeyID, secretAccessKey: "not-the-secret")
        let error = await #expect(throws: HangarError.self) { _ = try await S3Driver(config).stat("blobs/x") }
        #expect(error?.kind == .io)
        #expect(error?.message.contains("refused the credentials") == true, "\(error?.message ?? "")")
    }

    @Test func badConfigurationIsNamed() {
        let credentials = SigV4.Credentials(accessKeyID: "a", secretAccessKey: "b")
        #expect(throws: HangarError.self) { try S3Configuration(endpoint: URL(string: "ftp://x")!, bucket: "hangar", credentials: credentials) }
        #expect(throws: HangarError.self) { try S3Configuration(endpoint: URL(string: "http://x")!, bucket: "No_Caps", credentials: credentials) }
        #expect(throws: HangarError.self) {
            try S3Configuration(endpoint: URL(string: "http://x")!, bucket: "hangar", credentials: credentials, partSize: 1 << 20)
        }
        #expect(throws: HangarError.self) { try S3Configuration(endpoint: URL(string: "http://x")!, bucket: "hangar", credentials: .init(accessKeyID: "", secretAccessKey: "")) }
    }
}
