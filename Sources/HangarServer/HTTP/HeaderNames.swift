import HTTPTypes

/// Header names of the OCI distribution API and Hangar that HTTPTypes does not name.
extension HTTPField.Name {
    static let dockerContentDigest = HTTPField.Name("Docker-Content-Digest")!
    static let dockerUploadUUID = HTTPField.Name("Docker-Upload-UUID")!
    static let dockerDistributionAPIVersion = HTTPField.Name("Docker-Distribution-API-Version")!
    static let ociFiltersApplied = HTTPField.Name("OCI-Filters-Applied")!
    static let ociSubject = HTTPField.Name("OCI-Subject")!
    static let link = HTTPField.Name("Link")!
    static let requestID = HTTPField.Name("X-Request-Id")!
}
