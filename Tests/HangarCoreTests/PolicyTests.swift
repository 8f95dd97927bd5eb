import Foundation
import Testing
@testable import HangarCore

@Suite struct PolicyTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func env(_ name: String, _ position: Int, _ policy: EnvironmentPolicy = EnvironmentPolicy()) -> EnvironmentRecord {
        EnvironmentRecord(project: "acme/checkout", name: name, position: position, policy: policy)
    }

    func facts(target: EnvironmentRecord, predecessor: EnvironmentRecord?, first: Date?, approvers: [String] = [], now: Date? = nil) -> Policy.PromotionFacts {
        Policy.PromotionFacts(candidateTag: "2.4.0-rc.2", target: target, predecessor: predecessor,
                              firstInPredecessor: first, approvers: approvers, now: now ?? t0)
    }

    @Test func independentApprovalsDoNotCountTheCreatorOrThePromoter() {
        let target = env("production", 2, EnvironmentPolicy(requirePredecessor: false, requiredApprovals: 1, independentApprovals: true))
        func verdict(_ approvers: [String], promoter: String) -> [Policy.Violation] {
            Policy.promotion(Policy.PromotionFacts(candidateTag: "2.4.0-rc.2", target: target, predecessor: nil, firstInPredecessor: nil,
                                                   approvers: approvers, creator: "alice", promoter: promoter, now: t0))
        }
        #expect(verdict(["bob"], promoter: "carol").isEmpty)
        let own = verdict(["bob"], promoter: "bob")
        #expect(own.map(\.rule) == ["approvals"] && own[0].message.contains("approvals by bob, who promotes it do not count"), "\(own)")
        let both = verdict(["alice", "bob"], promoter: "bob")
        #expect(both.count == 1 && both[0].message.contains("alice, who cut it and bob, who promotes it"), "\(both)")
        #expect(verdict(["alice", "dave"], promoter: "bob").isEmpty, "one independent approval is enough")
        // Without the rule, the same approvals count.
        var plain = target
        plain.policy.independentApprovals = false
        #expect(Policy.promotion(Policy.PromotionFacts(candidateTag: "x", target: plain, predecessor: nil, firstInPredecessor: nil,
                                                       approvers: ["bob"], creator: "alice", promoter: "bob", now: t0)).isEmpty)
        #expect(Policy.approval(policy: target.policy, environment: "production", candidateTag: "x", creator: "alice", approver: "alice")
            .map(\.rule) == ["independent-approvals"])
        #expect(Policy.approval(policy: target.policy, environment: "production", candidateTag: "x", creator: "alice", approver: "bob").isEmpty)
    }

    @Test func theFirstEnvironmentTakesAnyCandidate() {
        #expect(Policy.promotion(facts(target: env("sandbox", 0, EnvironmentPolicy(requirePredecessor: false)), predecessor: nil, first: nil)).isEmpty)
    }

    @Test func aCandidateNeverInThePredecessorIsRefusedNamingTheMissingStep() {
        let v = Policy.promotion(facts(target: env("production", 2), predecessor: env("staging", 1), first: nil))
        #expect(v.map(\.rule) == ["predecessor"])
        #expect(v[0].message.contains("never deployed to staging"))
        #expect(v[0].message.contains("2.4.0-rc.2"))
    }

    @Test func aCandidateThatWasInThePredecessorIsAllowed() {
        #expect(Policy.promotion(facts(target: env("production", 2), predecessor: env("staging", 1), first: t0)).isEmpty)
    }

    @Test func soakTimeCountsFromTheFirstDeploymentToThePredecessor() {
        let target = env("production", 2, EnvironmentPolicy(minimumSoakSeconds: 3600))
        let early = Policy.promotion(facts(target: target, predecessor: env("staging", 1), first: t0, now: t0.addingTimeInterval(1800)))
        #expect(early.map(\.rule) == ["soak"])
        #expect(early[0].message.contains("30m"))
        #expect(early[0].message.contains("1h"))
        #expect(Policy.promotion(facts(target: target, predecessor: env("staging", 1), first: t0, now: t0.addingTimeInterval(3600))).isEmpty)
    }

    @Test func approvalsCountDistinctPeople() {
        let target = env("production", 2, EnvironmentPolicy(requirePredecessor: false, requiredApprovals: 2))
        let v = Policy.promotion(facts(target: target, predecessor: env("staging", 1), first: nil, approvers: ["alice", "alice"]))
        #expect(v.map(\.rule) == ["approvals"])
        #expect(v[0].message.contains("it has 1 (alice)"))
        #expect(Policy.promotion(facts(target: target, predecessor: env("staging", 1), first: nil, approvers: ["alice", "bob"])).isEmpty)
    }

    @Test func everyBrokenRuleIsReported() {
        let target = env("production", 2, EnvironmentPolicy(requirePredecessor: true, minimumSoakSeconds: 60, requiredApprovals: 1))
        #expect(Policy.promotion(facts(target: target, predecessor: env("staging", 1), first: nil)).map(\.rule) == ["predecessor", "approvals"])
    }

    func deployment(_ id: Int64, from: Digest?, to: Digest, _ kind: DeploymentKind = .promote) -> DeploymentRecord {
        DeploymentRecord(id: id, project: "p", environment: "production", from: from, to: to, kind: kind, actor: "a",
                         at: t0.addingTimeInterval(Double(id)), reason: nil, overridden: [], auditSeq: id)
    }

    @Test func rollbackGoesToThePreviousDistinctCandidateAndKeepsGoingBack() {
        let a = SHA256Hasher.digest(Array("a".utf8)), b = SHA256Hasher.digest(Array("b".utf8)), c = SHA256Hasher.digest(Array("c".utf8))
        var history = [deployment(3, from: b, to: c), deployment(2, from: a, to: b), deployment(1, from: nil, to: a)]
        #expect(Policy.rollbackTarget(current: c, history: history) == b)
        history.insert(deployment(4, from: c, to: b, .rollback), at: 0)
        #expect(Policy.rollbackTarget(current: b, history: history) == a)
        history.insert(deployment(5, from: b, to: a, .rollback), at: 0)
        #expect(Policy.rollbackTarget(current: a, history: history) == nil)
    }

    @Test func aCandidateDeployedAgainAfterARollbackFromItIsATargetAgain() {
        let a = SHA256Hasher.digest(Array("a".utf8)), b = SHA256Hasher.digest(Array("b".utf8)), c = SHA256Hasher.digest(Array("c".utf8))
        let history = [deployment(5, from: b, to: c), deployment(4, from: a, to: b), deployment(3, from: b, to: a, .rollback),
                       deployment(2, from: a, to: b), deployment(1, from: nil, to: a)]
        #expect(Policy.rollbackTarget(current: c, history: history) == b, "b was rolled back from at 3, then promoted again at 4")
        #expect(Policy.rollbackTarget(current: b, history: [deployment(6, from: c, to: b, .rollback)] + history) == a,
                "c was rolled back from at 6: past it, and past b (current) to a")
    }

    @Test func anExplicitRollbackTargetMustHaveRunThere() {
        #expect(Policy.rollback(targetTag: "2.4.0-rc.1", environment: "production", everDeployedThere: true).isEmpty)
        #expect(Policy.rollback(targetTag: "2.4.0-rc.1", environment: "production", everDeployedThere: false)[0].message
            .contains("never deployed to production"))
    }

    @Test func durationsParseAndPrint() throws {
        #expect(try TimeSpan.parse("1h30m").seconds == 5400)
        #expect(try TimeSpan.parse("90").seconds == 90)
        #expect(TimeSpan.format(5400) == "1h30m")
        #expect(throws: HangarError.self) { try TimeSpan.parse("soon") }
    }
}
