/// How an artifact archive's tar stream is compressed, and the media type that names it.
public enum ArchiveCompression: String, CaseIterable, Sendable {
    /// zstd at level 3 (the default).
    case zstd
    /// gzip (deflate) with no timestamp and no file name in its header.
    case gzip
    /// The plain tar stream.
    case none

    /// The media type of an artifact layer written with this compression.
    public var mediaType: String {
        switch self {
        case .zstd: "application/vnd.hangar.artifact.v1.tar+zstd"
        case .gzip: "application/vnd.hangar.artifact.v1.tar+gzip"
        case .none: "application/vnd.hangar.artifact.v1.tar"
        }
    }

    /// The compression an artifact media type names; nil for any other media type.
    public init?(mediaType: String) {
        guard let match = Self.allCases.first(where: { $0.mediaType == mediaType }) else { return nil }
        self = match
    }

    /// The compression an artifact media type names, or an `invalidInput` error listing
    /// the media types Hangar knows.
    public init(parsingMediaType mediaType: String) throws {
        guard let match = ArchiveCompression(mediaType: mediaType) else {
            let known = Self.allCases.map(\.mediaType).joined(separator: ", ")
            throw HangarError.invalid("media type '\(mediaType)' is not a Hangar artifact archive (expected one of \(known))")
        }
        self = match
    }
}
