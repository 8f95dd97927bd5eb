import HangarCore

/// A single byte range of a `Range: bytes=…` request header, resolved against a size.
/// Multiple ranges and other units are ignored (the whole blob is served, as RFC 9110
/// allows); a range that starts past the end is `RANGE_INVALID` (416).
public enum ByteRange {
    /// The half-open range to serve, or nil to serve everything.
    public static func resolve(_ header: String?, size: Int64) throws -> Range<Int64>? {
        guard let header, header.hasPrefix("bytes=") else { return nil }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let suffix = Int64(last), suffix > 0 else { return nil }
            guard size > 0 else { throw notSatisfiable(header, size) }
            return max(0, size - suffix)..<size
        }
        guard let start = Int64(first), start >= 0 else { return nil }
        let end: Int64
        if last.isEmpty {
            end = size - 1
        } else {
            guard let e = Int64(last), e >= start else { return nil }
            end = min(e, size - 1)
        }
        guard start < size else { throw notSatisfiable(header, size) }
        return start..<(end + 1)
    }

    private static func notSatisfiable(_ header: String, _ size: Int64) -> APIError {
        APIError(.invalidInput, .rangeInvalid, "range '\(header)' is not satisfiable: the blob has \(size) bytes",
                 headers: [.contentRange: "bytes */\(size)"])
    }
}

/// `Content-Range: a-b` of an upload chunk (with or without a `bytes ` prefix and `/total`).
public struct ChunkRange: Sendable, Equatable {
    public var start: Int64
    public var end: Int64

    /// Parses the header, or throws `invalidInput` naming it.
    public init(parsing header: String) throws {
        var text = Substring(header.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("bytes ") { text = text.dropFirst(6) }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Int64(parts[0]), let end = Int64(parts[1]), start >= 0, end >= start, end < Int64.max else {
            throw APIError(.invalidInput, .blobUploadInvalid, "Content-Range '\(header)' is not of the form <start>-<end>")
        }
        self.start = start
        self.end = end
    }

    public var length: Int64 { end - start + 1 }
}

import Foundation
