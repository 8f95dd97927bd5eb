#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Finds what killed processes left behind: temp files and folders named
/// `<prefix>-<pid>-<random>` (see `Posix.randomName`) whose process is gone, or that
/// nobody touched for `maxAge` (a safety net for names without a live owner to ask
/// about, such as a pid reused by another program).
public enum StaleTemporaries {
    /// What one sweep removed.
    public struct Report: Sendable, Equatable {
        public var removed = 0
        public var bytes: Int64 = 0
    }

    /// Removes the stale entries of `folder` whose names start with `prefix` + `-`.
    @discardableResult
    /// With `ownerInName` false, names carry no pid and only age counts.
    public static func sweep(_ folder: String, prefix: String, maxAge: TimeInterval = 86_400, now: Date = Date(),
                             ownerInName: Bool = true) -> Report {
        var report = Report()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return report }
        for name in names where name.hasPrefix(prefix + "-") {
            let path = folder + "/" + name
            guard let st = Posix.lstat(path) else { continue }
            let owner = ownerInName ? Int32(name.dropFirst(prefix.count + 1).split(separator: "-").first ?? "") : nil
            let age = now.timeIntervalSince1970 - Double(st.st_mtim.tv_sec)
            let ownerGone = owner.map { $0 > 0 && kill($0, 0) != 0 && errno == ESRCH } ?? false
            guard owner != getpid() || age > maxAge, ownerGone || age > maxAge else { continue }
            report.bytes += st.st_mode & S_IFMT == S_IFDIR ? 0 : Int64(st.st_size)
            Posix.removeTree(path)
            report.removed += 1
        }
        return report
    }
}
