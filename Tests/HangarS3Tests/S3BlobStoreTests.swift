import Foundation
import HangarConformance
import HangarCore
import Testing
@testable import HangarS3

extension S3Configuration {
    /// A fresh key prefix in the test gateway's bucket: every store its own namespace.
    static func testStore(partSize: Int = S3Configuration.minimumPartSize, redirect: Duration? = nil) throws -> S3Configuration {
        let gateway = try CephGateway.shared()
        return try S3Configuration(
            endpoint: URL(string: gateway.endpoint)!, bucket: gateway.bucket, region: gateway.region,
            credentials: .init(accessKeyID: gateway.accessKeyID, secretAccessKey: gateway.secretAccessKey),
            prefix: "test-\(UUID().uuidString.prefix(12))", partSize: partSize, redirectExpiry: redirect)
    }
}

extension BlobStoreHarness {
    /// The S3 driver against a real Ceph RADOS Gateway, each store under its own prefix.
    static let s3 = BlobStoreHarness(
        makeStore: { ContentAddressedStore(driver: S3Driver(try .testStore())) },
        makeFaultyStore: { plan in ContentAddressedStore(driver: FaultyDriver(S3Driver(try .testStore()), plan: plan)) },
        corrupt: { store, digest in
            let driver = try S3BlobStoreTests.driver(of: store)
            let key = BlobKeys.blob(digest)
            guard var bytes = try await driver.get(key, limit: 1 << 30) else { throw Failure("no blob \(digest) to corrupt") }
            bytes[bytes.count / 2] ^= 0x01
            try await driver.put(key, bytes)
        },
        leftovers: { store in
            let driver = try S3BlobStoreTests.driver(of: store)
            let temporary = try await driver.list(prefix: BlobKeys.temporary, after: nil, limit: 100)
            let pieces = try await driver.list(prefix: "parts/", after: nil, limit: 100)
            return (temporary + pieces).map(\.key)
        }
    )
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}

@Suite struct S3BlobStoreTests {
    static func driver(of store: any BlobStore) throws -> S3Driver {
        if let plain = store as? ContentAddressedStore<S3Driver> { return plain.driver }
        if let faulty = store as? ContentAddressedStore<FaultyDriver<S3Driver>> { return faulty.driver.inner }
        throw Failure("not an S3 store: \(type(of: store))")
    }

    @Test(arguments: BlobStoreConformance.cases)
    func conformance(_ check: BlobStoreConformance.Case) async throws {
        try await check.run(.s3)
    }
}
