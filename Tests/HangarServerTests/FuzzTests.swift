import Foundation
import HangarConformance
@testable import HangarCore
import Hummingbird
import HummingbirdTesting
import HangarBackends
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import HangarServer

/// Every parser reachable from the network or an archive, fed mutated inputs. A crash ends
/// the test process (a failure with the seed printed first); a broken property fails the
/// test. `make test` runs a bounded pass, `make fuzz` a long one (`Fixtures/fuzz/README.md`).
@Suite(.serialized) struct FuzzTests {
    init() { print("fuzz: seed \(Fuzzer.seed), replay with HANGAR_FUZZ_SEED=\(Fuzzer.seed)") }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func digestsAndNames() throws {
        var f = Fuzzer(salt: "names")
        let seeds = try Fuzzer.corpus("fuzz/digest") + Fuzzer.corpus("fuzz/names")
        f.run(seeds, count: Fuzzer.iterations(20_000)) { bytes in
            let s = Self.text(bytes)
            if let d = Digest.valid(s) { #expect(d.description == s, "a digest has one spelling") }
            _ = try? Names.checkProject(s)
            _ = try? Names.checkEnvironment(s)
            _ = try? Names.checkVersion(s)
            _ = try? Names.checkArtifact(s)
            _ = try? Names.checkCommit(s)
            _ = Names.parseCandidateTag(s)
            _ = Names.isValidTag(s)
        }
    }

    @Test func manifestsAndContentTypes() throws {
        var f = Fuzzer(salt: "manifest"), g = Fuzzer(salt: "content-type")
        let types = try Fuzzer.corpus("fuzz/content-type")
        f.run(try Fuzzer.corpus("fuzz/manifest") + types, count: Fuzzer.iterations(20_000)) { bytes in
            let contentType = Self.text(g.mutate(types))
            _ = MediaTypeHeader.essence(contentType)
            _ = try? ManifestDocument.parse(bytes, contentType: contentType)
            _ = try? ManifestDocument.parse(bytes, contentType: nil)
        }
    }

    @Test func rangesDurationsAndTimes() throws {
        var f = Fuzzer(salt: "range")
        let seeds = try Fuzzer.corpus("fuzz/range") + Fuzzer.corpus("fuzz/duration") + Fuzzer.corpus("fuzz/timestamp")
        f.run(seeds, count: Fuzzer.iterations(20_000)) { bytes in
            let s = Self.text(bytes)
            for size: Int64 in [0, 1, 1000, Int64.max] {
                if let r = try? ByteRange.resolve(s, size: size) {
                    #expect(r.lowerBound >= 0 && r.upperBound <= size && !r.isEmpty, "\(s) of \(size) gave \(r)")
                }
            }
            if let c = try? ChunkRange(parsing: s) { #expect(c.length > 0) }
            if let t = try? TimeSpan.parse(s) {
                #expect((0...TimeSpan.maximumSeconds).contains(t.seconds))
                _ = t.description
            }
            if let d = try? Timestamp.parse(s) { _ = Timestamp.format(d); _ = Timestamp.milliseconds(d) }
            _ = TimeSpan.format(Double(bitPattern: UInt64(truncatingIfNeeded: s.hashValue)))
        }
    }

    @Test func requestPathsAndCredentials() throws {
        var f = Fuzzer(salt: "paths")
        f.run(try Fuzzer.corpus("fuzz/paths") + Fuzzer.corpus("fuzz/authorization"), count: Fuzzer.iterations(20_000)) { bytes in
            let s = Self.text(bytes)
            if let parts = try? PathSegments.split(Substring(s)) {
                #expect(parts.allSatisfy { !$0.isEmpty && !$0.contains("/") })
            }
            if let route = try? OCIRoute.parse(s), let name = route.name { #expect((try? Names.checkProject(name)) != nil) }
            _ = try? ProjectRoute.parse(s)
            _ = try? Credentials.secret(fromAuthorization: s)
            _ = SecurityEvent.pathPrefix(s)
            _ = APIError.bounded(s)
        }
    }

    /// Policy and token bodies, decoded as the API does and handed to the core's checks.
    @Test func policyAndTokenBodies() async throws {
        let dir = TempDir("fuzz-bodies")
        let service = try await HangarService.openEmbedded(at: dir.path)
        _ = try await service.createProject("acme/app", actor: "fuzz")
        var f = Fuzzer(salt: "bodies")
        var inputs: [[UInt8]] = []
        f.run(try Fuzzer.corpus("fuzz/policy") + Fuzzer.corpus("fuzz/token"), count: Fuzzer.iterations(1_500)) { inputs.append($0) }
        for bytes in inputs {
            if let policy = try? HangarJSON.decoder.decode(EnvironmentPolicy.self, from: Data(bytes)) {
                if (try? await service.setPolicy("acme/app", environment: "staging", policy: policy, actor: "fuzz")) != nil {
                    #expect((0...TimeSpan.maximumSeconds).contains(policy.minimumSoakSeconds ?? 0))
                }
                _ = try? await service.projectInfo("acme/app")
            }
            if let token = try? HangarJSON.decoder.decode(TokenRequest.self, from: Data(bytes)) {
                _ = try? await service.createToken(name: token.name, role: token.role, projects: token.projects ?? [],
                                                   environments: token.environments ?? [], expiresAt: token.expiresAt, actor: "fuzz")
            }
            _ = try? HangarJSON.decoder.decode(ReportBody.self, from: Data(bytes))
            _ = try? HangarJSON.decoder.decode(PromoteBody.self, from: Data(bytes))
        }
        let blob = try await service.blobs.put(Array("build".utf8))
        let artifact = ArtifactRecord(name: "app", digest: blob.digest, size: blob.size, mediaType: ArchiveCompression.none.mediaType)
        let rc = try await service.cut(CutRequest(project: "acme/app", version: "1.0.0", commit: String(repeating: "a", count: 40),
                                                  artifacts: [artifact]), actor: "fuzz")
        _ = try? await service.promote("acme/app", ref: rc.candidate.tag, to: "sandbox", options: MoveOptions(), actor: "fuzz")
        _ = try? await service.promote("acme/app", ref: rc.candidate.tag, to: "staging", options: MoveOptions(), actor: "fuzz")
    }

    /// Archives: mutated hostile and valid archives never write outside the target.
    @Test func archivesNeverEscape() throws {
        let dir = TempDir("fuzz-archive")
        var f = Fuzzer(salt: "archive")
        let seeds = try Fuzzer.corpus("hostile").filter { !$0.starts(with: Array("#!".utf8)) }
        let target = dir.path + "/sandbox/out"
        try FileManager.default.createDirectory(atPath: dir.path + "/sandbox", withIntermediateDirectories: true)
        try f.run(seeds, count: Fuzzer.iterations(400)) { bytes in
            var offset = 0
            _ = try? SafeExtractor(limits: ExtractionLimits(maxTotalBytes: 1 << 20, maxEntries: 1000, maxEntrySize: 1 << 20))
                .extract(into: target) { buffer in
                    let n = min(buffer.count, bytes.count - offset)
                    buffer.copyBytes(from: bytes[offset..<offset + n])
                    offset += n
                    return n
                }
            let outside = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/sandbox").filter { $0 != "out" }
            #expect(outside.isEmpty, "extraction wrote beside its target: \(outside)")
            try? FileManager.default.removeItem(atPath: target)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["sandbox"], "nothing left beside the sandbox")
        }
    }

    /// Chunked request bodies through the real server: never a 5xx, and it keeps answering.
    @Test func chunkedBodiesThroughTheServer() async throws {
        try await ServerFixture().test(.live) { c in
            let port = try #require(c.raw.port)
            var f = Fuzzer(salt: "chunked")
            var bodies: [[UInt8]] = []
            f.run(try Fuzzer.corpus("fuzz/chunked"), count: Fuzzer.iterations(150)) { bodies.append($0) }
            let head = RawHTTP.head("POST", "/v2/acme/app/blobs/uploads/?digest=sha256:" + String(repeating: "0", count: 64),
                                    ["Authorization": "Bearer \(c.secrets["ci"]!)", "Transfer-Encoding": "chunked", "Connection": "close"])
            for body in bodies {
                let answer = try await Self.sendAndHalfClose(port: port, head + body)
                let status = Self.text(Array(answer.prefix(12)))
                #expect(!status.hasPrefix("HTTP/1.1 5"), "body \(Self.text(body).debugDescription): \(Self.text(answer).prefix(200))")
            }
            #expect(try await c.send(.get, "/healthz", as: nil).status == .ok)
        }
    }

    /// Sends `bytes`, closes the sending side (so a body cut short ends), reads the answer.
    static func sendAndHalfClose(port: Int, _ bytes: [UInt8]) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    let fd = try #require(TestSockets.connect(port: port))
                    defer { close(fd) }
                    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    shutdown(fd, Int32(SHUT_WR))
                    var tv = timeval(tv_sec: 10, tv_usec: 0)
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                    var out: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 4096)
                    while true {
                        let n = recv(fd, &buffer, buffer.count, 0)
                        if n <= 0 { break }
                        out += buffer[0..<n]
                    }
                    return out
                })
            }.start()
        }
    }
}
