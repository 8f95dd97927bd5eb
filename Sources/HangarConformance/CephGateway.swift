import Foundation
import Synchronization

/// A real S3-compatible object store for tests: a throw-away Ceph cluster (one monitor,
/// one manager, one BlueStore OSD on a sparse file) with its RADOS Gateway on loopback,
/// started by `Tests/Integration/rgw.sh` once per test process on first use and stopped
/// when the process exits. With `HANGAR_S3_ENDPOINT`, `HANGAR_S3_BUCKET`,
/// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` set, that store is used instead.
public final class CephGateway: Sendable {
    public let endpoint: String
    public let bucket: String
    public let accessKeyID: String
    public let secretAccessKey: String
    public let region: String
    private let folder: String?

    public static func shared() throws -> CephGateway {
        try started.withLock { gateway in
            if let gateway { return gateway }
            let made = try CephGateway()
            gateway = made
            atexit { CephGateway.stopShared() }
            return made
        }
    }

    private static let started = Mutex<CephGateway?>(nil)

    private static func stopShared() {
        started.withLock({ $0 })?.stop()
    }

    /// The script that starts and stops the cluster, found from this source file's place.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests/Integration/rgw.sh").path

    private init() throws {
        var values = ProcessInfo.processInfo.environment
        if values["HANGAR_S3_ENDPOINT"] == nil {
            let folder = NSTemporaryDirectory() + "hangar-rgw-\(UUID().uuidString.prefix(8))"
            let outcome = try ChildProcess.run(["/bin/bash", Self.script, "start", folder])
            guard outcome.status == 0 else {
                _ = try? ChildProcess.run(["/bin/bash", Self.script, "stop", folder])
                throw PostgresCluster.Failure("the Ceph RADOS Gateway did not start (\(Self.script), exit \(outcome.status)):\n\(outcome.output.suffix(3000))")
            }
            for line in outcome.output.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { values[parts[0]] = parts[1] }
            }
            self.folder = folder
        } else {
            self.folder = nil
        }
        guard let endpoint = values["HANGAR_S3_ENDPOINT"], let bucket = values["HANGAR_S3_BUCKET"],
              let key = values["AWS_ACCESS_KEY_ID"], let secret = values["AWS_SECRET_ACCESS_KEY"] else {
            throw PostgresCluster.Failure("the S3 store's endpoint, bucket or credentials are missing")
        }
        (self.endpoint, self.bucket, self.accessKeyID, self.secretAccessKey) = (endpoint, bucket, key, secret)
        self.region = values["AWS_REGION"] ?? "us-east-1"
    }

    /// Stops every daemon of the cluster and removes its folder (not a store given by the environment).
    public func stop() {
        guard let folder else { return }
        _ = try? ChildProcess.run(["/bin/bash", Self.script, "stop", folder])
    }
}
