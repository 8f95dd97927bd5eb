import Foundation
import HangarCore
import Hummingbird

/// `POST /api/v1/projects`.
struct CreateProjectBody: Codable, Sendable {
    var name: String
    var environments: [String]?
    var singleStep: Bool?
}

/// `PATCH /api/v1/projects/{p}/-/settings`.
struct SettingsBody: Codable, Sendable {
    var singleStep: Bool
}

/// `POST …/environments/{env}/promote`.
struct PromoteBody: Codable, Sendable {
    var ref: String
    var force: Bool?
    var reason: String?
    var expectedGeneration: Int64?
}

/// `POST …/environments/{env}/rollback` (`to` absent: the previous candidate).
struct RollbackBody: Codable, Sendable {
    var to: String?
    var force: Bool?
    var reason: String?
    var expectedGeneration: Int64?
}

/// `POST …/environments/{env}/approvals`.
struct ApprovalBody: Codable, Sendable {
    var ref: String
    var comment: String?
}

/// `POST …/deployments/{id}/reports`.
struct ReportBody: Codable, Sendable {
    var status: DeploymentReport.Status
    var message: String?
}

/// Reading JSON request bodies (at most `maxUploadSize`) in Hangar's dialect.
enum NativeBody {
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: HangarRequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        context.record.received(buffer.readableBytes)
        return try HangarJSON.decode(T.self, from: Array(buffer.readableBytesView))
    }

    /// A `CutRequest` whose `project` may be left out (the path names it; when given it
    /// must be the path's), as may `cherryPicks` (none).
    static func cutRequest(_ request: Request, _ context: HangarRequestContext, project: String) async throws -> CutRequest {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        context.record.received(buffer.readableBytes)
        guard var object = (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any] else {
            throw HangarError.invalid("request body is not a JSON object describing the candidate (version, commit, artifacts)")
        }
        if let named = object["project"] as? String, named != project {
            throw HangarError.invalid("the body names project \(named) but the path names \(project)")
        }
        object["project"] = project
        if object["cherryPicks"] == nil { object["cherryPicks"] = [String]() }
        return try HangarJSON.decode(CutRequest.self, from: Array(try JSONSerialization.data(withJSONObject: object)))
    }
}
