#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import HangarCore

/// A fresh temp folder for one archive test, removed with everything in it when released.
final class ArchiveScratch {
    let path: String

    init() throws {
        var template = Array("/tmp/hangar-archive-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HangarError(.io, "mkdtemp failed") }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func at(_ relative: String) -> String { relative.isEmpty ? path : path + "/" + relative }

    func makeFolder(_ relative: String, mode: mode_t = 0o755) throws {
        try FileManager.default.createDirectory(atPath: at(relative), withIntermediateDirectories: true)
        chmod(at(relative), mode)
    }

    func write(_ relative: String, _ text: String, mode: mode_t = 0o644) throws {
        try write(relative, Array(text.utf8), mode: mode)
    }

    func write(_ relative: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let url = URL(fileURLWithPath: at(relative))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        chmod(at(relative), mode)
    }

    func symlink(_ relative: String, to target: String) throws {
        let parent = URL(fileURLWithPath: at(relative)).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        guard Glibc.symlink(target, at(relative)) == 0 else { throw HangarError(.io, "symlink \(relative) failed: \(errno)") }
    }

    func read(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: at(relative))))
    }

    /// Permission bits and type of the thing at `relative`, not following a symlink.
    func mode(_ relative: String) -> mode_t {
        var st = stat()
        return lstat(at(relative), &st) == 0 ? st.st_mode : 0
    }

    /// Names directly inside a folder, sorted.
    func list(_ relative: String = "") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: at(relative))) ?? []).sorted()
    }
}

/// Everything about a tree an archive is supposed to preserve: for each path, its type,
/// permission bits, and content or symlink target.
func treeSnapshot(_ root: String) -> [String: String] {
    var out: [String: String] = [:]
    func visit(_ relative: String) {
        let full = relative.isEmpty ? root : root + "/" + relative
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: full)) ?? []).sorted() {
            let child = relative.isEmpty ? name : relative + "/" + name
            let path = full + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            let perm = String(st.st_mode & 0o7777, radix: 8)
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                out[child] = "dir \(perm)"
                visit(child)
            case S_IFLNK:
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                out[child] = "link -> \(target)"
            case S_IFREG:
                let data = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
                out[child] = "file \(perm) \(SHA256Hasher.digest(Array(data)))"
            default:
                out[child] = "other \(st.st_mode)"
            }
        }
    }
    visit("")
    return out
}

/// The archive of `path` held in memory.
func archiveBytes(_ path: String, _ compression: ArchiveCompression = .none) throws -> [UInt8] {
    var out: [UInt8] = []
    _ = try DeterministicArchiver(compression: compression).archive(path, into: { out.append(contentsOf: $0) })
    return out
}

/// Runs a program and returns its standard output (stderr is discarded); throws if it fails.
func runTool(_ executable: String, _ arguments: [String], input: [UInt8]? = nil) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    let inputPipe = Pipe()
    if input != nil { process.standardInput = inputPipe }
    try process.run()
    if let input {
        // Feed stdin from another thread so a large output cannot deadlock us.
        let handle = inputPipe.fileHandleForWriting
        let data = Data(input)
        Thread.detachNewThread {
            handle.write(data)
            try? handle.close()
        }
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw HangarError(.io, "\(executable) \(arguments) exited with \(process.terminationStatus)")
    }
    return Array(data)
}
