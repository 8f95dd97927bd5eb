import Foundation

/// One check an auditor's verification made, and what it found.
public struct VerificationCheck: Codable, Sendable, Hashable {
    public var check: String
    public var ok: Bool
    public var detail: String
}

/// The outcome of `verify-candidate` or `evidence verify`: every check, in order.
public struct VerificationReport: Codable, Sendable {
    public var subject: String
    public var checks: [VerificationCheck] = []
    public var ok: Bool { !checks.isEmpty && checks.allSatisfy(\.ok) }

    mutating func record(_ check: String, _ ok: Bool, _ detail: String) {
        checks.append(VerificationCheck(check: check, ok: ok, detail: detail))
    }

    /// Runs `body`; a thrown error becomes a failed check naming it.
    mutating func run(_ check: String, _ body: () async throws -> String) async {
        do { record(check, true, try await body()) } catch { record(check, false, "\(error)") }
    }
}

extension HangarService {
    /// Checks a candidate as an auditor would, with a public key they trust: the manifest
    /// and config hash to their digests, the provenance is signed by `key` and names
    /// exactly the manifest's artifacts, every artifact blob hashes to its digest, and every
    /// move that deployed the candidate is signed and matches its record.
    func verifyCandidate(_ project: String, ref: String, key: SigningKey) async throws -> VerificationReport {
        let c = try await resolve(project, ref)
        var report = VerificationReport(subject: "\(project) \(c.tag) \(c.digest)")
        var manifest: OCIManifest?
        await report.run("manifest") {
            manifest = try OCIManifest.parse(try await blobs.get(c.digest))
            return "\(c.digest) matches its bytes"
        }
        await report.run("config") {
            let config = try CandidateConfig.parse(try await blobs.get(c.configDigest))
            guard config.commit == c.commit, config.tag == c.tag else { throw HangarError.integrity("config says \(config.tag) @ \(config.commit)") }
            return "\(c.configDigest): \(config.tag) from \(config.commit)"
        }
        await report.run("provenance") { try await checkProvenance(c, manifest, key) }
        for a in c.artifacts {
            await report.run("artifact \(a.name)") {
                let r = try await blobs.reader(for: a.digest)
                defer { r.close() }
                try await r.drain()
                return "\(a.digest) matches its \(r.length) bytes"
            }
        }
        for d in try await moves(project, to: c.digest) {
            await report.run("move \(d.id) to \(d.environment)") { try await checkDeploymentSignature(d, tag: c.tag, key) }
        }
        return report
    }

    private func checkProvenance(_ c: CandidateRecord, _ manifest: OCIManifest?, _ key: SigningKey) async throws -> String {
        guard let p = try await provenance(of: c) else { throw HangarError.notFound("\(c.tag) has no provenance") }
        let statement = try Provenance.parse(try p.envelope.verifiedPayload(key: key, what: "provenance of \(c.tag)"))
        guard statement.predicateType == Provenance.predicateType else {
            throw HangarError.integrity("provenance predicate is \(statement.predicateType)")
        }
        let layers = (manifest?.layers ?? []).map { ($0.annotations?[Annotation.title] ?? "", $0.digest.hex) }
        let subjects = statement.subjects.map { ($0.name, $0.sha256) }
        guard subjects.count == layers.count, zip(subjects, layers).allSatisfy({ $0 == $1 }) else {
            throw HangarError.integrity("provenance subjects \(subjects.map { "\($0.0)=\($0.1.prefix(12))" }) differ from the manifest's artifacts \(layers.map { "\($0.0)=\($0.1.prefix(12))" })")
        }
        guard statement.commit == c.commit, statement.version == c.version, statement.rc == c.rc else {
            throw HangarError.integrity("provenance says \(statement.version ?? "?")-rc.\(statement.rc ?? 0) from \(statement.commit ?? "?")")
        }
        return "signed by \(key.keyID.prefix(16))…, \(subjects.count) subject(s), built by \(statement.builder ?? "?")"
    }

    /// Checks that a move's signed statement is by `key` and says what the record says.
    func checkDeploymentSignature(_ d: DeploymentRecord, tag: String, _ key: SigningKey) async throws -> String {
        guard let bytes = try await moveEnvelope(d) else { throw HangarError.notFound("move \(d.id) has no signed statement") }
        let envelope = try DSSEEnvelope.parse(bytes, what: "statement of move \(d.id)")
        let payload = try envelope.verifiedPayload(key: key, what: "statement of move \(d.id)")
        guard payload == DeploymentStatement.bytes(for: d, tag: tag) else {
            throw HangarError.integrity("move \(d.id): the signed statement differs from the deployment record")
        }
        return "\(d.kind.rawValue) by \(d.actor) at \(Timestamp.format(d.at)), signed"
    }
}
