import Foundation

/// Checks an evidence bundle offline with a public key the auditor trusts. Every file
/// of the bundle is covered by a check, and the tar itself must be exactly the canonical
/// archive of its files, so changing any byte of the bundle fails verification.
public struct EvidenceVerifier {
    public let key: SigningKey

    public init(key: SigningKey) { self.key = key }

    /// Verifies the bundle file at `path`.
    public func verify(bundleAt path: String) throws -> VerificationReport {
        let reader = try LocalFileReader(path: path)
        defer { reader.close() }
        var bytes: [UInt8] = []
        try reader.forEachChunk { bytes += $0 }
        return try verify(bytes: bytes, name: path)
    }

    /// Verifies bundle bytes held in memory.
    public func verify(bytes: [UInt8], name: String) throws -> VerificationReport {
        var report = VerificationReport(subject: name)
        let folder = NSTemporaryDirectory() + "hangar-evidence-check-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            try EvidenceBundle.extract(bytes, into: folder)
        } catch {
            report.record("bundle", false, "not a readable evidence bundle: \(error)")
            return report
        }
        let canonical = try? canonicalArchive(of: folder)
        report.record("bundle", canonical == bytes, canonical == bytes
            ? "\(bytes.count) bytes, canonical form" : "the tar is not the canonical archive of its files: it was altered")
        var files = FileSet(root: folder)
        check(&report, &files)
        let extra = files.unread()
        report.record("no unexpected files", extra.isEmpty, extra.isEmpty ? "every file was checked" : "unchecked files: \(extra.joined(separator: ", "))")
        return report
    }

    private func canonicalArchive(of folder: String) throws -> [UInt8] {
        var out: [UInt8] = []
        _ = try DeterministicArchiver(compression: .none).archive(folder, into: { out += $0 })
        return out
    }

    private func check(_ report: inout VerificationReport, _ files: inout FileSet) {
        let dec = EvidenceBundle.decoder()
        do {
            let pem = String(decoding: try files.read("public-key.pem"), as: UTF8.self)
            let bundled = try SigningKey.load(pem: pem, source: "public-key.pem")
            guard bundled.rawPublicKey == key.rawPublicKey else {
                throw HangarError.integrity("the bundle's key \(bundled.keyID.prefix(16))… is not the key you trust (\(key.keyID.prefix(16))…)")
            }
            guard pem == (try key.publicPEM()) else {
                throw HangarError.integrity("public-key.pem is not the canonical PEM of the key you trust: it was altered")
            }
            report.record("public key", true, "key \(key.keyID.prefix(16))…")
            let index = try dec.decode(EvidenceBundle.Index.self, from: Data(try files.read("index.json")))
            let cp = try dec.decode(SignedCheckpoint.self, from: Data(try files.read("checkpoint.json"))).verified(key: key)
            report.record("checkpoint", true, "signed, \(cp.size) entries, root \(cp.rootHash.prefix(16))…, \(Timestamp.format(cp.time))")
            let manifest = try checkCandidate(index, &report, &files)
            try checkAudit(index, cp, &report, &files)
            try checkMoves(index, manifest, &report, &files)
        } catch {
            report.record("evidence", false, "\(error)")
        }
    }

    private func checkCandidate(_ index: EvidenceBundle.Index, _ report: inout VerificationReport, _ files: inout FileSet) throws -> OCIManifest {
        let manifestBytes = try files.read("manifest.json")
        guard SHA256Hasher.digest(manifestBytes) == index.digest else {
            throw HangarError.integrity("manifest.json does not hash to \(index.digest)")
        }
        let manifest = try OCIManifest.parse(manifestBytes)
        let configBytes = try files.read("config.json")
        let config = try CandidateConfig.parse(configBytes)
        guard SHA256Hasher.digest(configBytes) == manifest.config.digest, config.project == index.project, config.tag == index.tag else {
            throw HangarError.integrity("config.json is not the config of \(index.project) \(index.tag)")
        }
        report.record("candidate", true, "\(index.project) \(index.tag) \(index.digest) from \(config.commit)")
        let envelope = try DSSEEnvelope.parse(try files.read("provenance.dsse.json"), what: "provenance.dsse.json")
        let statement = try Provenance.parse(try envelope.verifiedPayload(key: key, what: "provenance"))
        let layers = manifest.layers.map { "\($0.annotations?[Annotation.title] ?? "")=\($0.digest.hex)" }
        guard statement.subjects.map({ "\($0.name)=\($0.sha256)" }) == layers, statement.commit == config.commit else {
            throw HangarError.integrity("the provenance's subjects or commit differ from the manifest and config")
        }
        report.record("provenance", true, "signed; \(layers.count) artifact(s) built by \(statement.builder ?? "?")")
        return manifest
    }

    private func checkAudit(_ index: EvidenceBundle.Index, _ cp: Checkpoint, _ report: inout VerificationReport, _ files: inout FileSet) throws {
        let dec = EvidenceBundle.decoder()
        for seq in index.auditEntries {
            let entry = try dec.decode(AuditEntry.self, from: Data(try files.read("audit/\(seq).json")))
            let proof = try dec.decode(InclusionProof.self, from: Data(try files.read("proofs/\(seq).json")))
            guard entry.seq == seq, AuditChain.hash(of: entry) == entry.hash else {
                throw HangarError.integrity("audit entry \(seq) does not match its own hash: it was edited")
            }
            guard proof.treeSize == cp.size, proof.verify(entry: entry, root: cp.rootHash) else {
                throw HangarError.integrity("audit entry \(seq) is not in the checkpoint's tree")
            }
        }
        report.record("audit entries", true, "\(index.auditEntries.count) entries, each proven in the checkpoint")
    }

    private func checkMoves(_ index: EvidenceBundle.Index, _ manifest: OCIManifest, _ report: inout VerificationReport, _ files: inout FileSet) throws {
        let dec = EvidenceBundle.decoder()
        for id in index.deployments {
            let d = try dec.decode(DeploymentRecord.self, from: Data(try files.read("deployments/\(id).json")))
            let envelopeBytes = try files.read("deployments/\(id).dsse.json")
            let entry = try dec.decode(AuditEntry.self, from: Data(try files.peek("audit/\(d.auditSeq).json")))
            let payload = try DSSEEnvelope.parse(envelopeBytes, what: "move \(id)").verifiedPayload(key: key, what: "move \(id)")
            guard d.id == id, d.to == index.digest, payload == DeploymentStatement.bytes(for: d, tag: index.tag),
                  DeploymentAudit.mismatches(d, entry).isEmpty,
                  entry.details["envelope"] == SHA256Hasher.digest(envelopeBytes).description else {
                throw HangarError.integrity("move \(id) to \(d.environment): record, signed statement and audit entry disagree")
            }
            report.record("move \(id)", true, "\(d.kind.rawValue) to \(d.environment) by \(d.actor) at \(Timestamp.format(d.at)), signed and logged")
        }
    }
}

/// The files of an extracted bundle, remembering which were read.
struct FileSet {
    let root: String
    private var read = Set<String>()

    init(root: String) { self.root = root }

    mutating func read(_ name: String) throws -> [UInt8] {
        read.insert(name)
        return try peek(name)
    }

    func peek(_ name: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: root + "/" + name) else {
            throw HangarError.integrity("the bundle has no \(name)")
        }
        return Array(data)
    }

    func unread() -> [String] {
        let all = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter {
            var dir: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + $0, isDirectory: &dir) && !dir.boolValue
        }
        return all.filter { !read.contains($0) }.sorted()
    }
}
