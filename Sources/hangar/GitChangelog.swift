import ArgumentParser
import Foundation
import HangarCore

/// Where `cut` and `cherry-pick` learn the commits since the previous candidate: a git
/// work tree (`--repo-path`, by default the current folder when it is one), or a file CI
/// wrote (`--changelog`), or nowhere (`--no-git`).
struct ChangelogOptions: ParsableArguments {
    @Option(name: .customLong("repo-path"),
            help: "Git work tree to check --commit against and read the commits since the previous candidate from (default: the current folder when it is one).")
    var repoPath: String?
    @Option(name: .customLong("changelog"),
            help: "File of the commits since the previous candidate, as written by git log --format='%H %s' PREVIOUS..COMMIT (instead of reading git).")
    var file: String?
    @Flag(name: .customLong("no-git"), help: "Read no git repository: record no changelog and do not check --commit.")
    var noGit = false

    /// The changelog to record with a new candidate of `project` built from `commit`, or
    /// nil when there is nothing to read it from. The previous candidate is the version's
    /// latest rc for a cherry-pick, else the project's newest candidate.
    func read(_ client: any HangarClient, project: String, version: String, commit: String, cherryPick: Bool) async throws
        -> RecordedChangelog? {
        let previous = noGit ? nil : try await client.candidates(project, version: cherryPick ? version : nil, limit: 1).first
        return try read(previous: previous, commit: commit).map { RecordedChangelog(changelog: $0, sinceTag: previous?.tag) }
    }

    private func read(previous: CandidateSummary?, commit: String) throws -> Changelog? {
        if noGit && (repoPath != nil || file != nil) {
            throw HangarError.invalid("--no-git reads no repository: leave out --repo-path and --changelog")
        }
        if repoPath != nil && file != nil { throw HangarError.invalid("give either --repo-path or --changelog, not both") }
        if noGit { return nil }
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw HangarError.notFound("changelog file \(file) cannot be read") }
            return try Changelog.parse(String(decoding: data, as: UTF8.self), since: previous?.digest, source: file)
        }
        guard let repo = try repository() else { return nil }
        guard repo.hasCommit(commit) else {
            throw HangarError.invalid("commit \(commit) is not in the git repository at \(repo.path): give the commit the artifacts were built from, --repo-path of that checkout, or --no-git")
        }
        guard let previous else { return try repo.log(since: nil, to: commit) }
        guard repo.hasCommit(previous.commit) else {
            let message = "the previous candidate \(previous.tag) was built from \(previous.commit.prefix(12)), which is not in the git repository at \(repo.path) (a shallow clone? git fetch --unshallow)"
            guard repoPath == nil else { throw HangarError.invalid(message + ", or give --no-git") }
            Terminal.error("hangar: warning: no changelog recorded: " + message)
            return nil
        }
        return try repo.log(since: previous, to: commit)
    }

    /// `--repo-path` (which must be a git work tree), else the current folder when it is one.
    private func repository() throws -> GitRepository? {
        guard let repoPath else { return GitRepository(at: FileManager.default.currentDirectoryPath) }
        guard let repo = GitRepository(at: repoPath) else {
            throw HangarError.invalid("--repo-path \(repoPath) is not a git work tree (or git is not installed)")
        }
        return repo
    }
}

/// A changelog to record and the tag of the candidate it follows, for the summary line.
struct RecordedChangelog {
    var changelog: Changelog
    var sinceTag: String?

    /// `changelog: 3 commits since 2.3.0-rc.2`.
    var summary: String {
        let count = changelog.commits.count + changelog.omitted
        return "changelog: \(count) commit\(count == 1 ? "" : "s")" + (sinceTag.map { " since \($0)" } ?? "")
    }
}

/// A git work tree, read through the `git` program.
struct GitRepository {
    let path: String

    /// Nil when `path` is not inside a git work tree or git cannot be run.
    init?(at path: String) {
        self.path = path
        guard let answer = try? run(["rev-parse", "--is-inside-work-tree"]), answer.status == 0,
              answer.output.trimmingCharacters(in: .whitespacesAndNewlines) == "true" else { return nil }
    }

    func hasCommit(_ sha: String) -> Bool {
        (try? run(["cat-file", "-e", sha + "^{commit}"]).status) == 0
    }

    /// The commits reachable from `to` and not from `since`'s commit, newest first, at most
    /// `Changelog.maxCommits` (the rest counted as omitted).
    func log(since: CandidateSummary?, to: String) throws -> Changelog {
        let range = since.map { "\($0.commit)..\(to)" } ?? to
        let listed = try checked(["log", "--no-color", "--format=%H %s", "-n", String(Changelog.maxCommits), range])
        let total = Int(try checked(["rev-list", "--count", range]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        var changelog = try Changelog.parse(listed, since: since?.digest, source: "git log")
        changelog.omitted = max(0, total - changelog.commits.count)
        return changelog
    }

    private func checked(_ arguments: [String]) throws -> String {
        let answer = try run(arguments)
        guard answer.status == 0 else {
            throw HangarError.invalid("git \(arguments.first ?? "") in \(path) failed: \(answer.error.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300))")
        }
        return answer.output
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", path] + arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
