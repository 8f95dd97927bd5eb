import HangarCore
import HTTPTypes
import Hummingbird

/// The OCI distribution API v1.1 under `/v2/`. Repository names contain `/`, so one
/// catch-all route per method hands the path to `OCIRoute.parse`, and failures take the
/// OCI code of the part of the API they happened in (`OCIRoute.scope`).
struct OCIController: Sendable {
    let state: ServerState

    func register(on router: some RouterMethods<HangarRequestContext>) {
        let methods: [HTTPRequest.Method] = [.get, .head, .put, .post, .patch, .delete]
        for method in methods {
            router.on("/v2", method: method) { request, context in try await dispatch(request, context) }
            router.on("/v2/**", method: method) { request, context in try await dispatch(request, context) }
        }
    }

    func dispatch(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let route = try OCIRoute.parse(request.uri.path)
        context.record.route = route.pattern
        do {
            return try await handle(route, request, context)
        } catch {
            throw APIError(error, scope: route.scope)
        }
    }

    private func handle(_ route: OCIRoute, _ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let blobs = BlobHandlers(state: state), uploads = UploadHandlers(state: state)
        let manifests = ManifestHandlers(state: state), tags = TagHandlers(state: state)
        switch (route, request.method) {
        case (.base, .get), (.base, .head):
            return try await versionCheck(request, context)
        case (.blob(let n, let d), .get): return try await blobs.get(request, context, name: n, digest: d)
        case (.blob(let n, let d), .head): return try await blobs.head(request, context, name: n, digest: d)
        case (.uploads(let n), .post): return try await uploads.start(request, context, name: n)
        case (.upload(let n, let id), .patch): return try await uploads.patch(request, context, name: n, id: id)
        case (.upload(let n, let id), .put): return try await uploads.finish(request, context, name: n, id: id)
        case (.upload(let n, let id), .get): return try await uploads.status(request, context, name: n, id: id)
        case (.upload(let n, let id), .delete): return try await uploads.cancel(request, context, name: n, id: id)
        case (.manifest(let n, let r), .get), (.manifest(let n, let r), .head):
            return try await manifests.get(request, context, name: n, reference: r)
        case (.manifest(let n, let r), .put): return try await manifests.put(request, context, name: n, reference: r)
        case (.manifest(let n, let r), .delete): return try await manifests.delete(request, context, name: n, reference: r)
        case (.tags(let n), .get): return try await tags.list(request, context, name: n)
        case (.referrers(let n, let d), .get): return try await tags.referrers(request, context, name: n, digest: d)
        default:
            // Who asks is checked first: an anonymous caller learns it must log in (and the
            // refusal is counted), not which methods exist.
            try state.operations(context).authorize(.read, project: route.name)
            let why = route.pattern == "/v2/{name}/blobs/{digest}" && request.method == .delete
                ? "blobs are not deleted over the API: Hangar keeps every blob (there is no garbage collection yet)"
                : "\(request.method.rawValue) is not supported on \(route.pattern)"
            throw APIError(.denied, .unsupported, why, headers: [.allow: route.allowed.joined(separator: ", ")])
        }
    }

    /// `GET /v2/`: 200 `{}` for a caller who may use the registry; 401 with a `Basic`
    /// challenge otherwise, so docker-style clients send their credentials. (This
    /// handshake is not audited: every client login starts with it.)
    private func versionCheck(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        guard context.caller.token != nil else {
            throw APIError(.unauthorized, .unauthorized, Principal.loginRequired(.read).message,
                           headers: [.dockerDistributionAPIVersion: "registry/2.0"])
        }
        return try Responses.json([String: String](), headers: [.dockerDistributionAPIVersion: "registry/2.0"])
    }
}
