import Testing
@testable import HangarCore

@Suite struct DigestTests {
    let good = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    @Test func parsesAndPrintsTheCanonicalForm() throws {
        let d = try Digest(parsing: good)
        #expect(d.description == good)
        #expect(d.short == "ba7816bf8f01")
        #expect(d.bytes.count == 32)
        #expect(Digest(sha256Bytes: d.bytes) == d)
    }

    @Test(arguments: [
        ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "no algorithm"),
        ("sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "only sha256"),
        ("sha256:ba7816bf", "exactly 64"),
        ("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", "lowercase hex"),
        ("sha256:za7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "lowercase hex"),
        ("", "no algorithm"),
    ])
    func rejectsMalformedDigestsSayingWhy(text: String, reason: String) {
        #expect {
            try Digest(parsing: text)
        } throws: { error in
            let e = error as! HangarError
            return e.kind == .invalidInput && e.message.contains(reason)
        }
    }

    @Test func roundTripsThroughJSON() throws {
        let d = try Digest(parsing: good)
        let data = try JSONEncoder().encode([d])
        #expect(String(decoding: data, as: UTF8.self) == "[\"\(good)\"]")
        #expect(try JSONDecoder().decode([Digest].self, from: data) == [d])
        #expect(throws: (any Error).self) { try JSONDecoder().decode([Digest].self, from: Data("[\"sha256:00\"]".utf8)) }
    }
}

import Foundation

@Suite struct ErrorMessageTests {
    @Test func noMessageRepeatsItsCause() {
        let inner = HangarError.integrity("blob sha256:ab is corrupt: its bytes hash to sha256:cd")
        let quoted = HangarError(.integrity, "artifact 'app': \(inner.message)", cause: inner)
        #expect(quoted.description == "artifact 'app': blob sha256:ab is corrupt: its bytes hash to sha256:cd")
        let system = SystemCallError("open", path: "/x", errno: 2)
        let chained = HangarError(.io, "cannot fetch: \(HangarError(.io, "cannot open /x").message)",
                                  cause: HangarError(.io, "cannot open /x", cause: system))
        #expect(chained.description == "cannot fetch: cannot open /x: open(/x): No such file or directory")
        let plain = HangarError(.io, "cannot reach the server", cause: system)
        #expect(plain.description == "cannot reach the server: open(/x): No such file or directory")
    }
}
