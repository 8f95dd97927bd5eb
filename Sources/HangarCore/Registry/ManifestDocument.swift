import Foundation

/// A pushed manifest, validated: an OCI image manifest or index, or a Docker v2 schema 2
/// manifest or manifest list (skopeo may send those). Says what it references so the
/// registry can check every referenced blob and manifest exists before storing it.
public struct ManifestDocument: Sendable {
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let imageTypes: Set<String> = [MediaType.ociManifest, dockerManifest]
    public static let indexTypes: Set<String> = [MediaType.ociIndex, dockerList]
    /// Manifests larger than this are refused (the OCI spec suggests registries accept at least 4 MiB).
    public static let sizeLimit = 4 << 20

    public var mediaType: String
    /// `artifactType`, or for an image manifest without one, its config's media type
    /// (what the referrers API reports).
    public var artifactType: String?
    public var subject: Digest?
    public var annotations: [String: String]
    /// Config and layers: blobs that must be stored.
    public var blobs: [OCIDescriptor]
    /// Index entries: manifests that must be known in the repository.
    public var children: [OCIDescriptor]

    /// Everything referenced, in order, without repeats.
    public var references: [Digest] {
        var seen = Set<Digest>()
        return (blobs + children).map(\.digest).filter { seen.insert($0).inserted }
    }

    private struct Wire: Decodable {
        var schemaVersion: Int?
        var mediaType: String?
        var artifactType: String?
        var config: OCIDescriptor?
        var layers: [OCIDescriptor]?
        var manifests: [OCIDescriptor]?
        var subject: OCIDescriptor?
        var annotations: [String: String]?
    }

    /// Parses and checks manifest bytes; `contentType` is the request's `Content-Type`.
    /// Throws `MANIFEST_INVALID` saying what is wrong.
    public static func parse(_ bytes: [UInt8], contentType: String?) throws -> ManifestDocument {
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(bytes))
        } catch let e as DecodingError {
            throw invalid("not a JSON manifest: \(e.summary)")
        } catch {
            throw invalid("not a JSON manifest: \(error)")
        }
        guard wire.schemaVersion == 2 else { throw invalid("schemaVersion must be 2, not \(wire.schemaVersion.map(String.init) ?? "missing")") }
        let declared = contentType.map(MediaTypeHeader.essence)
        let mediaType = try mediaType(of: wire, declared: declared)
        if indexTypes.contains(mediaType) {
            guard let manifests = wire.manifests, wire.config == nil else {
                throw invalid("an index (\(mediaType)) needs 'manifests' and no 'config'")
            }
            return ManifestDocument(mediaType: mediaType, artifactType: wire.artifactType, subject: wire.subject?.digest,
                                    annotations: wire.annotations ?? [:], blobs: [], children: manifests)
        }
        guard let config = wire.config, let layers = wire.layers, wire.manifests == nil else {
            throw invalid("an image manifest (\(mediaType)) needs 'config' and 'layers' and no 'manifests'")
        }
        return ManifestDocument(mediaType: mediaType, artifactType: wire.artifactType ?? config.mediaType,
                                subject: wire.subject?.digest, annotations: wire.annotations ?? [:],
                                blobs: [config] + layers, children: [])
    }

    /// The media type from the body's `mediaType` and the `Content-Type`, which must agree.
    private static func mediaType(of wire: Wire, declared: String?) throws -> String {
        let generic: Set<String> = ["application/json", "application/octet-stream", ""]
        let header = declared.flatMap { generic.contains($0) ? nil : $0 }
        if let field = wire.mediaType, let header, field != header {
            throw invalid("the body's mediaType \(field) differs from Content-Type \(header)")
        }
        guard let type = wire.mediaType ?? header ?? (wire.manifests != nil ? MediaType.ociIndex : wire.config != nil ? MediaType.ociManifest : nil) else {
            throw invalid("no mediaType in the body or Content-Type")
        }
        guard imageTypes.contains(type) || indexTypes.contains(type) else {
            throw invalid("media type \(type) is not supported: push an OCI image manifest or index (or a Docker v2 schema 2 manifest or list)")
        }
        return type
    }

    private static func invalid(_ message: String) -> HangarError {
        .registry(.invalidInput, .manifestInvalid, "manifest is not valid: \(message)")
    }
}
