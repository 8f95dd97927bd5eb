import Foundation

/// The commits a candidate brings since an earlier one, as CI or the CLI read them from
/// git (`git log SINCE..COMMIT`) when the candidate was cut. Hangar never reads a
/// repository itself: the changelog is what the cutter recorded, kept in the candidate's
/// config blob and so covered by its digest.
public struct Changelog: Codable, Sendable, Hashable {
    /// One commit: its full SHA and its subject line.
    public struct Entry: Codable, Sendable, Hashable {
        public var commit: String
        public var subject: String

        public init(commit: String, subject: String) {
            self.commit = commit
            self.subject = subject
        }
    }

    /// The candidate these commits follow (the previous release, or a cherry-pick's
    /// parent); nil when CI gave the list without saying from where.
    public var since: Digest?
    /// Newest first, as `git log` prints them.
    public var commits: [Entry]
    /// How many older commits in the range were left out past `maxCommits`.
    public var omitted: Int

    public static let maxCommits = 500
    public static let maxSubjectBytes = 300

    public init(since: Digest?, commits: [Entry], omitted: Int = 0) {
        self.since = since
        self.commits = commits
        self.omitted = omitted
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        since = try c.decodeIfPresent(Digest.self, forKey: .since)
        commits = try c.decode([Entry].self, forKey: .commits)
        omitted = try c.decodeIfPresent(Int.self, forKey: .omitted) ?? 0
    }

    /// Refuses what a cutter cannot have read from git: a commit that is not a full SHA,
    /// an empty, over-long or multi-line subject, too many entries.
    public func validate() throws {
        guard commits.count <= Self.maxCommits else {
            throw HangarError.invalid("the changelog has \(commits.count) commits, more than the limit of \(Self.maxCommits): keep the newest and give the rest as 'omitted'")
        }
        guard omitted >= 0 else { throw HangarError.invalid("the changelog's 'omitted' count is negative") }
        for entry in commits {
            try Names.checkCommit(entry.commit)
            guard !entry.subject.isEmpty, entry.subject.utf8.count <= Self.maxSubjectBytes,
                  !entry.subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw HangarError.invalid("the changelog subject of commit \(entry.commit.prefix(12)) must be one line of 1 to \(Self.maxSubjectBytes) bytes")
            }
        }
    }

    /// A changelog file as CI writes it with `git log --format='%H %s' SINCE..COMMIT`: one
    /// commit per line, full SHA, a space, the subject; blank lines and `#` comments skipped.
    /// Subjects are cut to `maxSubjectBytes`; past `maxCommits` lines the rest is counted
    /// as omitted.
    public static func parse(_ text: String, since: Digest? = nil, source: String) throws -> Changelog {
        var entries: [Entry] = []
        var omitted = 0
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ", maxSplits: 1)
            let commit = String(parts[0])
            guard (try? Names.checkCommit(commit)) != nil else {
                throw HangarError.invalid("\(source) line \(number + 1): '\(line.prefix(60))' does not start with a full commit SHA (write it with git log --format='%H %s')")
            }
            guard entries.count < maxCommits else { omitted += 1; continue }
            entries.append(Entry(commit: commit, subject: cleanSubject(parts.count > 1 ? String(parts[1]) : "")))
        }
        return Changelog(since: since, commits: entries, omitted: omitted)
    }

    /// One line, control characters removed, cut to `maxSubjectBytes` on a character
    /// boundary; `(no subject)` for an empty one.
    public static func cleanSubject(_ subject: String) -> String {
        let scalars = subject.unicodeScalars.filter { $0.properties.generalCategory != .control }
        var text = String(String.UnicodeScalarView(scalars)).trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return "(no subject)" }
        guard text.utf8.count > maxSubjectBytes else { return text }
        while text.utf8.count > maxSubjectBytes - 3 { text.removeLast() }  // room for the 3 bytes of "…"
        return text + "…"
    }
}
