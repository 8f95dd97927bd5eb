import Foundation
import HangarCore

// The auditor's and the admin's calls of `RemoteClient`: the server's native API acts for
// the token; what can be checked client-side (checkpoints, evidence) is checked here with
// the key the caller trusts, not the server's word.
extension RemoteClient {
    public func checkpoint() async throws -> SignedCheckpoint {
        try await transport.json(.GET, "/api/v1/audit/checkpoint", what: "audit checkpoint")
    }

    public func proveInclusion(seq: Int64, treeSize: Int64?) async throws -> (InclusionProof, AuditEntry) {
        var query = [("entry", String(seq))]
        if let treeSize { query.append(("size", String(treeSize))) }
        let answer: InclusionAnswer = try await transport.json(.GET, "/api/v1/audit/proofs/inclusion", query: query,
                                                               what: "inclusion proof of audit entry \(seq)")
        return (answer.proof, answer.entry)
    }

    public func proveConsistency(from oldSize: Int64) async throws -> ConsistencyProof {
        try await transport.json(.GET, "/api/v1/audit/proofs/consistency", query: [("from", String(oldSize))],
                                 what: "consistency proof from size \(oldSize)")
    }

    public func publicKey() async throws -> SigningKey {
        let pem = try await transport.bytes("/api/v1/audit/key", what: "the server's public key", limit: 64 << 10)
        return try SigningKey.load(pem: String(decoding: pem, as: UTF8.self), source: "the public key of \(endpoint.baseURL)")
    }

    public func timeTravel(_ project: String, environment: String, at time: Date) async throws -> TimeTravelAnswer {
        try await transport.json(.GET, APIPath.project(project, "at"), query: [("env", environment), ("time", Timestamp.format(time))],
                                 what: "what \(environment) of \(project) ran at \(Timestamp.format(time))")
    }

    public func evidenceBundle(_ project: String, ref: String) async throws -> [UInt8] {
        try await transport.bytes(APIPath.project(project, "evidence", APIPath.segment(ref)), what: "evidence of \(ref) in \(project)")
    }

    /// Verifies the candidate's evidence bundle offline with `key`: the server's own
    /// verification would use the server's key, which an auditor need not trust.
    public func verifyCandidate(_ project: String, ref: String, key: SigningKey) async throws -> VerificationReport {
        let bundle = try await evidenceBundle(project, ref: ref)
        return try EvidenceVerifier(key: key).verify(bytes: bundle, name: "\(project) \(ref) (evidence from \(endpoint.baseURL))")
    }

    // MARK: Tokens

    /// The token this client presents, as the server knows it (`hangar login` checks it).
    public func whoami() async throws -> TokenView {
        try await transport.json(.GET, "/api/v1/whoami", what: "who the token is")
    }

    public func tokens() async throws -> [TokenView] {
        try await transport.json(.GET, "/api/v1/tokens", what: "list tokens")
    }

    public func createToken(_ request: TokenRequest) async throws -> IssuedToken {
        try await transport.json(.POST, "/api/v1/tokens", body: request, what: "issue token \(request.name)")
    }

    public func revokeToken(id: String) async throws -> TokenView {
        try await transport.json(.DELETE, "/api/v1/tokens/" + APIPath.segment(id), what: "revoke token \(id)")
    }
}
