import ArgumentParser
import Foundation
import HangarCore

/// `hangar key generate|public`.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Ed25519 signing keys.", subcommands: [Generate.self, Public.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a new key pair: OUT (private, 0600) and OUT.pub.")
        @Option(help: "Private key file to create (never overwritten).") var out: String

        func run() async throws {
            for path in [out, out + ".pub"] where FileManager.default.fileExists(atPath: path) {
                throw HangarError.conflict("\(path) exists: a key file is never overwritten; choose another --out or remove it first")
            }
            let key = try SigningKey.generate()
            guard try StoreKeys.write(try key.privatePEM(), to: out, mode: 0o600) else {
                throw HangarError.conflict("\(out) appeared while the key was made: it was kept, nothing was written")
            }
            guard try StoreKeys.write(try key.publicPEM(), to: out + ".pub", mode: 0o644) else {
                unlink(out)
                throw HangarError.conflict("\(out).pub appeared while the key was made: it was kept, nothing was written")
            }
            print("wrote \(out) and \(out).pub (key id \(key.keyID))")
        }
    }

    struct Public: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the store's public key (PEM), for auditors.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            print(try await store.client().publicKey().publicPEM(), terminator: "")
        }
    }
}

/// Loads a public (or private) key file given by an auditor.
func loadKey(_ path: String) throws -> SigningKey { try SigningKey.load(file: path) }

/// Reads a JSON file the user gave, naming it when it is not what was expected.
func readJSON<T: Decodable>(_ type: T.Type, from path: String, what: String) throws -> T {
    guard let data = FileManager.default.contents(atPath: path) else { throw HangarError.notFound("cannot read \(path)") }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .custom { try Timestamp.parseCanonical($0.singleValueContainer().decode(String.self)) }
    do { return try decoder.decode(T.self, from: data) } catch {
        throw HangarError(.invalidInput, "\(path) is not a \(what)", cause: error)
    }
}
