import Foundation
import HTTPTypes
import HangarCore
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HangarServer

/// The read caches never show a change made through the same server late: a tag moved,
/// a promotion, a deleted manifest and a revoked token are seen by the very next request.
@Suite struct CacheCoherenceTests {
    @Test func changesThroughThisServerAreSeenAtOnce() async throws {
        try await ServerFixture().test { c in
            let first = try await c.pushImage([[1]], reference: "latest")
            #expect(try await c.send(.get, "/v2/acme/app/manifests/latest", as: "deployer").headers[.dockerContentDigest] == first.digest.description)
            let second = try await c.pushImage([[2]], reference: "latest")
            #expect(try await c.send(.get, "/v2/acme/app/manifests/latest", as: "deployer").headers[.dockerContentDigest] == second.digest.description,
                    "a moved tag is read anew")

            let rc1 = try await c.cut("one")
            #expect(try await c.send(.get, "/v2/acme/app/manifests/sandbox", as: "deployer").status == .notFound)
            try await c.promote(rc1.tag, to: "sandbox")
            let env = try await c.send(.get, "/v2/acme/app/manifests/sandbox", as: "deployer")
            #expect(env.status == .ok && env.headers[.dockerContentDigest] == rc1.digest.description, "a promotion is seen at once")

            #expect(try await c.send(.get, "/v2/acme/app/manifests/\(first.digest)", as: "deployer").status == .ok)
            #expect(try await c.send(.delete, "/v2/acme/app/manifests/\(first.digest)", as: "ci").status == .accepted)
            #expect(try await c.send(.get, "/v2/acme/app/manifests/\(first.digest)", as: "deployer").status == .notFound,
                    "a deleted manifest is gone at once")
        }
    }
}
