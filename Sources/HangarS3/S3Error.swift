import Foundation
import HangarCore

/// An error answer of the store: its status and, from the XML body, its code and message.
struct S3Failure: Error {
    var status: Int
    var code: String
    var message: String
    var retryable: Bool { status >= 500 || status == 429 || code == "SlowDown" || code == "RequestTimeout" }

    /// What Hangar says of it: a missing key is `notFound`, a failed precondition `conflict`,
    /// the rest `io` naming the request and the store's own words.
    func hangarError(_ what: String) -> HangarError {
        let said = code.isEmpty ? "HTTP \(status)" : "\(code) (HTTP \(status))" + (message.isEmpty ? "" : ": \(message)")
        switch (status, code) {
        case (404, _): return HangarError.notFound("\(what): the object store says \(said)")
        case (412, _), (409, _): return HangarError.conflict("\(what): the object store says \(said)")
        case (403, _): return HangarError(.io, "\(what): the object store refused the credentials or the request: \(said)")
        default: return HangarError(.io, "\(what): the object store says \(said)")
        }
    }
}
