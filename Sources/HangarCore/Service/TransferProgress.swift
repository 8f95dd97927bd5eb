import Foundation

/// How far a long transfer is: which phase, of which artifact, bytes done and (when known)
/// the total. One type for every transfer, local or remote, so the CLI draws one bar.
public struct TransferProgress: Sendable, Hashable {
    public enum Phase: String, Sendable {
        case archiving, uploading, downloading, extracting
    }

    public var phase: Phase
    /// The artifact (or path) being transferred.
    public var item: String
    public var done: Int64
    public var total: Int64?

    public init(_ phase: Phase, _ item: String, done: Int64, total: Int64?) {
        (self.phase, self.item, self.done, self.total) = (phase, item, done, total)
    }
}

public typealias ProgressHandler = (TransferProgress) -> Void

/// The bytes a build output holds: the sum of its regular files' sizes, which is what the
/// archiver reports as it reads (a total for archiving progress). Nil when it cannot be
/// walked (the archiver then names the problem).
public enum BuildOutputSize {
    public static func of(_ path: String) -> Int64? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        if (st.st_mode & S_IFMT) != S_IFDIR { return (st.st_mode & S_IFMT) == S_IFREG ? Int64(st.st_size) : 0 }
        guard let walker = FileManager.default.enumerator(atPath: path) else { return nil }
        var total: Int64 = 0
        while let name = walker.nextObject() as? String {
            if lstat(path + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { total += Int64(st.st_size) }
        }
        return total
    }
}
