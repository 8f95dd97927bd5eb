#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `fetch --to DIR` replaces DIR whole, so it owns only folders it made: it leaves a marker
/// beside the folder (`.<name>.hangar-fetch`, the candidate it holds) and refuses to replace
/// a non-empty folder without one unless told to (`--replace`). An absent or empty folder
/// is fine. The marker sits next to the folder, not in it, so the fetched tree is exactly
/// the artifacts.
public enum TargetOwnership {
    /// The marker of `target`.
    public static func marker(for target: String) -> String {
        var trimmed = target
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return ".\(trimmed).hangar-fetch" }
        return String(trimmed[...slash]) + ".\(trimmed[trimmed.index(after: slash)...]).hangar-fetch"
    }

    /// Throws `conflict` when `target` is a non-empty folder without a marker and `replace` is false.
    public static func check(_ target: String, replace: Bool) throws {
        guard !replace, let entries = try? FileManager.default.contentsOfDirectory(atPath: target), !entries.isEmpty else { return }
        guard access(marker(for: target), F_OK) != 0 else { return }
        let shown = entries.sorted().prefix(3).joined(separator: ", ") + (entries.count > 3 ? ", …" : "")
        throw HangarError.conflict("\(target) holds files hangar fetch did not put there (\(shown)): fetch replaces its folder whole, so it refuses; "
            + "fetch into an empty or new folder, or pass --replace to replace \(target) and everything in it")
    }

    /// Records that `target` now holds what fetch put there.
    public static func claim(_ target: String, project: String, tag: String, digest: Digest) throws {
        let text = "{\"project\":\"\(project)\",\"tag\":\"\(tag)\",\"digest\":\"\(digest)\"}\n"
        let bytes = Array(text.utf8)
        try AtomicFileOutput.write(to: marker(for: target)) { sink in try bytes.withUnsafeBytes(sink) }
    }
}
