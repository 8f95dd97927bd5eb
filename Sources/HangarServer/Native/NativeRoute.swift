import Foundation
import HangarCore
import HTTPTypes

/// A path under `/api/v1/projects/`, parsed. A project path is the project name then
/// `/-/` (as GitLab does), so names with `/` stay unambiguous:
/// `/api/v1/projects/acme/checkout/-/environments/production/promote`.
enum ProjectRoute: Sendable, Equatable {
    case info, settings, status, history, diff, candidates, cherryPicks, at, retention
    case candidate(ref: String)
    case evidence(ref: String)
    case verification(ref: String)
    case policy(environment: String)
    case promote(environment: String)
    case rollback(environment: String)
    case approvals(environment: String)
    case watch(environment: String)
    case reports(deployment: String)

    /// The project name and the route; `NOT_FOUND` for an unknown shape, `INVALID` for a bad name.
    static func parse(_ path: String) throws -> (project: String, route: ProjectRoute) {
        let prefix = "/api/v1/projects/"
        guard path.hasPrefix(prefix) else { throw unknown(path) }
        let afterPrefix = path.dropFirst(prefix.count)
        // `/-/` is looked for after the prefix: `/api/v1/projects/-/…` names no project (it
        // crashed the server when the separator was found overlapping the prefix).
        guard let sep = afterPrefix.range(of: "/-/") else { throw unknown(path) }
        let project = String(afterPrefix[..<sep.lowerBound])
        try Names.checkProject(project)
        let rest = try PathSegments.split(path[sep.upperBound...], allowTrailingSlash: false)
        switch rest.count {
        case 1:
            if let r = single[rest[0]] { return (project, r) }
        case 2:
            if let make = byRef[rest[0]] { return (project, make(rest[1])) }
        case 3 where rest[0] == "environments":
            if let make = byEnvironment[rest[2]] { return (project, make(rest[1])) }
        case 3 where rest[0] == "deployments" && rest[2] == "reports":
            return (project, .reports(deployment: rest[1]))
        default:
            break
        }
        throw unknown(path)
    }

    /// `…/-/<what>`.
    static let single: [String: ProjectRoute] = ["info": .info, "settings": .settings, "status": .status, "history": .history,
                                                 "diff": .diff, "candidates": .candidates, "cherry-picks": .cherryPicks, "at": .at,
                                                 "retention": .retention]
    /// `…/-/<what>/<ref>`.
    static let byRef: [String: @Sendable (String) -> ProjectRoute] = [
        "candidates": { .candidate(ref: $0) }, "evidence": { .evidence(ref: $0) }, "verification": { .verification(ref: $0) },
    ]
    /// `…/-/environments/<env>/<what>`.
    static let byEnvironment: [String: @Sendable (String) -> ProjectRoute] = [
        "policy": { .policy(environment: $0) }, "promote": { .promote(environment: $0) }, "rollback": { .rollback(environment: $0) },
        "approvals": { .approvals(environment: $0) }, "watch": { .watch(environment: $0) },
    ]

    /// One route of every shape `parse` knows, with placeholders (`{ref}`, `{env}`, `{id}`):
    /// the route-coverage test walks these.
    static var examples: [ProjectRoute] {
        Array(single.values) + byRef.values.map { $0("{ref}") } + byEnvironment.values.map { $0("{env}") }
            + [.reports(deployment: "{id}")]
    }

    /// The methods the route answers; others are 405 with `Allow`.
    var methods: [HTTPRequest.Method] {
        switch self {
        case .info, .status, .history, .diff, .candidate, .evidence, .verification, .watch, .at: [.get]
        case .settings: [.patch]
        case .retention: [.get, .put]
        case .policy: [.put]
        case .candidates: [.get, .post]
        case .cherryPicks, .promote, .rollback, .approvals, .reports: [.post]
        }
    }

    /// The route pattern for metrics.
    var pattern: String {
        let base = "/api/v1/projects/{project}/-/"
        switch self {
        case .info: return base + "info"
        case .settings: return base + "settings"
        case .status: return base + "status"
        case .history: return base + "history"
        case .diff: return base + "diff"
        case .candidates: return base + "candidates"
        case .cherryPicks: return base + "cherry-picks"
        case .candidate: return base + "candidates/{ref}"
        case .at: return base + "at"
        case .retention: return base + "retention"
        case .evidence: return base + "evidence/{ref}"
        case .verification: return base + "verification/{ref}"
        case .policy: return base + "environments/{env}/policy"
        case .promote: return base + "environments/{env}/promote"
        case .rollback: return base + "environments/{env}/rollback"
        case .approvals: return base + "environments/{env}/approvals"
        case .watch: return base + "environments/{env}/watch"
        case .reports: return base + "deployments/{id}/reports"
        }
    }

    private static func unknown(_ path: String) -> APIError {
        APIError(.notFound, .notFound, "no native API endpoint at \(path) (project paths are /api/v1/projects/<name>/-/<what>)")
    }
}
