import Hummingbird
import HangarCore

/// The error codes Hangar answers with, in the OCI distribution shape: the 14 codes of the
/// OCI distribution spec, the Docker registry's `RANGE_INVALID`, and a few of Hangar's own
/// for failures the OCI list has no word for (the native API's, and server faults).
public enum OCIErrorCode: String, Sendable, Codable, CaseIterable {
    case blobUnknown = "BLOB_UNKNOWN"
    case blobUploadInvalid = "BLOB_UPLOAD_INVALID"
    case blobUploadUnknown = "BLOB_UPLOAD_UNKNOWN"
    case digestInvalid = "DIGEST_INVALID"
    case manifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN"
    case manifestInvalid = "MANIFEST_INVALID"
    case manifestUnknown = "MANIFEST_UNKNOWN"
    case nameInvalid = "NAME_INVALID"
    case nameUnknown = "NAME_UNKNOWN"
    case sizeInvalid = "SIZE_INVALID"
    case rangeInvalid = "RANGE_INVALID"
    case unauthorized = "UNAUTHORIZED"
    case denied = "DENIED"
    case unsupported = "UNSUPPORTED"
    /// A client has too much work open at once (upload sessions, watchers): 429.
    case tooManyRequests = "TOOMANYREQUESTS"
    /// Hangar: a request the OCI codes do not cover was malformed.
    case invalid = "INVALID"
    /// Hangar: something other than a blob, manifest, upload or repository was not found.
    case notFound = "NOT_FOUND"
    /// Hangar: the change conflicts with the current state (a pointer moved, a name is taken).
    case conflict = "CONFLICT"
    /// Hangar: a blob in the store no longer hashes to its digest.
    case blobCorrupt = "BLOB_CORRUPT"
    /// Anything else (the Docker registry's word for it).
    case unknown = "UNKNOWN"
}

/// The one table from failures to HTTP: each error kind has a status and a default code;
/// the part of the API that failed (`ErrorScope`) picks the precise OCI code when the
/// thrower named none; a few codes carry their own status (416 for ranges, 405 for
/// unsupported operations, 500 for a corrupt stored blob).
public enum ErrorTable {
    /// The status and code of a failure of `kind`, with the code the thrower named if any.
    /// Under `/v2/` the code is always one of the OCI spec's (`onRegistry`).
    public static func entry(kind: HangarError.Kind, code: OCIErrorCode?, scope: ErrorScope) -> (status: HTTPResponse.Status, code: OCIErrorCode) {
        let code = code ?? defaultCode(kind: kind, scope: scope)
        let status: HTTPResponse.Status = switch code {
        case .rangeInvalid: .rangeNotSatisfiable
        case .unsupported: .methodNotAllowed
        case .blobCorrupt: .internalServerError
        case .tooManyRequests: .tooManyRequests
        default: self.status(of: kind)
        }
        return (status, scope == .native ? code : onRegistry(code, scope: scope))
    }

    /// The spec's codes that `/v2/` answers with; Hangar's own are native-API only.
    public static let registryCodes = Set(RegistryCode.allCases.map { OCIErrorCode(rawValue: $0.rawValue)! })

    /// A code the OCI spec does not define, said in the spec's words (the status already
    /// says what kind of failure it is): an out-of-place chunk is `BLOB_UPLOAD_INVALID`
    /// (with 416), an unsatisfiable read range `UNSUPPORTED` (416); a malformed query
    /// parameter is `UNSUPPORTED` (with 400); a server-side
    /// failure (500, 503) takes the "unknown" code of its part of the API.
    static func onRegistry(_ code: OCIErrorCode, scope: ErrorScope) -> OCIErrorCode {
        if registryCodes.contains(code) { return code }
        switch code {
        case .rangeInvalid: return scope == .upload ? .blobUploadInvalid : .unsupported
        case .invalid: return .unsupported
        case .conflict: return .denied
        default:
            switch scope {
            case .blob: return .blobUnknown
            case .upload: return .blobUploadUnknown
            case .manifest, .referrers: return .manifestUnknown
            case .tags, .native: return .nameUnknown
            }
        }
    }

    /// The status of each kind.
    static func status(of kind: HangarError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .invalidInput, .integrity: .badRequest
        case .notFound: .notFound
        case .conflict, .policy: .conflict
        case .limitExceeded: .contentTooLarge
        case .denied: .forbidden
        case .unauthorized: .unauthorized
        case .unavailable: .serviceUnavailable
        case .io, .internal: .internalServerError
        }
    }

    /// The code of a failure whose thrower named none.
    static func defaultCode(kind: HangarError.Kind, scope: ErrorScope) -> OCIErrorCode {
        switch (kind, scope) {
        case (.invalidInput, .blob), (.invalidInput, .upload), (.integrity, _): .digestInvalid
        case (.invalidInput, .manifest): .manifestInvalid
        case (.invalidInput, .tags), (.invalidInput, .referrers): .invalid
        case (.invalidInput, .native): .invalid
        case (.notFound, .blob): .blobUnknown
        case (.notFound, .upload): .blobUploadUnknown
        case (.notFound, .manifest): .manifestUnknown
        case (.notFound, .tags), (.notFound, .referrers): .nameUnknown
        case (.notFound, .native): .notFound
        case (.conflict, .native): .conflict
        case (.conflict, _): .denied  // the OCI codes have no word for a conflict: the change is refused
        case (.policy, _), (.denied, _): .denied
        case (.limitExceeded, _): .sizeInvalid
        case (.unauthorized, _): .unauthorized
        case (.unavailable, _), (.io, _), (.internal, _): .unknown
        }
    }
}

/// Which part of the API a request is in; it decides the OCI code of a failure whose
/// thrower named none (a missing thing is `BLOB_UNKNOWN` under `/blobs/`, `MANIFEST_UNKNOWN`
/// under `/manifests/`).
public enum ErrorScope: String, Sendable {
    case blob, upload, manifest, tags, referrers, native
}
