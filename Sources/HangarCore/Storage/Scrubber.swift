/// Re-hashes every stored blob and reports each one whose bytes no longer match its
/// name: shorter or longer than the size the metadata recorded (`truncated`, `extra`),
/// other bytes (`corrupt`), or referenced by the metadata but absent (`missing`).
public struct Scrubber: Sendable {
    /// One blob that failed the scrub.
    public struct Problem: Sendable, Codable, Hashable {
        public enum Kind: String, Sendable, Codable { case corrupt, truncated, extra, missing, unreadable }
        public var digest: Digest
        public var kind: Kind
        public var message: String
    }

    /// What a scrub found.
    public struct Report: Sendable, Codable {
        public var checked: Int = 0
        public var bytes: Int64 = 0
        public var problems: [Problem] = []
        public var ok: Bool { problems.isEmpty }
    }

    public let store: any BlobStore

    public init(store: any BlobStore) { self.store = store }

    /// Scrubs every blob in the store, plus checks that each of `referenced` exists and
    /// has the size recorded for it (when one is). `progress` is called after each blob
    /// with (blobs done, total blobs, bytes so far).
    public func run(
        referenced: [Digest: Int64?] = [:],
        progress: ((Int, Int, Int64) -> Void)? = nil
    ) async throws -> Report {
        var report = Report()
        let stored = try await store.listAll()
        for digest in stored {
            if let recorded = referenced[digest] ?? nil, let size = try? await store.stat(digest), size != recorded {
                let kind: Problem.Kind = size < recorded ? .truncated : .extra
                report.problems.append(Problem(digest: digest, kind: kind, message:
                    "blob \(digest) has \(size) bytes, the metadata recorded \(recorded) (\(kind == .truncated ? "\(recorded - size) missing" : "\(size - recorded) extra"))"))
                report.checked += 1
                progress?(report.checked, stored.count, report.bytes)
                continue
            }
            do {
                let r = try await store.reader(for: digest)
                defer { r.close() }
                report.bytes += try await r.drain()
            } catch let e as HangarError where e.kind == .integrity {
                report.problems.append(Problem(digest: digest, kind: .corrupt, message: e.description))
            } catch let e as HangarError where e.kind == .notFound {
                report.problems.append(Problem(digest: digest, kind: .missing, message: e.description))
            } catch {
                report.problems.append(Problem(digest: digest, kind: .unreadable, message: "\(error)"))
            }
            report.checked += 1
            progress?(report.checked, stored.count, report.bytes)
        }
        let present = Set(stored)
        for digest in Set(referenced.keys).subtracting(present).sorted() {
            report.problems.append(Problem(digest: digest, kind: .missing, message: "blob \(digest) is referenced but not in the store"))
        }
        return report
    }
}
