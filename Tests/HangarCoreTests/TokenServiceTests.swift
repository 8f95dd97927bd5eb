import Foundation
import Testing
@testable import HangarCore

/// Whether `body` throws a `HangarError` of `kind`; returns its message.
private func failure(_ kind: HangarError.Kind, _ body: () async throws -> Void) async -> String? {
    do {
        try await body()
        return nil
    } catch let e as HangarError where e.kind == kind {
        return e.message
    } catch {
        return nil
    }
}

/// Every byte of the SQLite database: the file, its write-ahead log and shared memory.
private func databaseBytes(_ f: ServiceFixture) throws -> [UInt8] {
    let base = f.dir.path + "/store/metadata.sqlite"
    return try ["", "-wal", "-shm"].flatMap { suffix -> [UInt8] in
        guard FileManager.default.fileExists(atPath: base + suffix) else { return [] }
        return Array(try Data(contentsOf: URL(fileURLWithPath: base + suffix)))
    }
}

private func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
    let n = Array(needle.utf8)
    guard !n.isEmpty, haystack.count >= n.count else { return false }
    return (0...(haystack.count - n.count)).contains { i in haystack[i] == n[0] && Array(haystack[i..<i + n.count]) == n }
}

@Suite struct TokenServiceTests {
    @Test func aCreatedSecretAuthenticates() async throws {
        let f = try await ServiceFixture()
        let (record, secret) = try await f.service.createToken(name: "ci-checkout", role: .ci, projects: ["acme/checkout"], actor: "admin")
        let parts = try #require(TokenSecret.parse(secret))
        #expect(secret.hasPrefix("hgr_") && parts.id == record.id)
        #expect(record.id.utf8.count == 12 && record.id.allSatisfy { ($0.isLowercase || $0.isNumber) && $0.isASCII })
        #expect(parts.secret.utf8.count >= 43 && record.secretHash == TokenSecret.hash(parts.secret))
        #expect(try await f.service.authenticate(secret: secret) == record)
        #expect(try await f.service.tokens() == [record])
        let other = try await f.service.createToken(name: "ci-other", role: .ci, actor: "admin")
        #expect(other.0.id != record.id && other.secret != secret, "ids and secrets are random")
        let issued = try await f.service.auditLog(project: nil).filter { $0.action == AuditAction.tokenIssued.rawValue }
        #expect(issued.map(\.subject) == [record.id, other.0.id])
        #expect(issued.first?.details["role"] == "ci" && issued.first?.details["projects"] == "acme/checkout")
    }

    @Test func aWrongOrMalformedSecretIsRefused() async throws {
        let f = try await ServiceFixture()
        let (record, secret) = try await f.service.createToken(name: "ci-checkout", role: .ci, actor: "admin")
        let last = secret.last == "A" ? "B" : "A"
        let wrong = [
            String(secret.dropLast()) + last,
            TokenSecret.presented(id: record.id, secret: try TokenSecret.newSecret()),
            String(secret.dropLast()),
            secret + "x",
            secret.uppercased(),
            "", "hgr_", "hgr_\(record.id)", "Bearer \(secret)", " " + secret,
        ]
        for presented in wrong {
            #expect(await failure(.unauthorized) { _ = try await f.service.authenticate(secret: presented) } != nil,
                    "refused: \(presented)")
        }
        #expect(try await f.service.authenticate(secret: secret) == record, "the right one still works")
    }

    @Test func aTamperedIdIsRefused() async throws {
        let f = try await ServiceFixture()
        let (a, secretA) = try await f.service.createToken(name: "token-a", role: .admin, actor: "admin")
        let (b, _) = try await f.service.createToken(name: "token-b", role: .deployer, actor: "admin")
        let partA = try #require(TokenSecret.parse(secretA)).secret
        var flipped = Array(a.id)
        flipped[0] = flipped[0] == "a" ? "b" : "a"
        for id in [b.id, String(flipped), "zzzzzzzzzzzz"] {
            let message = await failure(.unauthorized) {
                _ = try await f.service.authenticate(secret: TokenSecret.presented(id: id, secret: partA))
            }
            #expect(message?.contains(id) == true, "id \(id) with token-a's secret: \(message ?? "accepted")")
        }
    }

    @Test func aRevokedTokenIsRefused() async throws {
        let f = try await ServiceFixture()
        let (record, secret) = try await f.service.createToken(name: "leaked", role: .releaser, actor: "admin")
        f.clock.advance(5)
        let revoked = try await f.service.revokeToken(id: record.id, actor: "security")
        #expect(revoked.revokedAt == f.service.now())
        let message = await failure(.unauthorized) { _ = try await f.service.authenticate(secret: secret) }
        #expect(message?.contains("revoked") == true, "\(message ?? "accepted")")
        f.clock.advance(5)
        #expect(try await f.service.revokeToken(id: record.id, actor: "security") == revoked, "revoking again changes nothing")
        #expect(try await f.service.tokens() == [revoked], "still listed, as revoked")
        #expect(await failure(.notFound) { _ = try await f.service.revokeToken(id: "nosuchtoken1", actor: "security") } != nil)
        let log = try await f.service.auditLog(project: nil).filter { $0.action == AuditAction.tokenRevoked.rawValue }
        #expect(log.map(\.subject) == [record.id] && log.first?.actor == "security")
        #expect(try await f.service.verifyAudit().ok)
    }

    @Test func anExpiredTokenIsRefused() async throws {
        let f = try await ServiceFixture()
        let expiry = f.service.now().addingTimeInterval(60)
        let (record, secret) = try await f.service.createToken(name: "short-lived", role: .deployer, expiresAt: expiry, actor: "admin")
        #expect(record.expiresAt == expiry)
        f.clock.advance(59)
        #expect(try await f.service.authenticate(secret: secret) == record, "valid until it expires")
        f.clock.advance(1)
        let message = await failure(.unauthorized) { _ = try await f.service.authenticate(secret: secret) }
        #expect(message?.contains("expired") == true, "\(message ?? "accepted")")
    }

    @Test func onlyTheHashOfTheSecretIsStored() async throws {
        let f = try await ServiceFixture()
        let (record, secret) = try await f.service.createToken(name: "ci-checkout", role: .ci, actor: "admin")
        let part = try #require(TokenSecret.parse(secret)).secret
        let bytes = try databaseBytes(f)
        let (hash, whole, prefix) = (contains(bytes, record.secretHash), contains(bytes, part), contains(bytes, String(part.prefix(16))))
        #expect(hash, "the hash is found: the search looks at the right bytes")
        #expect(!whole, "the secret is nowhere in the database")
        #expect(!prefix, "not even a part of it")
    }

    @Test func namesScopesAndExpiriesAreValidated() async throws {
        let f = try await ServiceFixture()
        let service = f.service
        let past = service.now().addingTimeInterval(-1)
        let invalid: [(String, @Sendable () async throws -> Void)] = [
            ("capitals", { _ = try await service.createToken(name: "CI", role: .ci, actor: "a") }),
            ("empty name", { _ = try await service.createToken(name: "", role: .ci, actor: "a") }),
            ("a slash", { _ = try await service.createToken(name: "ci/x", role: .ci, actor: "a") }),
            ("a bad project", { _ = try await service.createToken(name: "ci", role: .ci, projects: ["Acme"], actor: "a") }),
            ("environments on ci", { _ = try await service.createToken(name: "ci", role: .ci, environments: ["staging"], actor: "a") }),
            ("a bad environment", { _ = try await service.createToken(name: "rel", role: .releaser, environments: ["Prod"], actor: "a") }),
            ("an expiry in the past", { _ = try await service.createToken(name: "ci", role: .ci, expiresAt: past, actor: "a") }),
        ]
        for (label, body) in invalid {
            #expect(await failure(.invalidInput, body) != nil, "\(label) is refused")
        }
        _ = try await service.createToken(name: "ci", role: .ci, actor: "a")
        let message = await failure(.conflict) { _ = try await service.createToken(name: "ci", role: .admin, actor: "a") }
        #expect(message?.contains("ci") == true, "a taken name is a conflict: \(message ?? "accepted")")
        #expect(try await service.tokens().count == 1)
    }
}

@Suite struct DeploymentReportServiceTests {
    @Test func reportsShowInStatusAndHistory() async throws {
        let f = try await ServiceFixture()
        let rc1 = try await f.candidate("one")
        let rc2 = try await f.candidate("two", commit: ServiceFixture.sha2, pick: true)
        let first = try #require(try await f.service.promote("acme/checkout", ref: rc1.tag, to: "sandbox", actor: "a").deployment)
        #expect(try await f.service.status("acme/checkout")[0].report == nil, "no report yet")
        let started = try await f.service.reportDeployment(project: "acme/checkout", environment: "sandbox", deploymentID: first.id,
                                                           status: .inProgress, message: nil, agent: "agent-1")
        f.clock.advance(1)
        let done = try await f.service.reportDeployment(project: "acme/checkout", environment: "sandbox", deploymentID: first.id,
                                                        status: .succeeded, message: "3 hosts", agent: "agent-1")
        #expect(try await f.service.status("acme/checkout")[0].report == done, "the newest report")
        #expect(try await f.service.status("acme/checkout")[1].report == nil, "staging has none")
        let second = try #require(try await f.service.promote("acme/checkout", ref: rc2.tag, to: "sandbox", actor: "a").deployment)
        #expect(try await f.service.status("acme/checkout")[0].report == nil, "the move in effect has no report yet")
        let failed = try await f.service.reportDeployment(project: "acme/checkout", environment: "sandbox", deploymentID: second.id,
                                                          status: .failed, message: "exit 1", agent: "agent-2")
        #expect(try await f.service.status("acme/checkout")[0].report == failed)
        let history = try await f.service.history("acme/checkout", environment: "sandbox")
        #expect(history.map(\.deployment.id) == [second.id, first.id])
        #expect(history.map(\.reports) == [[failed], [done, started]])
        let audited = try await f.service.auditLog(project: "acme/checkout").filter { $0.action == AuditAction.deploymentReported.rawValue }
        #expect(audited.map(\.actor) == ["agent-1", "agent-1", "agent-2"])
        #expect(audited.last?.details["deployment"] == String(second.id) && audited.last?.details["status"] == "failed")
        #expect(try await f.service.verifyAudit().ok)
    }

    @Test func aReportOnWhatDoesNotExistIsRefused() async throws {
        let f = try await ServiceFixture()
        let rc1 = try await f.candidate("one")
        let d = try #require(try await f.service.promote("acme/checkout", ref: rc1.tag, to: "sandbox", actor: "a").deployment)
        let before = try await f.service.auditLog(project: nil).count
        let cases: [(String, String, Int64, HangarError.Kind)] = [
            ("acme/checkout", "sandbox", d.id + 10, .notFound),
            ("acme/checkout", "staging", d.id, .notFound),
            ("acme/checkout", "qa", d.id, .notFound),
            ("ghost/project", "sandbox", d.id, .notFound),
        ]
        for (project, env, id, kind) in cases {
            let message = await failure(kind) {
                _ = try await f.service.reportDeployment(project: project, environment: env, deploymentID: id,
                                                         status: .succeeded, message: nil, agent: "agent")
            }
            #expect(message != nil, "\(project) \(env) \(id) refused as \(kind)")
        }
        #expect(try await f.service.auditLog(project: nil).count == before, "nothing audited")
        // An over-long message is shortened, never a reason to lose the report.
        let long = String(repeating: "é", count: HangarService.reportMessageLimit)
        let kept = try await f.service.reportDeployment(project: "acme/checkout", environment: "sandbox", deploymentID: d.id,
                                                        status: .failed, message: long, agent: "agent")
        #expect(kept.status == .failed && kept.message!.utf8.count <= HangarService.reportMessageLimit)
        #expect(kept.message!.hasPrefix("éé") && kept.message!.hasSuffix("[8192 bytes, cut to 4096]"))
    }
}
