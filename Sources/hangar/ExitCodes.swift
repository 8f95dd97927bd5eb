import HangarCore

/// The one table from error kinds to process exit codes (documented in the README).
enum ExitCodes {
    static let ok: Int32 = 0
    static let error: Int32 = 1
    static let usage: Int32 = 2
    /// `hangar wait`: an agent reported the deployment failed.
    static let deploymentFailed: Int32 = 10
    /// `hangar wait`: time ran out before the agents reported.
    static let timedOut: Int32 = 11

    static func code(for kind: HangarError.Kind) -> Int32 {
        switch kind {
        case .invalidInput: usage
        case .policy: 3
        case .notFound: 4
        case .integrity: 5
        case .conflict: 6
        case .limitExceeded: 7
        case .denied, .unauthorized: 8
        case .unavailable: 9
        case .io, .internal: error
        }
    }
}
