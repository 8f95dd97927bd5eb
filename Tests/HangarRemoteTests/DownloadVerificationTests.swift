import Foundation
import HangarCore
import Testing
@testable import HangarRemote

#if canImport(Glibc)
import Glibc
#endif

/// Downloads through a plain static HTTP server (Python's `http.server`) that hands out
/// whatever bytes its files hold, as a broken cache or proxy would: the client itself
/// must refuse bytes that do not hash to the digest asked for.
@Suite struct DownloadVerificationTests {
    @Test func bytesThatDoNotHashToTheirDigestAreRefusedAndNotKept() async throws {
        let dir = Scratch()
        let good = Array("the real artifact".utf8)
        let digest = SHA256Hasher.digest(good)
        let blobs = dir.path + "/www/v2/acme/app/blobs"
        try FileManager.default.createDirectory(atPath: blobs, withIntermediateDirectories: true)
        try Data("the evil artifact".utf8).write(to: URL(fileURLWithPath: "\(blobs)/\(digest)"))
        let server = try StaticHTTPServer(root: dir.path + "/www")
        defer { server.stop() }
        let transport = HTTPTransport(endpoint: try ServerEndpoint(url: server.url, token: nil))
        let landing = dir.path + "/landing"
        try FileManager.default.createDirectory(atPath: landing, withIntermediateDirectories: true)

        await #expect { _ = try await transport.downloadBlob(digest, size: nil, project: "acme/app", into: landing, progress: nil) } throws: {
            ($0 as? HangarError)?.kind == .integrity && "\($0)".contains("hashes to")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: landing).isEmpty, "nothing of the bad bytes is kept")

        try Data(good).write(to: URL(fileURLWithPath: "\(blobs)/\(digest)"))
        let blob = try await transport.downloadBlob(digest, size: Int64(good.count), project: "acme/app", into: landing, progress: nil)
        #expect(try await blob.readAll() == good)
        blob.close()
        #expect(try FileManager.default.contentsOfDirectory(atPath: landing).isEmpty, "closing removes the download")

        await #expect { _ = try await transport.downloadBlob(digest, size: 4, project: "acme/app", into: landing, progress: nil) } throws: {
            ($0 as? HangarError)?.kind == .integrity && "\($0)".contains("longer than")
        }
    }
}

/// `python3 -m http.server` on a free port, serving `root`.
final class StaticHTTPServer: @unchecked Sendable {
    let url: String
    private let process = Process()

    init(root: String) throws {
        let port = Int.random(in: 20_000..<60_000)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", root]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        url = "http://127.0.0.1:\(port)"
        for _ in 0..<100 {
            if try Self.answers(url) { return }
            usleep(50_000)
        }
        throw ServerFailure("python3 http.server did not start on port \(port)")
    }

    deinit { stop() }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    private static func answers(_ url: String) throws -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(url.split(separator: ":").last.flatMap { Int($0) } ?? 0)).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
