/// Reading a `Content-Type` (or `Accept` entry) header value.
public enum MediaTypeHeader {
    /// The media type without parameters, trimmed and lowercased: `application/json` of
    /// `Application/JSON; charset=utf-8`. Empty for an empty or parameter-only value
    /// (`""`, `;`, ` ; `); never fails, whatever the bytes.
    public static func essence(_ value: String) -> String {
        let type = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return type.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
