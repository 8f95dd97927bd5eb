// Garbage collection on the filesystem + SQLite backends, in-process, release build. Not a
// test: prints numbers (Benchmarks/gc.sh adds the CNCF registry's collector as reference).
//
//   swift build -c release --product gc-bench && .build/release/gc-bench
//
// Env: BLOBS (100000 unreferenced blobs to collect), CANDIDATES (100000 for the dry run),
// SAMPLES (latency samples of promote and blob HEAD, with and without a collection running).
import Foundation
import HangarConformance
import HangarCore
import HangarFileSystem
import HangarSQLite

let env = ProcessInfo.processInfo.environment
func setting(_ name: String, _ fallback: Int) -> Int { env[name].flatMap(Int.init) ?? fallback }
let blobCount = setting("BLOBS", 100_000)
let candidateCount = setting("CANDIDATES", 100_000)
let samples = setting("SAMPLES", 300)
let project = "bench/app"

func log(_ text: String) {
    FileHandle.standardError.write(Data("[\(ISO8601DateFormatter().string(from: Date()))] \(text)\n".utf8))
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

/// A fresh store with the project and two candidates to move between, whose artifact is a
/// stored blob (kept by the rules: what blob HEAD asks for).
func makeService(_ folder: String) async throws -> (HangarService, Digest, [CandidateRecord]) {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let store = try SQLiteMetadataStore(path: folder + "/metadata.sqlite")
    let service = HangarService(blobs: try FileSystemBlobStore(root: folder + "/blobs"), metadata: store)
    let ops = service.acting(as: .local("bench"))
    _ = try await ops.createProject(project)
    _ = try await ops.setRetentionRules(project, RetentionRules(rollbackDepth: 1_000, releases: nil, supersededAfterSeconds: nil))
    let linked = try await service.blobs.put(Array("linked".utf8))
    try await store.linkBlobs(project: project, [BlobLink(digest: linked.digest, size: linked.size, at: service.now(), by: "bench")])
    var made: [CandidateRecord] = []
    for rc in 1...2 {
        var c = MetadataFixtures.candidate(project, version: "0.0.1", rc: rc, at: service.now())
        c.artifacts[0] = ArtifactRecord(name: "app", digest: linked.digest, size: linked.size, mediaType: "application/octet-stream")
        try await store.insertCandidate(c, audit: [MetadataFixtures.draft(.candidateCreated, project: project, subject: c.tag)])
        made.append(c)
    }
    return (service, linked.digest, made)
}

/// Promote and blob-HEAD latencies (ms): up to `limit` samples of each, while `running()`.
func latencies(_ service: HangarService, _ blob: Digest, _ candidates: [CandidateRecord], limit: Int,
               while running: @Sendable () -> Bool) async throws -> (promote: [Double], head: [Double]) {
    let ops = service.acting(as: .local("bench"))
    let registry = Registry(service: service)
    var promote: [Double] = [], head: [Double] = []
    while promote.count < limit, running() {
        let t0 = ContinuousClock.now
        _ = try await ops.promote(project, ref: candidates[promote.count % 2].tag, to: "sandbox")
        promote.append(seconds(ContinuousClock.now - t0) * 1000)
        let t1 = ContinuousClock.now
        _ = try await registry.blob(project, digest: blob.description, by: .local("bench"))
        head.append(seconds(ContinuousClock.now - t1) * 1000)
    }
    return (promote, head)
}

let root = NSTemporaryDirectory() + "hangar-gc-bench-\(UUID().uuidString.prefix(8))"
try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: root) }

// 1. Collecting unreferenced blobs, and the latency of promote and HEAD meanwhile.
let (service, linked, moves) = try await makeService(root + "/collect")
log("writing \(blobCount) unreferenced blobs")
for i in 0..<blobCount {
    _ = try await service.blobs.put(Array("unreferenced blob \(i) \(UUID().uuidString)".utf8))
    if i % 20_000 == 19_999 { log("  \(i + 1)") }
}
try await Task.sleep(for: .milliseconds(50))
let (quietPromote, quietHead) = try await latencies(service, linked, moves, limit: samples) { true }
log("collecting")
let done = Flag()
let started = ContinuousClock.now
let collection = Task {
    defer { done.set() }
    return try await service.acting(as: .local("bench")).collectGarbage(dryRun: false, project: nil, grace: 0, progress: nil)
}
let (busyPromote, busyHead) = try await latencies(service, linked, moves, limit: samples * 100) { !done.isSet }
let report = try await collection.value
let collectSeconds = seconds(ContinuousClock.now - started)

// 2. A dry run over many candidates.
let (dryService, _, _) = try await makeService(root + "/dry")
log("seeding \(candidateCount) candidates")
let t0 = Date(timeIntervalSince1970: 1_700_000_000)
for i in 0..<candidateCount {
    let c = MetadataFixtures.candidate(project, version: "1.\(i / 100).\(i % 100)", rc: 1, at: t0.addingTimeInterval(Double(i)))
    try await dryService.metadata.insertCandidate(c, audit: [MetadataFixtures.draft(.candidateCreated, project: project, subject: c.tag)])
    if i % 20_000 == 19_999 { log("  \(i + 1)") }
}
_ = try await dryService.acting(as: .local("bench")).setRetentionRules(project, RetentionRules(rollbackDepth: 5, releases: 10, supersededAfterSeconds: 0))
log("dry run")
let dryStart = ContinuousClock.now
let dry = try await dryService.acting(as: .local("bench")).collectGarbage(dryRun: true, project: nil, grace: 0, progress: nil)
let drySeconds = seconds(ContinuousClock.now - dryStart)

let rate = Double(report.blobs.count) / collectSeconds
print("""
    | gc (filesystem + SQLite, release) | figure | goal |
    |---|---|---|
    | collect \(report.blobs.count) unreferenced blobs | \(String(format: "%.1f", collectSeconds)) s, \(Int(rate)) deletions/s | ≥ 1,000/s |
    | dry run over \(candidateCount) candidates (\(dry.candidates.count) would go) | \(String(format: "%.1f", drySeconds)) s | |
    | promote p99 quiet / during collection | \(String(format: "%.2f / %.2f", percentile(quietPromote, 0.99), percentile(busyPromote, 0.99))) ms (×\(String(format: "%.2f", percentile(busyPromote, 0.99) / max(percentile(quietPromote, 0.99), 0.001)))) | ≤ 1.5× |
    | blob HEAD p99 quiet / during collection | \(String(format: "%.3f / %.3f", percentile(quietHead, 0.99), percentile(busyHead, 0.99))) ms (×\(String(format: "%.2f", percentile(busyHead, 0.99) / max(percentile(quietHead, 0.99), 0.001)))) | ≤ 1.5× |
    GC_RATE=\(Int(rate)) GC_SECONDS=\(String(format: "%.2f", collectSeconds)) GC_BLOBS=\(report.blobs.count)
    """)

/// A one-way flag set from another task.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
