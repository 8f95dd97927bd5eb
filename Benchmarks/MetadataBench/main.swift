// Promote and status latency, and checkpoint + inclusion proof time, on the SQLite and the
// PostgreSQL metadata backends, in-process, release build. Not a test: prints numbers.
//
//   swift build -c release --product metadata-bench && .build/release/metadata-bench
//
// Env: CANDIDATES (10000), DEPLOYMENTS (100000), PROMOTERS (8), PROMOTES (25 per promoter),
// STATUS (200 samples), AUDIT (1000000 entries for the proof timing), BACKENDS ("sqlite postgres").
// PostgreSQL is a throw-away cluster this program starts (PostgresCluster).
import Foundation
import HangarConformance
import HangarCore
import HangarFileSystem
import HangarPostgres
import HangarSQLite

let env = ProcessInfo.processInfo.environment
func setting(_ name: String, _ fallback: Int) -> Int { env[name].flatMap(Int.init) ?? fallback }
let candidates = setting("CANDIDATES", 10_000)
let deployments = setting("DEPLOYMENTS", 100_000)
let promoters = setting("PROMOTERS", 8)
let promotes = setting("PROMOTES", 25)
let statusSamples = setting("STATUS", 200)
let auditEntries = setting("AUDIT", 1_000_000)
let backends = (env["BACKENDS"] ?? "sqlite postgres").split(separator: " ").map(String.init)
let project = "bench/app"

func log(_ text: String) {
    FileHandle.standardError.write(Data("[\(ISO8601DateFormatter().string(from: Date()))] \(text)\n".utf8))
}

func percentile(_ samples: [Double], _ p: Double) -> Double {
    let sorted = samples.sorted()
    return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let value = try await body()
    let d = ContinuousClock.now - start
    return (value, Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
}

func makeStore(_ backend: String, folder: String) async throws -> any MetadataStore {
    switch backend {
    case "sqlite": return try SQLiteMetadataStore(path: folder + "/metadata.sqlite")
    case "postgres": return try await PostgresMetadataStore(url: try PostgresCluster.shared().makeDatabase())
    default: fatalError("unknown backend \(backend)")
    }
}

/// A project with `candidates` candidates and `deployments` moves between sandbox and staging.
func seed(_ store: any MetadataStore) async throws -> [CandidateRecord] {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    try await store.createProject(MetadataFixtures.project(project), environments: MetadataFixtures.environments(project),
                                  audit: MetadataFixtures.draft(.projectCreated, project: project, subject: project, at: t0))
    var made: [CandidateRecord] = []
    for i in 0..<candidates {
        let c = MetadataFixtures.candidate(project, version: "1.\(i / 100).\(i % 100)", rc: 1, at: t0.addingTimeInterval(Double(i)))
        try await store.insertCandidate(c, audit: [MetadataFixtures.draft(.candidateCreated, project: project, subject: c.tag)])
        made.append(c)
        if i % 2000 == 1999 { log("  \(i + 1) candidates") }
    }
    var generation: [String: Int64] = ["sandbox": 0, "staging": 0]
    for i in 0..<deployments {
        let environment = i.isMultiple(of: 2) ? "sandbox" : "staging"
        let c = made[(i / 2) % made.count]
        let draft = DeploymentDraft(to: c.digest, kind: .promote, actor: "seed", at: t0.addingTimeInterval(Double(candidates + i)),
                                    reason: nil, overridden: [])
        _ = try await store.movePointer(project: project, environment: environment, expectedGeneration: generation[environment]!,
                                        draft: draft, audit: [MetadataFixtures.draft(.promotion, project: project, subject: environment)])
        generation[environment]! += 1
        if i % 20_000 == 19_999 { log("  \(i + 1) deployments") }
    }
    return made
}

struct Figures { var promoteP50 = 0.0, promoteP99 = 0.0, statusP50 = 0.0, statusP99 = 0.0, proof = 0.0, conflicts = 0 }

func measure(_ backend: String) async throws -> Figures {
    let folder = NSTemporaryDirectory() + "hangar-metadata-bench-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let store = try await makeStore(backend, folder: folder)
    let service = HangarService(blobs: try FileSystemBlobStore(root: folder + "/blobs"), metadata: store,
                                signingKey: try SigningKey.generate())
    let bench = service.acting(as: .local("metadata-bench"))
    log("\(backend): seeding \(candidates) candidates and \(deployments) deployments")
    let made = try await seed(store)
    var figures = Figures()

    log("\(backend): \(promoters) promoters × \(promotes) promotions (sandbox, and staging with --force)")
    let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
        for p in 0..<promoters {
            group.addTask {
                var mine: [Double] = []
                for k in 0..<promotes {
                    let c = made[(p * promotes + k * 7) % made.count]
                    let target = k.isMultiple(of: 2) ? "sandbox" : "staging"
                    let options = MoveOptions(force: target == "staging", reason: target == "staging" ? "bench" : nil)
                    let (_, ms) = try await timed { try await service.acting(as: .local("p\(p)")).promote(project, ref: c.tag, to: target, options: options) }
                    mine.append(ms)
                }
                return mine
            }
        }
        return try await group.reduce(into: []) { $0 += $1 }
    }
    figures.promoteP50 = percentile(samples, 0.5)
    figures.promoteP99 = percentile(samples, 0.99)

    log("\(backend): \(statusSamples) status reads")
    var statuses: [Double] = []
    for _ in 0..<statusSamples { statuses.append(try await timed { try await bench.status(project) }.1) }
    figures.statusP50 = percentile(statuses, 0.5)
    figures.statusP99 = percentile(statuses, 0.99)

    let have = Int(try await bench.checkpoint().checkpoint.size)
    log("\(backend): growing the audit log from \(have) to \(auditEntries) entries")
    var n = have
    while n < auditEntries {
        let batch = min(1000, auditEntries - n)
        try await store.appendAudit((0..<batch).map { MetadataFixtures.draft(.blobStored, project: nil, subject: "b\(n + $0)") })
        n += batch
    }
    figures.proof = try await timed {
        _ = try await bench.checkpoint()
        _ = try await bench.proveInclusion(seq: Int64(auditEntries / 2))
    }.1
    return figures
}

var rows: [(String, Figures)] = []
for backend in backends { rows.append((backend, try await measure(backend))) }
print("")
print("Metadata backends, in-process, \(candidates) candidates, \(deployments) deployments, \(promoters) concurrent promoters, \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("backend     promote p50  promote p99  status p50  status p99  checkpoint+inclusion @ \(auditEntries) entries")
for (backend, f) in rows {
    print(String(format: "%-10@ %9.2f ms %9.2f ms %8.2f ms %8.2f ms %12.0f ms", backend as NSString, f.promoteP50, f.promoteP99,
                 f.statusP50, f.statusP99, f.proof))
}
print("goals: promote p99 <= 5 ms (SQLite), <= 20 ms (PostgreSQL); status p99 <= 10 ms; checkpoint + inclusion proof <= 10 ms")
