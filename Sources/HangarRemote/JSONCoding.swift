import Foundation
import HangarCore

/// JSON as the native API speaks it: the core's Codable types, dates as ISO 8601 UTC with
/// milliseconds (`Timestamp.format`), keys sorted so request bodies are stable.
public enum APIJSON {
    /// An encoder for request bodies.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    /// A decoder for response bodies; a date that does not parse names itself in the error.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            do {
                return try Timestamp.parse(text)
            } catch {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO 8601 date")
            }
        }
        return decoder
    }

    /// Encodes a request body.
    public static func encode(_ value: some Encodable) throws -> Data {
        do {
            return try encoder().encode(value)
        } catch {
            throw HangarError(.internal, "cannot encode a request body", cause: error)
        }
    }

    /// Decodes a response body, naming what was expected when it does not fit.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws -> T {
        do {
            return try decoder().decode(type, from: data)
        } catch {
            let preview = String(decoding: data.prefix(200), as: UTF8.self)
            throw HangarError(.io, "the server's answer to \(what) is not the expected JSON (\(preview))", cause: error)
        }
    }
}
