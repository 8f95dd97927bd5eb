import Foundation

/// The one place that turns any error into text a person can act on: Hangar's own errors
/// by their message and causes (each said once), decoding failures by the field and what
/// was expected, system calls by the call, path and errno's text; anything else by its
/// description with build paths taken out. Every message the CLI prints and every cause a
/// `HangarError` quotes goes through here.
public enum ErrorText {
    /// Turns errors of libraries the core does not know (network, TLS) into text; set
    /// once at start-up by the layer that links them.
    nonisolated(unsafe) public static var describeForeign: (@Sendable (any Error) -> String?)?

    public static func describe(_ error: any Error) -> String {
        switch error {
        case let e as HangarError: return e.description
        case let e as DecodingError: return e.summary
        case is EncodingError: return "a value could not be encoded"
        case let e as SystemCallError: return e.description
        default:
            if let text = describeForeign?(error) { return text }
            return scrub(String(describing: error))
        }
    }

    /// Removes source paths (` at /…/file.cc:127`, `/…/.build/…`) a library put in its text.
    public static func scrub(_ text: String) -> String {
        var out = text.replacing(/\ at \/[^\s\]\)]+/, with: "")
        out = out.replacing(/\/[^\s\]\)]*\/\.build\/[^\s\]\)]+/, with: "")
        return out
    }
}
