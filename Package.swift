// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// What the targets that talk HTTP as clients (the S3 driver, the remote client) use.
let httpClient: [Target.Dependency] = [
    .product(name: "AsyncHTTPClient", package: "async-http-client"),
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
]

let package = Package(
    name: "Hangar",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hangar", targets: ["hangar"]),
        .library(name: "HangarCore", targets: ["HangarCore"]),
        .library(name: "HangarServer", targets: ["HangarServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // OpenSSL's libcrypto: SHA-256 (EVP) and Ed25519.
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        // libarchive: deterministic tar writing and safe reading.
        .systemLibrary(
            name: "CLibArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"]), .brew(["libarchive"])]
        ),
        // Small POSIX helpers Swift cannot call directly (renameat2, O_ flags).
        .target(name: "CHangarSystem"),
        // The service: no HTTP, no argument parsing, no concrete backend.
        .target(
            name: "HangarCore",
            dependencies: ["CLibCrypto", "CLibArchive", "CHangarSystem"],
            swiftSettings: swiftSettings
        ),
        // Backends, each behind a core protocol and running its conformance suite.
        .target(
            name: "HangarFileSystem",
            dependencies: ["HangarCore", "CHangarSystem"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HangarSQLite",
            dependencies: ["HangarCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HangarPostgres",
            dependencies: [
                "HangarCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // S3-compatible object storage: the blob driver, over async-http-client with SigV4.
        .target(
            name: "HangarS3",
            dependencies: ["HangarCore"] + httpClient,
            swiftSettings: swiftSettings
        ),
        // Opens the backends a configuration names (the one place that knows them all).
        .target(
            name: "HangarBackends",
            dependencies: ["HangarCore", "HangarFileSystem", "HangarSQLite", "HangarPostgres", "HangarS3"],
            swiftSettings: swiftSettings
        ),
        // Conformance suites every backend runs (a library so tests of any backend can import it).
        .target(
            name: "HangarConformance",
            dependencies: ["HangarCore"],
            swiftSettings: swiftSettings
        ),
        // The HTTP client of a `hangar serve` (the remote HangarClient) and the deploy agent.
        .target(
            name: "HangarRemote",
            dependencies: ["HangarCore"] + httpClient,
            swiftSettings: swiftSettings
        ),
        // The HTTP server: OCI distribution API, native API, auth, metrics (Hummingbird).
        .target(
            name: "HangarServer",
            dependencies: [
                "HangarCore",
                "HangarBackends",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hangar",
            dependencies: [
                "HangarCore",
                "HangarBackends",
                "HangarFileSystem",
                "HangarRemote",
                "HangarServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmarks/MetadataBench: promote/status latency and proof time on both metadata backends.
        .executableTarget(
            name: "metadata-bench",
            dependencies: ["HangarCore", "HangarConformance", "HangarFileSystem", "HangarSQLite", "HangarPostgres"],
            path: "Benchmarks/MetadataBench",
            swiftSettings: swiftSettings
        ),
        // Benchmarks/GCBench: collection rate, dry-run time, and latency while collecting.
        .executableTarget(
            name: "gc-bench",
            dependencies: ["HangarCore", "HangarConformance", "HangarFileSystem", "HangarSQLite"],
            path: "Benchmarks/GCBench",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HangarCoreTests",
            dependencies: [
                "HangarCore", "HangarConformance", "HangarFileSystem", "HangarSQLite", "HangarPostgres", "HangarBackends",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HangarS3Tests",
            dependencies: ["HangarCore", "HangarS3", "HangarConformance",
                           .product(name: "NIOHTTP1", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HangarRemoteTests",
            dependencies: ["HangarCore", "HangarConformance", "HangarBackends", "HangarRemote", "hangar",
                           .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HangarServerTests",
            dependencies: [
                "HangarCore",
                "HangarConformance",
                "HangarBackends",
                "HangarFileSystem",
                "HangarServer",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HangarCLITests",
            dependencies: ["HangarCore", "HangarConformance", "hangar"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
