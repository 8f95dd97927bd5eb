import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Uploads and downloads stream: a 160 MiB artifact goes up and comes back down while the
/// `hangar` process's peak resident memory stays far below the artifact's size.
@Suite struct StreamingMemoryTests {
    static let size = 160 << 20

    @Test func aLargeArtifactMovesWithFlatMemory() throws {
        let s = try RemoteFlowTests.Setup()
        try FileManager.default.createDirectory(atPath: s.dir.path + "/big", withIntermediateDirectories: true)
        try copyRandom(Self.size, to: s.dir.path + "/big/data.bin")
        try s.hangar.ok("project", "create", "acme/big")
        let up = try peakMemory(s.hangar, ["cut", "acme/big", "--version", "1.0.0", "--commit", RemoteFlowTests.sha1,
                                           "--artifact", "data=big", "--compression", "none"])
        #expect(up.status == 0)
        #expect(up.peakBytes < 120 << 20, "cut of \(Self.size >> 20) MiB peaked at \(up.peakBytes >> 20) MiB")
        let down = try peakMemory(s.hangar, ["fetch", "acme/big", "1.0.0-rc.1", "--to", s.dir.path + "/out"])
        #expect(down.status == 0)
        #expect(down.peakBytes < 120 << 20, "fetch of \(Self.size >> 20) MiB peaked at \(down.peakBytes >> 20) MiB")
        let attributes = try FileManager.default.attributesOfItem(atPath: s.dir.path + "/out/data/data.bin")
        #expect((attributes[.size] as? Int) == Self.size)
    }

    /// Runs `hangar args…`, sampling its peak resident set (VmHWM) until it exits.
    func peakMemory(_ h: Hangar, _ args: [String]) throws -> (status: Int32, peakBytes: Int) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: HangarBinary.path)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: h.workdir)
        var env = ProcessInfo.processInfo.environment
        env["HANGAR_STORE"] = h.localStore
        for (k, v) in h.environment { env[k] = v }
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        var peak = 0
        while p.isRunning {
            if let text = try? String(contentsOfFile: "/proc/\(p.processIdentifier)/status", encoding: .utf8),
               let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kb = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
                peak = max(peak, kb * 1024)
            }
            usleep(20_000)
        }
        p.waitUntilExit()
        return (p.terminationStatus, peak)
    }

    /// Writes `count` random bytes (incompressible, so the archive is as large).
    func copyRandom(_ count: Int, to path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        defer { try? out.close(); try? random.close() }
        var left = count
        while left > 0 {
            let chunk = try #require(try random.read(upToCount: min(left, 4 << 20)))
            try out.write(contentsOf: chunk)
            left -= chunk.count
        }
    }
}
