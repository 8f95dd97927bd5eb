import Foundation
import HangarConformance
import Testing
@testable import HangarCore

/// The retention policy over many random histories (cuts, cherry-picks, promotions,
/// rollbacks, rule changes): it never collects what an environment runs, a candidate within
/// the rollback depth of an environment, nor a candidate of a retained release.
@Suite struct RetentionPolicyTests {
    struct History {
        var candidates: [CandidateRecord] = []
        var environments: [EnvironmentRecord]
        var moves: [DeploymentRecord] = []
        var now: Date
    }

    static let names = ["sandbox", "staging", "production"]

    static func history(seed: UInt64) -> History {
        var rng = SplitMix64(seed: seed)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var h = History(environments: names.enumerated().map {
            EnvironmentRecord(project: "p", name: $1, position: $0, policy: EnvironmentPolicy(), current: nil, generation: 0, updatedAt: nil)
        }, now: t0)
        var versions: [String: Int] = [:]
        for step in 0..<Int.random(in: 20...120, using: &rng) {
            h.now = t0.addingTimeInterval(Double(step) * Double.random(in: 60...86_400, using: &rng))
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...3:  // cut a new version or cherry-pick onto an existing one
                let version = versions.isEmpty || Bool.random(using: &rng) ? "1.\(versions.count).0" : versions.keys.randomElement(using: &rng)!
                let rc = (versions[version] ?? 0) + 1
                versions[version] = rc
                let digest = SHA256Hasher.digest(Array("\(version) \(rc) \(seed)".utf8))
                h.candidates.append(CandidateRecord(
                    project: "p", tag: "\(version)-rc.\(rc)", digest: digest, version: version, rc: rc, commit: String(repeating: "a", count: 40),
                    parent: nil, cherryPicks: [], configDigest: digest, manifestSize: 1, artifacts: [], createdAt: h.now, createdBy: "ci"))
            default:  // move an environment to a candidate (a promotion or a rollback alike)
                guard let c = h.candidates.randomElement(using: &rng) else { continue }
                let e = Int.random(in: 0..<3, using: &rng)
                h.moves.append(DeploymentRecord(id: Int64(h.moves.count + 1), project: "p", environment: names[e], from: h.environments[e].current,
                                                to: c.digest, kind: Bool.random(using: &rng) ? .promote : .rollback, actor: "r",
                                                at: h.now, reason: nil, overridden: [], auditSeq: 1))
                h.environments[e].current = c.digest
            }
        }
        return h
    }

    static func rules(seed: UInt64) -> RetentionRules {
        var rng = SplitMix64(seed: seed ^ 0xABCDEF)
        return RetentionRules(rollbackDepth: Int.random(in: 0...4, using: &rng), releases: Bool.random(using: &rng) ? Int.random(in: 0...3, using: &rng) : nil,
                              supersededAfterSeconds: Bool.random(using: &rng) ? Int.random(in: 0...200_000, using: &rng) : nil,
                              untaggedAfterSeconds: 60)
    }

    @Test(arguments: 0..<300)
    func neverCollectsWhatTheRulesKeep(seed: UInt64) {
        let h = Self.history(seed: seed)
        let rules = Self.rules(seed: seed)
        let decisions = RetentionPolicy.evaluate(rules, now: h.now, candidates: h.candidates, environments: h.environments, moves: h.moves)
        #expect(decisions.count == h.candidates.count, "one decision per candidate")
        let collected = Set(decisions.filter { !$0.value.isKept }.map(\.key))
        // 1. What an environment runs.
        for env in h.environments {
            if let current = env.current { #expect(!collected.contains(current), "seed \(seed): \(env.name) runs it") }
        }
        // 2. The last `rollbackDepth` distinct candidates each environment ran before its current one.
        for env in h.environments {
            var seen: Set<Digest> = env.current.map { [$0] } ?? []
            var targets: [Digest] = []
            for move in h.moves.filter({ $0.environment == env.name }).reversed() where targets.count < rules.rollbackDepth {
                if seen.insert(move.to).inserted { targets.append(move.to) }
            }
            for t in targets { #expect(!collected.contains(t), "seed \(seed): rollback target of \(env.name)") }
        }
        // 3. Every candidate of the last `releases` versions to reach production.
        let byDigest = Dictionary(uniqueKeysWithValues: h.candidates.map { ($0.digest, $0) })
        var releaseOrder: [String] = []
        for move in h.moves.reversed() where move.environment == "production" {
            if let v = byDigest[move.to]?.version, !releaseOrder.contains(v) { releaseOrder.append(v) }
        }
        let retained = rules.releases.map { Array(releaseOrder.prefix($0)) } ?? releaseOrder
        for c in h.candidates where retained.contains(c.version) {
            #expect(!collected.contains(c.digest), "seed \(seed): \(c.tag) belongs to a retained release")
        }
        // 4. The newest candidate of a version that never reached production.
        for (version, group) in Dictionary(grouping: h.candidates, by: \.version) where !releaseOrder.contains(version) {
            let newest = group.max(by: { $0.rc < $1.rc })!
            #expect(!collected.contains(newest.digest), "seed \(seed): newest of unreleased \(version)")
        }
        // And what goes names the rule that let it go.
        for d in collected {
            guard case .collect(let rule)? = decisions[d] else { continue }
            #expect(rule.hasPrefix("releases") || rule.hasPrefix("superseded-rcs"), "seed \(seed): \(rule)")
        }
    }

    @Test func keepingEverythingCollectsNothing() {
        for seed in UInt64(0)..<50 {
            let h = Self.history(seed: seed)
            let all = RetentionRules(rollbackDepth: 1000, releases: nil, supersededAfterSeconds: nil, untaggedAfterSeconds: 60)
            let decisions = RetentionPolicy.evaluate(all, now: h.now, candidates: h.candidates, environments: h.environments, moves: h.moves)
            let allKept = decisions.values.allSatisfy { $0.isKept }
            #expect(allKept, "seed \(seed)")
        }
    }

    @Test func rulesOutOfRangeAreRefusedByName() {
        #expect(throws: HangarError.self) { _ = try RetentionRules(rollbackDepth: -1).validated() }
        #expect(throws: HangarError.self) { _ = try RetentionRules(releases: -3).validated() }
        #expect(throws: HangarError.self) { _ = try RetentionRules(supersededAfterSeconds: Int.max).validated() }
        #expect(RetentionRules.defaults.description == "environments: all, rollback-depth: 5, releases: last 10, superseded-rcs: 14d, untagged: 1d")
    }
}
