import HangarCore
@testable import HangarServer
import Testing

@Suite struct ErrorTableTests {
    @Test func everyKindHasTheDocumentedStatus() {
        let expected: [HangarError.Kind: Int] = [
            .invalidInput: 400, .notFound: 404, .integrity: 400, .conflict: 409, .policy: 409,
            .limitExceeded: 413, .denied: 403, .unauthorized: 401, .unavailable: 503, .io: 500, .internal: 500,
        ]
        for kind in HangarError.Kind.allCases {
            #expect(ErrorTable.entry(kind: kind, code: nil, scope: .native).status.code == expected[kind], "\(kind)")
        }
    }

    @Test func theScopePicksTheOCICodeOfAMissingThing() {
        #expect(ErrorTable.entry(kind: .notFound, code: nil, scope: .blob).code == .blobUnknown)
        #expect(ErrorTable.entry(kind: .notFound, code: nil, scope: .manifest).code == .manifestUnknown)
        #expect(ErrorTable.entry(kind: .notFound, code: nil, scope: .upload).code == .blobUploadUnknown)
        #expect(ErrorTable.entry(kind: .notFound, code: nil, scope: .tags).code == .nameUnknown)
        #expect(ErrorTable.entry(kind: .invalidInput, code: nil, scope: .manifest).code == .manifestInvalid)
    }

    @Test func someCodesCarryTheirOwnStatus() {
        #expect(ErrorTable.entry(kind: .invalidInput, code: .rangeInvalid, scope: .blob).status.code == 416)
        #expect(ErrorTable.entry(kind: .denied, code: .unsupported, scope: .blob).status.code == 405)
        #expect(ErrorTable.entry(kind: .integrity, code: .blobCorrupt, scope: .blob).status.code == 500)
        #expect(ErrorTable.entry(kind: .unavailable, code: .tooManyRequests, scope: .upload).status.code == 429)
        #expect(ErrorTable.entry(kind: .conflict, code: .denied, scope: .manifest) == (.conflict, .denied))
    }

    /// Under `/v2/` only the OCI spec's 14 codes go out, whatever was thrown; the status
    /// still says what kind of failure it was.
    @Test func theRegistryAnswersOnlyWithTheSpecsCodes() {
        #expect(ErrorTable.registryCodes.count == 14)
        let scopes: [ErrorScope] = [.blob, .upload, .manifest, .tags, .referrers]
        for kind in HangarError.Kind.allCases {
            for code in [nil] + OCIErrorCode.allCases.map(Optional.some) {
                for scope in scopes {
                    let entry = ErrorTable.entry(kind: kind, code: code, scope: scope)
                    #expect(ErrorTable.registryCodes.contains(entry.code), "\(kind) \(String(describing: code)) \(scope) → \(entry.code)")
                }
            }
        }
        #expect(ErrorTable.entry(kind: .invalidInput, code: .rangeInvalid, scope: .upload) == (.rangeNotSatisfiable, .blobUploadInvalid))
        #expect(ErrorTable.entry(kind: .integrity, code: .blobCorrupt, scope: .blob) == (.internalServerError, .blobUnknown))
        #expect(ErrorTable.entry(kind: .invalidInput, code: nil, scope: .tags) == (.badRequest, .unsupported))
        // The native API keeps Hangar's own words.
        #expect(ErrorTable.entry(kind: .conflict, code: nil, scope: .native).code == .conflict)
    }
}
