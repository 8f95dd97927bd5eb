import Foundation
import HangarCore

/// What a deploy agent last put into its target folder, kept in a small file next to the
/// folder (`<parent>/.<name>.hangar-agent.json`) so that a restarted agent does not deploy
/// again what is already there.
public struct AgentState: Codable, Sendable, Hashable {
    public var server: String
    public var project: String
    public var environment: String
    /// The candidate the target folder holds.
    public var digest: Digest
    public var tag: String?
    /// The deployment (pointer move) this was done for.
    public var deploymentID: Int64
    public var deployedAt: Date
    /// `succeeded`, or `failed` when the files are in place but the hook failed.
    public var result: DeploymentReport.Status
    public var message: String?

    public init(server: String, project: String, environment: String, digest: Digest, tag: String?, deploymentID: Int64,
                deployedAt: Date, result: DeploymentReport.Status, message: String?) {
        self.server = server
        self.project = project
        self.environment = environment
        self.digest = digest
        self.tag = tag
        self.deploymentID = deploymentID
        self.deployedAt = deployedAt
        self.result = result
        self.message = message
    }
}

/// Reads and atomically replaces an agent's state file.
public struct AgentStateFile: Sendable {
    public let path: String

    /// The state file of the target folder `target`: `.<name>.hangar-agent.json` beside it.
    public init(target: String) throws {
        var trimmed = target
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        let name = trimmed.split(separator: "/").last.map(String.init) ?? ""
        guard !name.isEmpty, name != ".", name != ".." else {
            throw HangarError.invalid("agent target '\(target)' must name a folder (not '/', '.' or '..')")
        }
        let parent = trimmed.lastIndex(of: "/").map { String(trimmed[..<$0]) } ?? "."
        path = (parent.isEmpty ? "" : parent) + "/.\(name).hangar-agent.json"
    }

    /// The saved state, or nil when there is none yet. A file that does not parse is
    /// `invalidInput` naming it (remove it to deploy afresh).
    public func load() throws -> AgentState? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try APIJSON.decoder().decode(AgentState.self, from: data)
        } catch {
            throw HangarError(.invalidInput, "agent state file \(path) is not readable (remove it to deploy afresh)", cause: error)
        }
    }

    /// Replaces the state file in one step (written beside it, fsynced, renamed).
    public func save(_ state: AgentState) throws {
        let encoder = APIJSON.encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        let data = try encoder.encode(state)
        try AtomicFileOutput.write(to: path, mode: 0o644) { sink in
            try data.withUnsafeBytes { try sink($0) }
        }
    }
}
