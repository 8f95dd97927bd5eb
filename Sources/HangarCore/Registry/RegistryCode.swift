/// The error codes of the OCI distribution spec (v1.1), the only codes the registry
/// answers with. A registry operation names one when the kind of its failure alone would
/// not (the HTTP layer picks the rest by the part of the API that failed).
public enum RegistryCode: String, Sendable, Codable, CaseIterable {
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
    case unauthorized = "UNAUTHORIZED"
    case denied = "DENIED"
    case unsupported = "UNSUPPORTED"
    case tooManyRequests = "TOOMANYREQUESTS"
}

extension HangarError {
    /// A registry failure of `kind` with its OCI code.
    public static func registry(_ kind: Kind, _ code: RegistryCode, _ message: String) -> HangarError {
        HangarError(kind, message, registryCode: code)
    }
}
