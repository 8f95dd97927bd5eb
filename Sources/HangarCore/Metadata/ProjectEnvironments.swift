/// The rules every metadata backend checks before creating a project's environments.
public enum ProjectEnvironments {
    /// `invalidInput` unless the environments belong to `project`, have distinct names and
    /// positions 0…n-1 in order, and point at nothing yet.
    public static func validate(_ environments: [EnvironmentRecord], of project: String) throws {
        var names = Set<String>()
        for (index, env) in environments.enumerated() {
            guard env.project == project else {
                throw HangarError.invalid("environment \(env.name) belongs to project \(env.project), not \(project)")
            }
            guard env.position == index else {
                throw HangarError.invalid("environment \(env.name) of \(project) has position \(env.position): environments must be given in order with positions 0…\(environments.count - 1)")
            }
            guard names.insert(env.name).inserted else {
                throw HangarError.invalid("project \(project) names environment \(env.name) twice")
            }
            guard env.current == nil else {
                throw HangarError.invalid("new environment \(env.name) of \(project) cannot point at a candidate yet")
            }
        }
    }
}
