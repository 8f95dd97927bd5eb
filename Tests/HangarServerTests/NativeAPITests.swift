import Foundation
import HTTPTypes
@testable import HangarCore
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HangarServer

@Suite struct NativeAPITests {
    let p = "/api/v1/projects/acme/app/-"

    @Test func theReleaseFlowRunsOverTheNativeAPI() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let created = try await c.json(.post, "/api/v1/projects", ["name": "acme/app"])
            #expect(try created.status == .created && (created.decode(ProjectInfo.self)).environments.count == 3)
            let rc1 = try await c.cut("one")
            let rc2 = try await c.cut("two", commit: String(repeating: "b", count: 40), cherryPick: true)
            #expect(rc2.parent == rc1.digest && rc2.tag == "1.0.0-rc.2")
            let moved = try await c.promote(rc1.tag, to: "sandbox").decode(MoveOutcome.self)
            #expect(moved.deployment?.actor == "releaser" && moved.candidate.digest == rc1.digest)
            try await c.promote(rc2.tag, to: "sandbox")
            let back = try await c.json(.post, "\(p)/environments/sandbox/rollback", as: "releaser", [String: String]())
            #expect(try back.decode(MoveOutcome.self).candidate.tag == rc1.tag)
            let status = try await c.send(.get, "\(p)/status", as: "deployer").decode([EnvironmentStatus].self)
            #expect(status.map(\.environment) == ["sandbox", "staging", "production"] && status[0].tag == rc1.tag)
            let history = try await c.send(.get, "\(p)/history?env=sandbox&limit=2", as: "deployer").decode([HistoryEntry].self)
            #expect(history.map(\.deployment.kind) == [.rollback, .promote])
            let show = try await c.send(.get, "\(p)/candidates/\(rc2.tag)", as: "deployer").decode(CandidateDetails.self)
            #expect(show.parentTag == rc1.tag && show.config.commit == String(repeating: "b", count: 40))
            let diff = try await c.send(.get, "\(p)/diff?from=\(rc1.tag)&to=\(rc2.tag)", as: "deployer").decode(CandidateDiff.self)
            #expect(diff.artifacts.map(\.change) == ["changed"] && diff.cherryPicks == [String(repeating: "b", count: 40)])
            #expect(try await f.service.verifyAudit().ok)
        }
    }

    @Test func policyRefusalsAndConflictsKeepTheirStatusAndMessage() async throws {
        try await ServerFixture().test { c in
            let rc1 = try await c.cut("one")
            let refused = try await c.promote(rc1.tag, to: "production")
            #expect(refused.status == .conflict && refused.errorCode == "DENIED" && refused.errorMessage.contains("staging"))
            let stale = try await c.json(.post, "\(p)/environments/sandbox/promote", as: "releaser",
                                         PromoteBody(ref: rc1.tag, force: nil, reason: nil, expectedGeneration: 7))
            #expect(stale.status == .conflict && stale.errorCode == "CONFLICT")
            let forced = try await c.json(.post, "\(p)/environments/production/promote", as: "releaser",
                                          PromoteBody(ref: rc1.tag, force: true, reason: "hotfix", expectedGeneration: nil))
            #expect(try forced.status == .ok && (forced.decode(MoveOutcome.self)).overridden == ["predecessor"])
            let missing = try await c.send(.get, "\(p)/candidates/9.9.9-rc.1", as: "deployer")
            #expect(missing.status == .notFound && missing.errorCode == "NOT_FOUND")
            let badBody = try await c.send(.post, "\(p)/environments/sandbox/promote", as: "releaser", body: Array("{\"ref\": 5}".utf8))
            #expect(badBody.status == .badRequest && badBody.errorCode == "INVALID" && badBody.errorMessage.contains("ref"))
            let noRoute = try await c.send(.get, "\(p)/nothing", as: "deployer")
            #expect(noRoute.status == .notFound)
        }
    }

    @Test func approvalsAndReportsAreRecordedUnderTheTokenName() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let rc1 = try await c.cut("one")
            let move = try await c.promote(rc1.tag, to: "sandbox").decode(MoveOutcome.self)
            let approval = try await c.json(.post, "\(p)/environments/production/approvals", as: "releaser-prod",
                                            ApprovalBody(ref: rc1.tag, comment: "looks good"))
            #expect(try approval.decode(ApprovalRecord.self).actor == "releaser-prod")
            let report = try await c.json(.post, "\(p)/deployments/\(move.deployment!.id)/reports", as: "deployer",
                                          ReportBody(status: .succeeded, message: "rolled out"))
            let r = try report.decode(DeploymentReport.self)
            #expect(r.agent == "deployer" && r.environment == "sandbox" && r.status == .succeeded)
            let unknown = try await c.json(.post, "\(p)/deployments/999/reports", as: "deployer", ReportBody(status: .failed, message: nil))
            #expect(unknown.status == .notFound)
            let status = try await c.send(.get, "\(p)/status", as: "deployer").decode([EnvironmentStatus].self)
            #expect(status[0].report?.message == "rolled out")
        }
    }

    @Test func watchAnswersWhenTheGenerationMovesOrAtTheTimeout() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let rc1 = try await c.cut("one")
            let start = try await c.send(.get, "\(p)/environments/sandbox/watch", as: "deployer").decode(EnvironmentStatus.self)
            let timedOut = ContinuousClock.now
            let same = try await c.send(.get, "\(p)/environments/sandbox/watch?generation=\(start.generation)&timeout=1", as: "deployer")
            #expect(try same.decode(EnvironmentStatus.self).generation == start.generation)
            #expect(ContinuousClock.now - timedOut >= .milliseconds(900), "it waited for the timeout")
            async let watched = c.send(.get, "\(p)/environments/sandbox/watch?generation=\(start.generation)&timeout=30", as: "deployer")
            try await Task.sleep(for: .milliseconds(300))
            _ = try await f.service.promote(ServerFixture.project, ref: rc1.tag, to: "sandbox", actor: "elsewhere")
            let moved = try await watched.decode(EnvironmentStatus.self)
            #expect(moved.generation == start.generation + 1 && moved.tag == rc1.tag)
        }
    }

    @Test func tokensAreIssuedListedAndRevokedWithoutTheirHashes() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let issued = try await c.json(.post, "/api/v1/tokens", as: "admin",
                                          TokenRequest(name: "ci-new", role: .ci, projects: ["acme/app"]))
            #expect(issued.status == .created && !issued.text.contains("secretHash"))
            let token = try issued.decode(IssuedToken.self)
            #expect(token.secret.hasPrefix("hgr_") && token.token.createdBy == "admin")
            let me = try await c.send(.get, "/api/v1/whoami", as: nil, headers: [.authorization: "Bearer \(token.secret)"])
            #expect(try me.decode(TokenView.self).name == "ci-new" && !me.text.contains("secretHash"))
            let list = try await c.send(.get, "/api/v1/tokens", as: "admin").decode([TokenView].self)
            #expect(list.map(\.name).contains("ci-new"))
            let revoked = try await c.send(.delete, "/api/v1/tokens/\(token.token.id)", as: "admin").decode(TokenView.self)
            #expect(revoked.revokedAt != nil)
            let after = try await c.send(.get, "/api/v1/whoami", as: nil, headers: [.authorization: "Bearer \(token.secret)"])
            #expect(after.status == .unauthorized && after.errorMessage.contains("revoked"))
            let denied = try await c.denied()
            #expect(denied.map(\.pathPrefix) == ["/api/v1/whoami"] && !"\(denied)".contains(token.secret),
                    "the refusal is in the security log and the secret never recorded")
            #expect(try await f.audit(.accessDenied).isEmpty, "refusals stay out of the audit chain")
        }
    }

    @Test func datesAreISO8601UTCWithMilliseconds() async throws {
        try await ServerFixture().test { c in
            _ = try await c.cut("one")
            let text = try await c.send(.get, "/api/v1/audit?limit=1", as: "auditor").text
            let at = try #require(text.firstRange(of: /"at":"([^"]+)"/)?.lowerBound).utf16Offset(in: text)
            let value = String(text.dropFirst(at + 6).prefix(24))
            #expect(value.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(value)")
        }
    }

    @Test func anonymousReadLetsAnonymousClientsReadButNothingElse() async throws {
        let f = try await ServerFixture(anonymousRead: true)
        try await f.test { c in
            let rc1 = try await c.cut("one")
            #expect(try await c.send(.get, "/v2/", as: nil).status == .ok)
            #expect(try await c.send(.get, "/v2/acme/app/manifests/\(rc1.tag)", as: nil).status == .ok)
            #expect(try await c.send(.get, "\(p)/status", as: nil).status == .ok)
            let push = try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: nil)
            #expect(push.status == .unauthorized && push.headers[.wwwAuthenticate] != nil)
            let promote = try await c.json(.post, "\(p)/environments/sandbox/promote", as: nil, ["ref": rc1.tag])
            #expect(promote.status == .unauthorized)
            let denied = try await c.denied()
            #expect(denied.map(\.actor) == ["anonymous", "anonymous"] && denied.map(\.count) == [1, 1])
        }
    }
}
