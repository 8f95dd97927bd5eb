import ArgumentParser
import Foundation
import HangarCore

/// Where the embedded store lives: --store, else $HANGAR_STORE, else ./.hangar.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Store folder (default: $HANGAR_STORE, else ./.hangar).")
    var store: String?

    var path: String {
        if let store { return store }
        if let env = ProcessInfo.processInfo.environment["HANGAR_STORE"], !env.isEmpty { return env }
        return ".hangar"
    }

    func blobStore() throws -> FileSystemBlobStore {
        try FileSystemBlobStore(root: path)
    }
}

/// `--json` for read commands.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of a human table.")
    var json = false
}

/// Parses a digest argument with the core's own error message.
func parseDigest(_ text: String) throws -> Digest {
    try Digest(parsing: text)
}
