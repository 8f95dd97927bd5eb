import Foundation
import HangarCore
import Yams

#if canImport(Glibc)
import Glibc
#endif

/// The CLI's profiles file: named profiles (a server and its token, or a local store, and a
/// default project), and which one is current, as `gh` and `kubectl` keep contexts.
/// `$HANGAR_PROFILES`, else `$XDG_CONFIG_HOME/hangar/profiles.yaml`, else
/// `~/.config/hangar/profiles.yaml`; written readable by its owner only (it holds tokens).
struct ProfileFile: Codable, Equatable {
    struct Profile: Codable, Equatable {
        var server: String?
        var token: String?
        var store: String?
        var project: String?
    }

    var current: String?
    var profiles: [String: Profile] = [:]

    static var path: String {
        let env = ProcessInfo.processInfo.environment
        if let path = env["HANGAR_PROFILES"], !path.isEmpty { return path }
        if let xdg = env["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/hangar/profiles.yaml" }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.config/hangar/profiles.yaml"
    }

    /// The file at `path`; empty when there is none yet.
    static func load(_ path: String = ProfileFile.path) throws -> ProfileFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            guard !FileManager.default.fileExists(atPath: path) else { throw HangarError.invalid("profiles file \(path) cannot be read") }
            return ProfileFile()
        }
        return try parse(String(decoding: data, as: UTF8.self), source: "profiles file \(path)")
    }

    /// The file's text; unknown keys are refused (a typo such as `tokn:` would otherwise
    /// quietly leave a profile without its token).
    static func parse(_ text: String, source: String) throws -> ProfileFile {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw HangarError(.invalidInput, "\(source) is not valid YAML", cause: error)
        }
        guard let node else { return ProfileFile() }
        guard let root = node.mapping else { throw HangarError.invalid("\(source) must be a mapping: current: NAME, profiles: {NAME: …}") }
        try checkKeys(root, ["current", "profiles"], source)
        for (name, profile) in root["profiles"]?.mapping ?? [:] {
            guard let fields = profile.mapping else { throw HangarError.invalid("\(source): profile '\(name.string ?? "?")' must be a mapping") }
            try checkKeys(fields, ["server", "token", "store", "project"], "\(source), profile '\(name.string ?? "?")'")
        }
        do {
            return try YAMLDecoder().decode(ProfileFile.self, from: node)
        } catch {
            throw HangarError(.invalidInput, source, cause: error)
        }
    }

    private static func checkKeys(_ mapping: Node.Mapping, _ known: [String], _ source: String) throws {
        for key in mapping.keys where !known.contains(key.string ?? "") {
            throw HangarError.invalid("\(source): unknown key '\(key.string ?? "?")' (known: \(known.joined(separator: ", ")))")
        }
    }

    /// Writes the whole file anew (mode 0600, folder made 0700): a reader sees the old file
    /// or the new one, never half of either.
    func save(_ path: String = ProfileFile.path) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        let text = "# Hangar CLI profiles (hangar login, hangar profile). Holds tokens: keep it private.\n"
            + (try YAMLEncoder().encode(self))
        let tmp = path + "." + Posix.randomName("new")
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw HangarError.system("create", tmp, "cannot write profiles file \(path)")
        }
        guard rename(tmp, path) == 0 else {
            let error = HangarError.system("rename", path, "cannot write profiles file \(path)")
            unlink(tmp)
            throw error
        }
    }

    /// Loads the file, changes it, and writes it back whole.
    static func update(_ change: (inout ProfileFile) throws -> Void) throws {
        var file = try load()
        try change(&file)
        try file.save()
    }

    /// The profile `name` names, or an error listing the ones there are.
    func profile(_ name: String) throws -> Profile {
        if let profile = profiles[name] { return profile }
        let known = profiles.keys.sorted()
        throw HangarError.notFound("no profile '\(name)' in \(Self.path)"
            + (known.isEmpty ? " (make one with 'hangar login')" : ": there are \(known.joined(separator: ", "))"))
    }

    /// A profile name: letters, digits, '.', '_' and '-', 1 to 64 of them.
    static func checkName(_ name: String) throws {
        guard (1...64).contains(name.utf8.count),
              name.utf8.allSatisfy({ isalnum(Int32($0)) != 0 || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else {
            throw HangarError.invalid("profile name '\(name.prefix(80))' must be 1 to 64 letters, digits, '.', '_' or '-'")
        }
    }
}
