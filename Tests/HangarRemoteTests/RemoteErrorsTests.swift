import Foundation
import HangarCore
import Testing
@testable import HangarRemote

/// The one table from a server's error answer back to the `HangarError` kind.
@Suite struct RemoteErrorsTests {
    @Test(arguments: [
        (400, "NAME_INVALID", HangarError.Kind.invalidInput),
        (400, "DIGEST_INVALID", .integrity),
        (401, "UNAUTHORIZED", .unauthorized),
        (403, "DENIED", .denied),
        (404, "NOT_FOUND", .notFound),
        (404, "BLOB_UNKNOWN", .notFound),
        (409, "DENIED", .policy),
        (409, "CONFLICT", .conflict),
        (409, nil, .conflict),
        (413, "LIMIT", .limitExceeded),
        (416, "RANGE", .invalidInput),
        (500, "INTERNAL", .internal),
        (500, "UNKNOWN", .internal),
        (413, "SIZE_INVALID", .limitExceeded),
        (405, nil, .invalidInput),
        (502, nil, .io),
        (503, "UNKNOWN", .unavailable),
        (429, "TOOMANYREQUESTS", .unavailable),
        (504, nil, .io),
    ] as [(Int, String?, HangarError.Kind)])
    func statusAndCodeGiveTheKind(status: Int, code: String?, kind: HangarError.Kind) {
        #expect(RemoteErrors.kind(status: status, code: code) == kind)
    }

    @Test func aPolicyRefusalKeepsTheServersMessage() {
        let body = Data(#"{"errors":[{"code":"DENIED","message":"promotion of 2.4.0-rc.1 to production refused: not in staging","detail":{"rules":["predecessor"]}}]}"#.utf8)
        let error = RemoteErrors.error(status: 409, body: body, what: "promote")
        #expect(error.kind == .policy)
        #expect(error.message == "promotion of 2.4.0-rc.1 to production refused: not in staging")
    }

    /// The OCI codes have no word for a blob damaged in the store: a Hangar server says
    /// the kind in `detail`, and the CLI exits as it would locally.
    @Test func theKindAHangarServerNamesDecides() {
        let body = Data(#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob sha256:… is damaged in the store","detail":{"kind":"integrity"}}]}"#.utf8)
        #expect(RemoteErrors.error(status: 500, body: body, what: "fetch").kind == .integrity)
        let odd = Data(#"{"errors":[{"code":"BLOB_UNKNOWN","message":"gone","detail":{"kind":"no-such-kind"}}]}"#.utf8)
        #expect(RemoteErrors.error(status: 404, body: odd, what: "fetch").kind == .notFound)
    }

    @Test func severalErrorsAreJoinedAndTheFirstCodeDecides() {
        let body = Data(#"{"errors":[{"code":"CONFLICT","message":"tag exists"},{"code":"DENIED","message":"and more"}]}"#.utf8)
        let error = RemoteErrors.error(status: 409, body: body, what: "cut")
        #expect(error.kind == .conflict)
        #expect(error.message == "tag exists; and more")
    }

    @Test func anAnswerThatIsNotTheErrorJSONNamesTheStatusAndBody() {
        let error = RemoteErrors.error(status: 502, body: Data("<html>Bad Gateway</html>".utf8), what: "status of acme/checkout")
        #expect(error.kind == .io)
        #expect(error.message == "the server answered 502 to status of acme/checkout: Bad Gateway (an HTML page)")
        let empty = RemoteErrors.error(status: 404, body: Data(), what: "project x")
        #expect(empty.kind == .notFound)
        #expect(empty.message == "the server answered 404 to project x")
    }

    @Test func everyKindTheServerCanSendHasARow() {
        // Every kind but io (the network, never an answer) comes back from some status.
        let reachable = Set(RemoteErrors.table.map(\.kind))
        for kind in HangarError.Kind.allCases where kind != .io {
            #expect(reachable.contains(kind), "no status maps back to \(kind)")
        }
    }
}
