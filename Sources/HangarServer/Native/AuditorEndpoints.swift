import Foundation
import HangarCore
import Hummingbird

/// The auditor's side of the native API: checkpoints, proofs, the public key, time
/// travel, server-side verification and offline evidence bundles.
struct AuditorEndpoints: Sendable {
    let state: ServerState

    /// `GET /api/v1/audit/checkpoint` (auditor): a signed checkpoint of the log now.
    func checkpoint(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        try Responses.json(try await state.operations(context).checkpoint())
    }

    /// `GET /api/v1/audit/key` (auditor): the store's public key, PEM.
    func key(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let key = try state.operations(context).signingKey()
        return Responses.bytes(Array(try key.publicPEM().utf8), contentType: "application/x-pem-file")
    }

    /// `GET /api/v1/audit/proofs/inclusion?entry=N[&size=M]` (auditor): `{"proof", "entry"}`.
    func inclusion(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.audit, project: nil)
        let q = request.uri.queryParameters
        guard let entry = q["entry"].flatMap({ Int64(String($0)) }) else { throw HangarError.invalid("entry=<sequence number> is required") }
        let size = try q["size"].map { Int64(try Query.positive(String($0), "size")) }
        let (proof, e) = try await ops.proveInclusion(seq: entry, treeSize: size)
        return try Responses.json(InclusionAnswer(proof: proof, entry: e))
    }

    /// `GET /api/v1/audit/proofs/consistency?from=N` (auditor).
    func consistency(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.audit, project: nil)
        guard let from = request.uri.queryParameters["from"].flatMap({ Int64(String($0)) }) else {
            throw HangarError.invalid("from=<earlier tree size> is required")
        }
        return try Responses.json(try await ops.proveConsistency(from: from))
    }

    /// `GET /api/v1/projects/{p}/-/at?env=E&time=T` (auditor): what ran there then, with evidence.
    func at(_ request: Request, _ context: HangarRequestContext, _ project: String) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.audit, project: project)
        let q = request.uri.queryParameters
        guard let env = q["env"].map(String.init), let time = q["time"].map(String.init) else {
            throw HangarError.invalid("env=<environment> and time=<ISO 8601> are required")
        }
        return try Responses.json(try await ops.timeTravel(project, environment: env, at: Timestamp.parse(time)))
    }

    /// `GET /api/v1/projects/{p}/-/verification/{ref}` (auditor): the server's own check
    /// of a candidate with its key (an auditor who distrusts the server runs
    /// `hangar evidence verify` on a bundle instead).
    func verification(_ request: Request, _ context: HangarRequestContext, _ project: String, _ ref: String) async throws -> Response {
        let ops = state.operations(context)
        return try Responses.json(try await ops.verifyCandidate(project, ref: ref, key: try ops.signingKey()))
    }

    /// `GET /api/v1/projects/{p}/-/evidence/{ref}` (auditor): the evidence bundle (a tar).
    func evidence(_ request: Request, _ context: HangarRequestContext, _ project: String, _ ref: String) async throws -> Response {
        var bytes: [UInt8] = []
        let index = try await state.operations(context).writeEvidence(project, ref: ref) { bytes += $0 }
        var response = Responses.bytes(bytes, contentType: "application/x-tar")
        response.headers[.contentDisposition] = "attachment; filename=\"evidence-\(index.tag).tar\""
        return response
    }
}
