import Foundation
import HangarConformance
import HangarCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A server killed with SIGKILL in the middle of a chunked upload loses nothing the
/// client sent it: a server started again on the same store (or, past one machine,
/// another server) reports where the upload stands and finishes it.
@Suite struct ServerRestartTests {
    @Test func anUploadSurvivesSIGKILLMidChunk() async throws {
        let dir = TempDir("restart")
        let cli = CLI(workdir: dir.path)
        let secret = try cli.run("token", "create", "--name", "ci", "--role", "admin").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try cli.run("project", "create", "acme/app")
        let blob = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }

        let first = try await ServerProcess.start(cli)
        let firstPort = first.port
        let http = HTTP(port: firstPort, token: secret)
        let location = try #require(await http.send("POST", "/v2/acme/app/blobs/uploads/").header("location"))
        #expect(await http.send("PATCH", location, body: Array(blob[..<1_000_000])).status == 202)
        // A second chunk of 2,000,000 bytes of which 1,200,000 arrive before the server dies.
        let fd = try #require(Sockets.connect(port: firstPort))
        let head = "PATCH \(location) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(secret)\r\nContent-Length: 2000000\r\n\r\n"
        _ = Sockets.send(fd, Array(head.utf8))
        var sent = 0
        while sent < 1_200_000 {
            let n = blob[(1_000_000 + sent)..<(2_200_000)].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, min($0.count, 65536), Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { break }
            sent += n
        }
        try await Task.sleep(for: .milliseconds(300))
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        close(fd)

        let second = try await ServerProcess.start(cli)
        defer { second.stop() }
        let again = HTTP(port: second.port, token: secret)
        let status = await again.send("GET", location)
        let offset = try #require(status.header("range").flatMap { Int($0.split(separator: "-").last ?? "") }.map { $0 + 1 }, "\(status.head)")
        #expect(offset >= 1_000_000 && offset <= 2_200_000, "what arrived is kept: \(offset)")
        let rest = Array(blob[offset...])
        #expect(await again.send("PATCH", location, body: rest, headers: ["Content-Range": "\(offset)-\(blob.count - 1)"]).status == 202)
        let digest = SHA256Hasher.digest(blob)
        let done = await again.send("PUT", location + "?digest=\(digest)")
        #expect(done.status == 201, "\(done.head)")
        #expect(await again.send("GET", "/v2/acme/app/blobs/\(digest)").body == blob)
        #expect(try cli.run("verify").status == 0)
    }
}
