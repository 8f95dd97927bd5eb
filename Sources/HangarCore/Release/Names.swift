/// The naming rules for projects, artifacts, environments, versions and commits. Each
/// check throws `invalidInput` saying which rule the text broke.
public enum Names {
    /// An OCI repository name: lowercase components `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    /// joined by `/`, at most 255 characters (e.g. `acme/checkout`).
    public static func checkProject(_ name: String) throws {
        guard !name.isEmpty, name.utf8.count <= 255 else {
            throw HangarError.invalid("project name '\(name)' must be 1 to 255 characters")
        }
        for component in name.split(separator: "/", omittingEmptySubsequences: false) {
            guard isComponent(Substring(component)) else {
                throw HangarError.invalid("project name '\(name)' breaks the OCI repository-name rule: each '/'-separated part must be lowercase letters and digits, separated by '.', '_', '__' or '-' (e.g. acme/checkout)")
            }
        }
    }

    /// An artifact name: one OCI name component (e.g. `api`, `web-static`).
    public static func checkArtifact(_ name: String) throws {
        guard isComponent(Substring(name)), name.utf8.count <= 128 else {
            throw HangarError.invalid("artifact name '\(name)' must be lowercase letters and digits, separated by '.', '_', '__' or '-' (OCI name component), at most 128 characters")
        }
    }

    /// An environment name: one OCI name component that is also a valid tag and cannot
    /// be mistaken for a candidate tag (e.g. `staging`).
    public static func checkEnvironment(_ name: String) throws {
        guard isComponent(Substring(name)), name.utf8.count <= 64 else {
            throw HangarError.invalid("environment name '\(name)' must be lowercase letters and digits, separated by '.', '_', '__' or '-', at most 64 characters")
        }
        guard !name.contains("-rc."), !name.first!.isNumber else {
            throw HangarError.invalid("environment name '\(name)' must not start with a digit or contain '-rc.' (it would read as a candidate tag)")
        }
    }

    /// A semantic version (semver 2.0 without build metadata, which OCI tags cannot hold).
    public static func checkVersion(_ version: String) throws {
        if version.contains("+") {
            throw HangarError.invalid("version '\(version)' has build metadata ('+…'), which an OCI tag cannot carry: drop it")
        }
        let (core, pre) = version.firstIndex(of: "-").map {
            (version[..<$0], Optional(version[version.index(after: $0)...]))
        } ?? (Substring(version), nil)
        let numbers = core.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3, numbers.allSatisfy(isNumericIdentifier) else {
            throw HangarError.invalid("version '\(version)' is not semantic versioning: expected MAJOR.MINOR.PATCH, e.g. 2.4.0")
        }
        if let pre {
            let ids = pre.split(separator: ".", omittingEmptySubsequences: false)
            guard ids.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } }),
                  ids.allSatisfy({ !$0.allSatisfy(\.isNumber) || isNumericIdentifier($0) }) else {
                throw HangarError.invalid("version '\(version)' has an invalid pre-release part '\(pre)': dot-separated [0-9A-Za-z-] identifiers, numbers without leading zeros")
            }
            if pre.hasPrefix("rc.") || pre.contains("-rc.") {
                throw HangarError.invalid("version '\(version)' must not contain '-rc.': Hangar numbers release candidates itself")
            }
        }
        guard version.utf8.count <= 100 else { throw HangarError.invalid("version '\(version)' is longer than 100 characters") }
    }

    /// A git commit: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits.
    public static func checkCommit(_ commit: String) throws {
        guard commit.utf8.count == 40 || commit.utf8.count == 64,
              commit.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw HangarError.invalid("commit '\(commit)' must be a full git SHA: 40 or 64 lowercase hex digits")
        }
    }

    /// The tag of a release candidate: `<version>-rc.<n>`.
    public static func candidateTag(version: String, rc: Int) -> String { "\(version)-rc.\(rc)" }

    /// Splits a candidate tag into version and rc number, or nil if it is not one.
    public static func parseCandidateTag(_ tag: String) -> (version: String, rc: Int)? {
        guard let range = tag.range(of: "-rc.", options: .backwards),
              let rc = Int(tag[range.upperBound...]), rc > 0,
              String(rc) == tag[range.upperBound...] else { return nil }
        return (String(tag[..<range.lowerBound]), rc)
    }

    /// An OCI tag: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
    public static func isValidTag(_ tag: String) -> Bool {
        let u = Array(tag.utf8)
        guard (1...128).contains(u.count) else { return false }
        func ok(_ c: UInt8, first: Bool) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f
                || (!first && (c == 0x2e || c == 0x2d))
        }
        return ok(u[0], first: true) && u.dropFirst().allSatisfy { ok($0, first: false) }
    }

    private static func isNumericIdentifier(_ s: Substring) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } && (s == "0" || s.first != "0")
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    static func isComponent(_ s: Substring) -> Bool {
        let u = Array(s.utf8)
        guard let first = u.first, let last = u.last, isAlnum(first), isAlnum(last) else { return false }
        var i = 0
        while i < u.count {
            if isAlnum(u[i]) { i += 1; continue }
            // A separator run: ".", "_", "__", or one or more "-".
            var j = i
            while j < u.count && !isAlnum(u[j]) { j += 1 }
            let sep = u[i..<j]
            let valid = sep.elementsEqual([0x2e]) || sep.elementsEqual([0x5f]) || sep.elementsEqual([0x5f, 0x5f])
                || sep.allSatisfy { $0 == 0x2d }
            if !valid { return false }
            i = j
        }
        return true
    }

    private static func isAlnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) }
}
