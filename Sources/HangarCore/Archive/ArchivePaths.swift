#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rules for the relative, `/`-separated byte paths inside an artifact archive, shared by
/// the archiver and the extractor.
enum ArchivePath {
    static let slash: UInt8 = 0x2f
    static let dot: UInt8 = 0x2e

    /// A path for an error message (invalid UTF-8 is shown with replacement characters).
    static func display(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// The components of a path, without empty and `.` components (so `./a//b` is `a`, `b`).
    static func components(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(separator: slash, omittingEmptySubsequences: true).filter { !isDot($0) }
    }

    static func isDot(_ c: ArraySlice<UInt8>) -> Bool { c.count == 1 && c.first == dot }

    static func isDotDot(_ c: ArraySlice<UInt8>) -> Bool {
        c.count == 2 && c.first == dot && c.last == dot
    }

    /// Components joined with `/`.
    static func join(_ components: some Sequence<ArraySlice<UInt8>>) -> [UInt8] {
        var out: [UInt8] = []
        for c in components {
            if !out.isEmpty { out.append(slash) }
            out.append(contentsOf: c)
        }
        return out
    }

    /// `parent/name`, or `name` when the parent is the root (empty).
    static func child(_ parent: [UInt8], _ name: UnsafeRawBufferPointer) -> [UInt8] {
        var out = parent
        out.reserveCapacity(parent.count + name.count + 1)
        if !out.isEmpty { out.append(slash) }
        out.append(contentsOf: name)
        return out
    }

    /// Byte order of the names as stored in the archive (UTF-8 byte order, never the
    /// locale's collation), where a folder's stored name ends with `/` (tar convention,
    /// added by libarchive's pax writer): so `a-b` < `a/` < `a/x`.
    static func precedes(_ a: [UInt8], folder aIsFolder: Bool, _ b: [UInt8], folder bIsFolder: Bool) -> Bool {
        let common = min(a.count, b.count)
        let c = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in common == 0 ? 0 : memcmp(pa.baseAddress!, pb.baseAddress!, common) }
        }
        if c != 0 { return c < 0 }
        let aLength = a.count + (aIsFolder ? 1 : 0)
        let bLength = b.count + (bIsFolder ? 1 : 0)
        var i = common
        while i < min(aLength, bLength) {
            let x = i < a.count ? a[i] : slash
            let y = i < b.count ? b[i] : slash
            if x != y { return x < y }
            i += 1
        }
        return aLength < bLength
    }

    /// Plain byte order of two paths.
    static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        precedes(a, folder: false, b, folder: false)
    }

    /// Calls `body` with `base/relative` as a NUL-terminated C string (`base` alone when
    /// `relative` is empty, `relative` alone when `base` is).
    static func withCString<R>(
        base: [UInt8], relative: [UInt8], _ body: (UnsafePointer<CChar>) throws -> R
    ) rethrows -> R {
        var bytes = base
        bytes.reserveCapacity(base.count + relative.count + 2)
        if !relative.isEmpty {
            if !base.isEmpty { bytes.append(slash) }
            bytes.append(contentsOf: relative)
        }
        bytes.append(0)
        return try bytes.withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }
}

/// Why a symlink's target is not allowed in an artifact tree.
enum SymlinkProblem: Equatable {
    /// The target is empty.
    case empty
    /// The target is an absolute path.
    case absolute
    /// Resolving the target climbs above the root of the tree.
    case escapes
    /// Resolving the target follows more than `SymlinkResolver.maxHops` links (a loop).
    case tooManyLinks

    /// The end of an error message: "symlink 'x' points to 'y'" + this.
    var explanation: String {
        switch self {
        case .empty: ", an empty target"
        case .absolute: ", an absolute path; only relative targets inside the tree are allowed"
        case .escapes: ", which resolves outside the tree"
        case .tooManyLinks: ", which goes through too many symlinks (a loop?)"
        }
    }
}

/// The symlinks of one tree, by path, and how their targets resolve: lexically (`..` pops
/// the path written so far) or physically (every symlink met on the way is followed, as
/// the kernel does), never leaving the tree.
struct SymlinkResolver {
    /// Links followed while resolving one target before giving up (Linux stops at 40).
    static let maxHops = 40

    /// Link path (normalised, relative to the root) → target bytes as stored.
    private(set) var links: [[UInt8]: [UInt8]] = [:]

    mutating func add(path: [UInt8], target: [UInt8]) { links[path] = target }
    mutating func remove(path: [UInt8]) { links[path] = nil }

    /// Checks the target of the link at `path` (the link's own components) against the
    /// tree: lexically if `follow` is false, else following the links recorded here.
    func check(path: [ArraySlice<UInt8>], target: [UInt8], follow: Bool) -> SymlinkProblem? {
        if target.isEmpty { return .empty }
        if target.first == ArchivePath.slash { return .absolute }
        var resolved = Array(path.dropLast())
        var pending = Array(target.split(separator: ArchivePath.slash).reversed())
        var hops = 0
        while let component = pending.popLast() {
            if component.isEmpty || ArchivePath.isDot(component) { continue }
            if ArchivePath.isDotDot(component) {
                if resolved.isEmpty { return .escapes }
                resolved.removeLast()
                continue
            }
            resolved.append(component)
            guard follow, let next = links[ArchivePath.join(resolved)] else { continue }
            hops += 1
            if hops > Self.maxHops { return .tooManyLinks }
            if next.first == ArchivePath.slash || next.isEmpty { return .escapes }
            resolved.removeLast()
            pending.append(contentsOf: next.split(separator: ArchivePath.slash).reversed())
        }
        return nil
    }

    /// Checks every recorded link physically; the first offending path, sorted, and why.
    func firstEscape() -> (path: [UInt8], target: [UInt8], problem: SymlinkProblem)? {
        for path in links.keys.sorted(by: ArchivePath.precedes) {
            let target = links[path]!
            let components = path.split(separator: ArchivePath.slash)
            if let problem = check(path: components, target: target, follow: true) {
                return (path, target, problem)
            }
        }
        return nil
    }
}

/// Runs libarchive work with the thread's character type set to UTF-8, so that path names
/// are written and read as their exact bytes whatever the process locale is (valid UTF-8
/// names as pax UTF-8, others as pax binary). Only this thread is affected, only for the call.
enum ArchiveLocale {
    static func withUTF8<R>(_ body: () throws -> R) rethrows -> R {
        guard let utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil) else { return try body() }
        let previous = uselocale(utf8)
        defer {
            uselocale(previous)
            freelocale(utf8)
        }
        return try body()
    }
}
