import Foundation

extension Operations {
    /// The release board of `project` (see `BoardView`) as this caller sees it: read
    /// rights to see it at all, and each button only where the same check the move makes
    /// would let the caller make it.
    public func board(_ project: String, candidates: Int = 100) async throws -> BoardView {
        let snapshot = try await self.snapshot(project, candidates: candidates, deployments: 1000)
        return BoardView.make(snapshot, viewer: actor, now: service.now()) { action, env in
            (try? authorize(action, project: project, environment: env)) != nil
        }
    }
}
