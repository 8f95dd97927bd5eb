import Foundation
import Testing
@testable import HangarCore

@Suite struct CanonicalJSONTests {
    @Test func sortsKeysAndHasNoWhitespace() {
        let v = CanonicalJSON.object(["b": .int(1), "a": .array([.string("x\"y\n"), .null, .bool(true)]), "C": .object([:])])
        #expect(v.text == #"{"C":{},"a":["x\"y\n",null,true],"b":1}"#)
    }

    @Test func candidateManifestIsCanonicalAndParsesBack() throws {
        let d = SHA256Hasher.digest(Array("x".utf8))
        let config = CandidateConfig(project: "acme/checkout", version: "2.4.0", rc: 1, commit: String(repeating: "a", count: 40),
                                     repository: nil, parent: nil, cherryPicks: [], createdAt: Date(timeIntervalSince1970: 0),
                                     createdBy: "ci", builder: nil, ciRun: nil)
        let m = config.manifest(configSize: 10, configDigest: d, artifacts: [ArtifactRecord(name: "api", digest: d, size: 3, mediaType: "m")])
        let bytes = m.canonicalBytes
        let parsed = try OCIManifest.parse(bytes)
        #expect(parsed == m)
        #expect(parsed.canonicalBytes == bytes)
        #expect(try CandidateConfig.parse(config.canonicalBytes) == config)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"annotations":{"org.opencontainers.image.created":"1970-01-01T00:00:00.000Z""#))
        #expect(text.contains(#""artifactType":"application/vnd.hangar.candidate.v1+json""#))
    }
}
