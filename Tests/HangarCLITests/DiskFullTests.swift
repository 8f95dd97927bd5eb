import Foundation
import HangarConformance
import HangarCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The disk-full sequence, on a real `hangar serve` whose file-size limit stands in for a
/// full disk (writes past 2 MB fail with EFBIG, as they would with ENOSPC), then is lifted
/// with `prlimit` as an operator freeing space would. Before the fix the hash ran ahead of
/// the bytes and a resumed upload stored wrong bytes under the digest with 201.
@Suite struct DiskFullTests {
    @Test func aChunkTheDiskRefusedIsResumedAndTheRightBytesAreStored() async throws {
        let dir = TempDir("diskfull")
        let cli = CLI(workdir: dir.path)
        let secret = try cli.run("token", "create", "--name", "ci", "--role", "admin").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try cli.run("project", "create", "acme/app")
        let server = try await ServerProcess.start(cli, shell: "trap '' XFSZ; prlimit --fsize=2000000:unlimited --pid $$ &&")
        defer { server.stop() }
        let http = HTTP(port: server.port, token: secret)

        let a = (0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let b = (0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ 1) }
        let digest = SHA256Hasher.digest(a + b)
        let start = await http.send("POST", "/v2/acme/app/blobs/uploads/")
        let location = try #require(start.header("location"), "\(start.head)")
        #expect(await http.send("PATCH", location, body: a).status == 202)
        let refused = await http.send("PATCH", location, body: b)
        #expect(refused.status == 416 && refused.head.contains("BLOB_UPLOAD_INVALID"), "\(refused.head)")
        let offset = try #require(refused.header("range").flatMap { Int($0.split(separator: "-").last ?? "") }.map { $0 + 1 })
        #expect(offset >= a.count && offset < a.count + b.count, "the session stands at the last stored byte: \(offset)")

        // Space is freed; the client asks where the upload stands and resumes from there.
        let raise = try Process.run(URL(fileURLWithPath: "/usr/bin/prlimit"),
                                    arguments: ["--pid", String(server.process.processIdentifier), "--fsize=unlimited"])
        raise.waitUntilExit()
        let status = await http.send("GET", location)
        #expect(status.header("range") == "0-\(offset - 1)", "\(status.head)")
        let rest = Array((a + b)[offset...])
        #expect(await http.send("PATCH", location, body: rest, headers: ["Content-Range": "\(offset)-\(a.count + b.count - 1)"]).status == 202)
        let done = await http.send("PUT", location + "?digest=\(digest)")
        #expect(done.status == 201, "\(done.head)")
        let blob = await http.send("GET", "/v2/acme/app/blobs/\(digest)")
        #expect(blob.status == 200 && blob.body == a + b, "the right bytes are stored under the digest")
        #expect(try cli.run("verify").status == 0)
    }
}

/// A minimal HTTP/1.1 client on plain sockets (one request per connection).
struct HTTP: Sendable {
    let port: Int
    let token: String

    struct Answer: Sendable {
        var status: Int
        var head: String
        var body: [UInt8]
        func header(_ name: String) -> String? {
            head.split(separator: "\r\n").first { $0.lowercased().hasPrefix(name + ":") }
                .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
    }

    func send(_ method: String, _ path: String, body: [UInt8] = [], headers: [String: String] = [:]) async -> Answer {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n"
        head += "Content-Length: \(body.count)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        return await Sockets.offPool {
            guard case .success(let raw) = Sockets.exchange(port: port, request, timeout: 30),
                  let end = (0..<max(0, raw.count - 3)).first(where: { raw[$0] == 13 && raw[$0 + 1] == 10 && raw[$0 + 2] == 13 && raw[$0 + 3] == 10 })
            else { return Answer(status: 0, head: "no answer", body: []) }
            let headText = String(decoding: raw[..<end], as: UTF8.self)
            let status = Int(headText.dropFirst(9).prefix(3)) ?? 0
            let body = Array(raw[(end + 4)...])
            return Answer(status: status, head: headText + "\n" + String(decoding: body.prefix(500), as: UTF8.self), body: body)
        }
    }
}
