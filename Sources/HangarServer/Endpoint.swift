import HTTPTypes

/// One endpoint of the HTTP API: a method and a path pattern (`{name}`-style placeholders).
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public let method: HTTPRequest.Method
    public let pattern: String

    public init(_ method: HTTPRequest.Method, _ pattern: String) {
        self.method = method
        self.pattern = pattern
    }

    public var description: String { "\(method.rawValue) \(pattern)" }

    /// Changes something (everything but `GET` and `HEAD`).
    public var isMutating: Bool { method != .get && method != .head }

    /// Every endpoint of both APIs, from the tables the routers dispatch by: the OCI
    /// distribution API, the native API's global endpoints and its project endpoints.
    public static var all: [Endpoint] {
        let oci = OCIRoute.examples.flatMap { route in
            route.allowed.map { Endpoint(HTTPRequest.Method($0)!, route.pattern) }
        }
        let projects = ProjectRoute.examples.flatMap { route in route.methods.map { Endpoint($0, route.pattern) } }
        return oci + NativeController.endpoints + projects
    }
}
