import Foundation

/// Media types Hangar reads and writes.
public enum MediaType {
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociEmpty = "application/vnd.oci.empty.v1+json"
    public static let candidate = "application/vnd.hangar.candidate.v1+json"
    public static let candidateConfig = "application/vnd.hangar.candidate.config.v1+json"
}

/// Standard OCI annotation keys Hangar sets.
public enum Annotation {
    public static let title = "org.opencontainers.image.title"
    public static let revision = "org.opencontainers.image.revision"
    public static let version = "org.opencontainers.image.version"
    public static let created = "org.opencontainers.image.created"
    public static let source = "org.opencontainers.image.source"
}

/// An OCI content descriptor: what a manifest says about a blob it points at.
public struct OCIDescriptor: Codable, Sendable, Hashable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var artifactType: String?
    public var annotations: [String: String]?

    public init(mediaType: String, digest: Digest, size: Int64, artifactType: String? = nil, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.artifactType = artifactType
        self.annotations = annotations
    }

    var canonical: CanonicalJSON {
        var f: [String: CanonicalJSON] = [
            "mediaType": .string(mediaType), "digest": .string(digest.description), "size": .int(size),
        ]
        if let artifactType { f["artifactType"] = .string(artifactType) }
        if let annotations { f["annotations"] = .object(annotations.mapValues { .string($0) }) }
        return .object(f)
    }
}

/// An OCI image manifest (v1), the shape of every candidate.
public struct OCIManifest: Codable, Sendable, Hashable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var config: OCIDescriptor
    public var layers: [OCIDescriptor]
    public var subject: OCIDescriptor?
    public var annotations: [String: String]?

    public init(artifactType: String?, config: OCIDescriptor, layers: [OCIDescriptor],
                subject: OCIDescriptor? = nil, annotations: [String: String]? = nil) {
        self.schemaVersion = 2
        self.mediaType = MediaType.ociManifest
        self.artifactType = artifactType
        self.config = config
        self.layers = layers
        self.subject = subject
        self.annotations = annotations
    }

    /// The canonical bytes: the digest of these is the manifest's digest.
    public var canonicalBytes: [UInt8] {
        var f: [String: CanonicalJSON] = [
            "schemaVersion": .int(Int64(schemaVersion)),
            "config": config.canonical,
            "layers": .array(layers.map(\.canonical)),
        ]
        if let mediaType { f["mediaType"] = .string(mediaType) }
        if let artifactType { f["artifactType"] = .string(artifactType) }
        if let subject { f["subject"] = subject.canonical }
        if let annotations { f["annotations"] = .object(annotations.mapValues { .string($0) }) }
        return CanonicalJSON.object(f).bytes
    }

    /// Parses manifest bytes, saying what is wrong when they are not an OCI image manifest.
    public static func parse(_ bytes: [UInt8]) throws -> OCIManifest {
        let manifest: OCIManifest
        do {
            manifest = try JSONDecoder().decode(OCIManifest.self, from: Data(bytes))
        } catch {
            throw HangarError(.invalidInput, "not an OCI image manifest", cause: error)
        }
        guard manifest.schemaVersion == 2 else {
            throw HangarError.invalid("manifest schemaVersion is \(manifest.schemaVersion), expected 2")
        }
        if let mt = manifest.mediaType, mt != MediaType.ociManifest {
            throw HangarError.invalid("manifest mediaType is \(mt), expected \(MediaType.ociManifest)")
        }
        return manifest
    }
}

/// The release metadata a candidate's config blob holds.
public struct CandidateConfig: Codable, Sendable, Hashable {
    public var project: String
    public var version: String
    public var rc: Int
    public var commit: String
    public var repository: String?
    public var parent: Digest?
    public var cherryPicks: [String]
    public var createdAt: Date
    public var createdBy: String
    public var builder: String?
    public var ciRun: String?
    /// The commits since the previous release, when the cutter recorded them.
    public var changelog: Changelog?

    public init(project: String, version: String, rc: Int, commit: String, repository: String?, parent: Digest?,
                cherryPicks: [String], createdAt: Date, createdBy: String, builder: String?, ciRun: String?,
                changelog: Changelog? = nil) {
        self.changelog = changelog
        self.project = project
        self.version = version
        self.rc = rc
        self.commit = commit
        self.repository = repository
        self.parent = parent
        self.cherryPicks = cherryPicks
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.builder = builder
        self.ciRun = ciRun
    }

    public var tag: String { Names.candidateTag(version: version, rc: rc) }

    /// The canonical bytes stored as the config blob.
    public var canonicalBytes: [UInt8] {
        var f: [String: CanonicalJSON] = [
            "project": .string(project), "version": .string(version), "rc": .int(Int64(rc)),
            "commit": .string(commit), "cherryPicks": .array(cherryPicks.map { .string($0) }),
            "createdAt": .string(Timestamp.format(createdAt)), "createdBy": .string(createdBy),
            "parent": parent.map { .string($0.description) } ?? .null,
        ]
        if let repository { f["repository"] = .string(repository) }
        if let builder { f["builder"] = .string(builder) }
        if let ciRun { f["ciRun"] = .string(ciRun) }
        if let changelog {
            f["changelog"] = .object([
                "since": changelog.since.map { .string($0.description) } ?? .null,
                "commits": .array(changelog.commits.map { .object(["commit": .string($0.commit), "subject": .string($0.subject)]) }),
                "omitted": .int(Int64(changelog.omitted)),
            ])
        }
        return CanonicalJSON.object(f).bytes
    }

    public static func parse(_ bytes: [UInt8]) throws -> CandidateConfig {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { d in try Timestamp.parse(d.singleValueContainer().decode(String.self)) }
        do {
            return try decoder.decode(CandidateConfig.self, from: Data(bytes))
        } catch {
            throw HangarError(.integrity, "candidate config is not valid", cause: error)
        }
    }

    /// The candidate manifest for this config and these artifacts (in the given order).
    public func manifest(configSize: Int64, configDigest: Digest, artifacts: [ArtifactRecord]) -> OCIManifest {
        var annotations = [
            Annotation.revision: commit, Annotation.version: tag, Annotation.created: Timestamp.format(createdAt),
        ]
        if let repository { annotations[Annotation.source] = repository }
        return OCIManifest(
            artifactType: MediaType.candidate,
            config: OCIDescriptor(mediaType: MediaType.candidateConfig, digest: configDigest, size: configSize),
            layers: artifacts.map {
                OCIDescriptor(mediaType: $0.mediaType, digest: $0.digest, size: $0.size, annotations: [Annotation.title: $0.name])
            },
            annotations: annotations)
    }
}
