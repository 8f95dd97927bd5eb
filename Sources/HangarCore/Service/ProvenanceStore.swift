import Foundation

/// A candidate's signed provenance as stored: the DSSE envelope and the OCI artifact
/// manifest (subject = the candidate) that carries it, so the referrers API lists it.
public struct StoredProvenance: Sendable {
    public var manifest: ManifestRecord
    public var envelope: DSSEEnvelope
    public var envelopeDigest: Digest
}

extension HangarService {
    /// The OCI empty descriptor's content (`{}`), the config of artifact manifests.
    static let emptyConfig = Array("{}".utf8)

    /// Signs the SLSA provenance of a new candidate and stores its blobs (the manifest
    /// record is written once the candidate exists). Nil when the store does not sign.
    func signProvenance(_ config: CandidateConfig, _ c: CandidateRecord, startedOn: Date?) async throws -> StoredProvenance? {
        guard let key = signingKey else { return nil }
        let statement = Provenance.statement(for: config, artifacts: c.artifacts, startedOn: startedOn)
        let envelope = try DSSEEnvelope.sign(statement, type: Provenance.payloadType, key: key)
        let envelopeBlob = try await blobs.put(envelope.canonicalBytes)
        let empty = try await blobs.put(Self.emptyConfig)
        let manifest = OCIManifest(
            artifactType: Provenance.artifactType,
            config: OCIDescriptor(mediaType: MediaType.ociEmpty, digest: empty.digest, size: empty.size),
            layers: [OCIDescriptor(mediaType: DSSEEnvelope.mediaType, digest: envelopeBlob.digest, size: envelopeBlob.size)],
            subject: OCIDescriptor(mediaType: MediaType.ociManifest, digest: c.digest, size: c.manifestSize),
            annotations: [Annotation.created: Timestamp.format(c.createdAt), "dev.hangar.predicateType": Provenance.predicateType])
        let stored = try await blobs.put(manifest.canonicalBytes)
        let record = ManifestRecord(
            project: c.project, digest: stored.digest, mediaType: MediaType.ociManifest, artifactType: Provenance.artifactType,
            size: stored.size, subject: c.digest, annotations: manifest.annotations ?? [:],
            references: [empty.digest, envelopeBlob.digest], createdAt: c.createdAt)
        return StoredProvenance(manifest: record, envelope: envelope, envelopeDigest: envelopeBlob.digest)
    }

    /// The audit entry recording the provenance manifest (in the cut's unit of work).
    func provenanceAudit(_ p: StoredProvenance, of c: CandidateRecord) -> AuditDraft {
        AuditDraft(
            at: c.createdAt, actor: c.createdBy, action: .manifestPushed, project: c.project, subject: p.manifest.digest.description,
            details: ["kind": "provenance", "subject": c.digest.description, "envelope": p.envelopeDigest.description,
                      "keyid": p.envelope.signatures.first?.keyid ?? ""])
    }

    /// The candidate's stored provenance, found through the referrers of its manifest.
    public func provenance(of c: CandidateRecord) async throws -> StoredProvenance? {
        guard let m = try await metadata.referrers(project: c.project, subject: c.digest)
            .last(where: { $0.artifactType == Provenance.artifactType }) else { return nil }
        let manifest = try OCIManifest.parse(try await blobs.get(m.digest))
        guard let layer = manifest.layers.first(where: { $0.mediaType == DSSEEnvelope.mediaType }) else {
            throw HangarError.integrity("provenance manifest \(m.digest) of \(c.tag) carries no DSSE envelope")
        }
        let envelope = try DSSEEnvelope.parse(try await blobs.get(layer.digest), what: "provenance of \(c.tag)")
        return StoredProvenance(manifest: m, envelope: envelope, envelopeDigest: layer.digest)
    }
}
