import Foundation
import HangarCore
import Testing

/// What a changelog accepts from a cutter, and that it is part of the config's digest.
@Suite struct ChangelogTests {
    let sha = String(repeating: "ab", count: 20)

    @Test func aFileIsReadLineByLineWithLimits() throws {
        let long = String(repeating: "é", count: 400)
        let lines = ["# comment", "", "\(sha) fix: one", "\(sha) \(long)", "\(sha)"] + Array(repeating: "\(sha) more", count: 600)
        let log = try Changelog.parse(lines.joined(separator: "\n"), source: "log.txt")
        #expect(log.commits.count == Changelog.maxCommits && log.omitted == 603 - Changelog.maxCommits)
        #expect(log.commits[0].subject == "fix: one" && log.commits[2].subject == "(no subject)")
        #expect(log.commits[1].subject.utf8.count <= Changelog.maxSubjectBytes && log.commits[1].subject.hasSuffix("…"))
        try log.validate()
        #expect(throws: HangarError.self) { try Changelog.parse("\(sha.prefix(39)) short sha", source: "log.txt") }
    }

    @Test func whatGitCannotHaveWrittenIsRefused() {
        let bad: [Changelog.Entry] = [.init(commit: sha, subject: "two\nlines"), .init(commit: sha, subject: ""),
                                      .init(commit: "HEAD", subject: "x"), .init(commit: sha, subject: String(repeating: "x", count: 301))]
        for entry in bad {
            #expect(throws: HangarError.self) { try Changelog(since: nil, commits: [entry]).validate() }
        }
        #expect(throws: HangarError.self) {
            try Changelog(since: nil, commits: Array(repeating: .init(commit: sha, subject: "x"), count: 501)).validate()
        }
    }

    @Test func theChangelogIsPartOfTheConfigAndAnOldConfigIsUnchanged() throws {
        let at = Date(timeIntervalSince1970: 1_700_000_000)
        var config = CandidateConfig(project: "a/b", version: "1.0.0", rc: 1, commit: sha, repository: nil, parent: nil,
                                     cherryPicks: [], createdAt: at, createdBy: "ci", builder: nil, ciRun: nil)
        let without = config.canonicalBytes
        #expect(!String(decoding: without, as: UTF8.self).contains("changelog"), "configs cut without one keep their bytes")
        config.changelog = Changelog(since: nil, commits: [.init(commit: sha, subject: "fix: one")])
        #expect(config.canonicalBytes != without)
        #expect(try CandidateConfig.parse(config.canonicalBytes) == config)
    }
}
