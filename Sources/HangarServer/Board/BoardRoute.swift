import HangarCore

/// A board path under `/ui/projects/`, parsed like the native API's: the project name,
/// then `/-/`, then the page or action.
enum BoardRoute: Equatable {
    case board, history, events, confirm
    case candidate(ref: String)
    case promote, rollback, approve

    static func parse(_ path: String) throws -> (project: String, route: BoardRoute) {
        let prefix = "/ui/projects/"
        guard path.hasPrefix(prefix), let sep = path.dropFirst(prefix.count).range(of: "/-/") else { throw unknown(path) }
        let project = String(path.dropFirst(prefix.count)[..<sep.lowerBound])
        try Names.checkProject(project)
        let rest = try PathSegments.split(path[sep.upperBound...], allowTrailingSlash: false)
        switch rest.count {
        case 1:
            if let route = single[rest[0]] { return (project, route) }
        case 2 where rest[0] == "candidates":
            return (project, .candidate(ref: rest[1]))
        default:
            break
        }
        throw unknown(path)
    }

    static let single: [String: BoardRoute] = [
        "board": .board, "history": .history, "events": .events, "confirm": .confirm,
        "promote": .promote, "rollback": .rollback, "approve": .approve,
    ]

    var isAction: Bool { [.promote, .rollback, .approve].contains(self) }

    static func path(_ project: String, _ page: String) -> String { "/ui/projects/\(project)/-/\(page)" }

    private static func unknown(_ path: String) -> HangarError {
        HangarError.notFound("no board page at \(path.prefix(200)) (project pages are /ui/projects/<name>/-/board)")
    }
}
