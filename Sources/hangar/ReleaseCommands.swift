import ArgumentParser
import Foundation
import HangarCore

/// The build-side arguments shared by `cut` and `cherry-pick`.
struct BuildArguments: ParsableArguments {
    @Argument(help: "Project, e.g. acme/checkout.") var project: String
    @Option(help: "Release version (semver), e.g. 2.4.0.") var version: String
    @Option(help: "Full git commit SHA the artifacts were built from.") var commit: String
    @Option(name: .customLong("artifact"), help: "NAME=PATH of a build output folder or file (repeat).")
    var artifacts: [String] = []
    @Option(name: .customLong("image"),
            help: "NAME=REPO@sha256:… of a container image already pushed to the registry, an artifact too (repeat).")
    var images: [String] = []
    @Option(help: "Archive compression: zstd, gzip or none.") var compression: String = "zstd"
    @Option(help: "Source repository URL (default: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY or $CI_PROJECT_URL).")
    var repository: String?
    @Option(name: .customLong("builder-id"), help: "Who built it (default: from the CI environment).") var builderID: String?
    @Option(name: .customLong("ci-run"), help: "CI run id or URL (default: from the CI environment).") var ciRun: String?
    @OptionGroup var changes: ChangelogOptions

    /// Archives and stores each artifact, reporting what was new.
    func upload(_ service: any HangarClient) async throws -> [ArtifactUpload] {
        guard let compression = ArchiveCompression(rawValue: compression) else {
            throw HangarError.invalid("compression '\(compression)' is not one of zstd, gzip, none")
        }
        var uploads: [ArtifactUpload] = []
        for spec in artifacts {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex, spec.index(after: eq) != spec.endIndex else {
                throw HangarError.invalid("--artifact '\(spec)' must be NAME=PATH, e.g. api=build/api")
            }
            let name = String(spec[..<eq]), path = String(spec[spec.index(after: eq)...])
            try Names.checkArtifact(name)
            let progress = ProgressBar()
            uploads.append(try await service.storeArtifact(name: name, path: path, compression: compression,
                                                           project: project, progress: progress.update))
            progress.finish()
        }
        return uploads
    }

    func request(_ uploads: [ArtifactUpload], picks: [String] = [], changelog: Changelog?, startedOn: Date) throws -> CutRequest {
        let env = ProcessInfo.processInfo.environment
        let repo = repository ?? env["GITHUB_REPOSITORY"].map { "\(env["GITHUB_SERVER_URL"] ?? "https://github.com")/\($0)" }
            ?? env["CI_PROJECT_URL"]
        let run = ciRun ?? env["GITHUB_RUN_ID"].map { "\(repo ?? "")/actions/runs/\($0)" } ?? env["CI_JOB_URL"] ?? env["BUILD_URL"]
        let builder = builderID ?? (env["GITHUB_ACTIONS"] != nil ? "https://github.com/actions/runner" : nil)
            ?? (env["GITLAB_CI"] != nil ? "https://gitlab.com/gitlab-org/gitlab-runner" : nil)
        var request = CutRequest(project: project, version: version, commit: commit, artifacts: uploads.map(\.artifact),
                                 cherryPicks: picks, repository: repo, builder: builder, ciRun: run, startedOn: startedOn)
        request.images = try images.map(ImageSource.init(parsing:))
        request.changelog = changelog
        return request
    }
}

/// `hangar cut`: rc.1 of a new version.
struct CutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cut", abstract: "Cut rc.1 of a new release from build outputs.")
    @OptionGroup var build: BuildArguments
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let service = try await store.client()
        try validateFirst()
        let changelog = try await build.changes.read(service, project: build.project, version: build.version,
                                                     commit: build.commit, cherryPick: false)
        let started = Date()
        let uploads = try await build.upload(service)
        let result = try await service.cut(try build.request(uploads, changelog: changelog?.changelog, startedOn: started))
        try printCut(result, uploads, changelog, output)
    }

    /// Checks names before spending time archiving.
    func validateFirst() throws {
        try Names.checkProject(build.project)
        try Names.checkVersion(build.version)
        try Names.checkCommit(build.commit)
        if build.artifacts.isEmpty && build.images.isEmpty {
            throw HangarError.invalid("give at least one --artifact NAME=PATH or --image NAME=REPO@sha256:…")
        }
        for image in build.images { _ = try ImageSource(parsing: image) }
    }
}

/// `hangar cherry-pick`: rc.n+1 of an existing version.
struct CherryPickCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cherry-pick", abstract: "Make the next candidate of a release from a cherry-picked fix.")
    @OptionGroup var build: BuildArguments
    @Option(name: .customLong("pick"), help: "A cherry-picked commit (repeat; default: --commit).") var picks: [String] = []
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let service = try await store.client()
        try CutCommand(build: build, store: store, output: output).validateFirst()
        let changelog = try await build.changes.read(service, project: build.project, version: build.version,
                                                     commit: build.commit, cherryPick: true)
        let started = Date()
        let uploads = try await build.upload(service)
        let result = try await service.cherryPick(try build.request(uploads, picks: picks, changelog: changelog?.changelog, startedOn: started))
        try printCut(result, uploads, changelog, output)
    }
}

extension CutCommand {
    init(build: BuildArguments, store: StoreOptions, output: OutputOptions) {
        self.init()
        self.build = build
        self.store = store
        self.output = output
    }
}

/// What `cut` and `cherry-pick` print: the tag and digest, then each artifact and whether it was new.
struct CutReport: Codable {
    var result: CutResult
    var artifacts: [ArtifactUpload]
    var bytesStored: Int64
    var bytesReused: Int64
}

func printCut(_ result: CutResult, _ uploads: [ArtifactUpload], _ changelog: RecordedChangelog?, _ output: OutputOptions) throws {
    let stored = uploads.filter(\.created).map(\.artifact.size).reduce(0, +)
    let reused = uploads.filter { !$0.created }.map(\.artifact.size).reduce(0, +)
    if output.json { return try Terminal.json(CutReport(result: result, artifacts: uploads, bytesStored: stored, bytesReused: reused)) }
    let c = result.candidate
    print("\(c.project) \(c.tag)  \(c.digest)")
    if let parent = c.parent { print("parent \(parent)  cherry-picks \(c.cherryPicks.joined(separator: ", "))") }
    let images = c.artifacts.filter(\.isImage).map { [$0.name, $0.digest.description, formatBytes($0.size), "image"] }
    Terminal.table(["ARTIFACT", "DIGEST", "SIZE", ""], uploads.map {
        [$0.artifact.name, $0.artifact.digest.description, formatBytes($0.artifact.size), $0.created ? "stored" : "reused"]
    } + images)
    print("stored \(formatBytes(stored)), reused \(formatBytes(reused))")
    if let changelog { print(changelog.summary) }
    for d in result.autoDeployed { print("deployed to \(d.environment) (single-step)") }
    for reason in result.stoppedBecause { print("single-step stopped: \(reason)") }
}
