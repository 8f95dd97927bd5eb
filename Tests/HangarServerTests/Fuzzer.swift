import Foundation
import HangarConformance

/// A small mutation fuzzer: seeds from `Fixtures/fuzz/<corpus>/`, mutated by a seeded
/// generator so a run is replayed exactly by giving the same seed. The harness, not this
/// type, decides what a failure is: a crash (which ends the test process) or a broken
/// property the target checks.
struct Fuzzer {
    /// `HANGAR_FUZZ_SEED` or a fixed default (so `make test` is repeatable).
    static let seed: UInt64 = ProcessInfo.processInfo.environment["HANGAR_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x48414E474152
    /// Inputs per parser: `HANGAR_FUZZ_ITERATIONS` or `fallback`.
    static func iterations(_ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment["HANGAR_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? fallback
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// The seeds of one corpus folder under `Fixtures/` (`fuzz/digest`, `hostile`).
    static func corpus(_ folder: String) throws -> [[UInt8]] {
        let dir = root + "/" + folder
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasSuffix(".md") }.sorted()
        return try names.map { Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0))) }
    }

    private var generator: SplitMix64

    init(salt: String) {
        generator = SplitMix64(seed: Self.seed ^ salt.utf8.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 })
    }

    mutating func next() -> UInt64 { generator.next() }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    /// Bytes that break parsers: separators, signs, digits at the edges, high bytes.
    static let interesting: [UInt8] = Array(" \t\r\n\0/\\:;,-+=%.\"{}[]09fFxX".utf8) + [0x7f, 0x80, 0xc3, 0xff]

    /// One mutation (1–4 steps) of a random seed, sometimes spliced with another.
    mutating func mutate(_ seeds: [[UInt8]]) -> [UInt8] {
        var bytes = seeds[below(seeds.count)]
        for _ in 0...below(4) {
            let i = below(bytes.count + 1)
            switch below(9) {
            case 0 where !bytes.isEmpty: bytes[min(i, bytes.count - 1)] ^= UInt8(1 << below(8))
            case 1 where !bytes.isEmpty: bytes[min(i, bytes.count - 1)] = Self.interesting[below(Self.interesting.count)]
            case 2: bytes.insert(contentsOf: (0..<(1 + below(8))).map { _ in UInt8(truncatingIfNeeded: next()) }, at: i)
            case 3: bytes.insert(contentsOf: Array(repeating: Self.interesting[below(Self.interesting.count)], count: 1 + below(64)), at: i)
            case 4 where !bytes.isEmpty: bytes.removeSubrange(i..<min(bytes.count, i + 1 + below(16)))
            case 5 where !bytes.isEmpty:
                let end = min(bytes.count, i + 1 + below(32))
                bytes.insert(contentsOf: Array(bytes[i..<end]), at: i)
            case 6:
                let other = seeds[below(seeds.count)]
                bytes = Array(bytes.prefix(i)) + Array(other.suffix(below(other.count + 1)))
            case 7: bytes = Array(bytes.prefix(i))
            default: bytes.insert(contentsOf: Array(String(Int64.max).utf8 + [UInt8(ascii: "9")]), at: i)
            }
        }
        return bytes
    }

    /// Runs `body` on every seed, then on `count` mutations of them. With
    /// `HANGAR_FUZZ_TRACE=<file>` each input is written there first, so after a crash the
    /// file holds the input that caused it.
    mutating func run(_ seeds: [[UInt8]], count: Int, _ body: ([UInt8]) throws -> Void) rethrows {
        let trace = ProcessInfo.processInfo.environment["HANGAR_FUZZ_TRACE"]
        func one(_ input: [UInt8]) throws {
            if let trace { FileManager.default.createFile(atPath: trace, contents: Data(input)) }
            try body(input)
        }
        for seed in seeds { try one(seed) }
        for _ in 0..<count { try one(mutate(seeds)) }
    }
}
