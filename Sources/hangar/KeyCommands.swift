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
            let key = try SigningKey.generate()
            try StoreKeys.write(try key.publicPEM(), to: out + ".pub", mode: 0o644)
            try StoreKeys.write(try key.privatePEM(), to: out, mode: 0o600)
            print("wrote \(out) and \(out).pub (key id \(key.keyID))")
        }
    }

    struct Public: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the store's public key (PEM), for auditors.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard let key = try store.service().signingKey else { throw HangarError.notFound("the store has no signing key") }
            print(try key.publicPEM(), terminator: "")
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
