import HangarCore

/// Splits a request path into its decoded segments, strictly: an empty segment (`//`)
/// is refused rather than skipped, as is malformed percent-encoding and a segment that
/// decodes to something containing `/` or NUL, so that one path has one meaning and two
/// spellings never name the same thing. A single trailing `/` is allowed when the caller
/// says so (`/v2/`, `…/blobs/uploads/`).
enum PathSegments {
    /// The segments of `path` after `prefix` (which must match), decoded.
    static func split(_ path: Substring, allowTrailingSlash: Bool = true) throws -> [String] {
        var raw = path.split(separator: "/", omittingEmptySubsequences: false)
        if raw.first == "" { raw.removeFirst() }
        if allowTrailingSlash, raw.count > 0, raw.last == "" { raw.removeLast() }
        return try raw.map { segment in
            guard !segment.isEmpty else {
                throw HangarError.invalid("request path \(SecurityEvent.bounded(String(path))) has an empty segment ('//')")
            }
            // Most segments have nothing to decode: skip Foundation's decoder (costly per request).
            guard segment.utf8.contains(UInt8(ascii: "%")) else { return String(segment) }
            guard let decoded = String(segment).removingPercentEncoding else {
                throw HangarError.invalid("request path segment '\(SecurityEvent.bounded(String(segment)))' has malformed percent-encoding")
            }
            guard !decoded.contains("/"), !decoded.contains("\u{0}") else {
                throw HangarError.invalid("request path segment '\(SecurityEvent.bounded(String(segment)))' decodes to a '/' or NUL")
            }
            return decoded
        }
    }
}
