import Foundation
import HangarCore

/// The JSON dialect of the HTTP APIs: keys sorted, slashes unescaped, dates as ISO 8601
/// UTC with milliseconds (`Timestamp.format`), read back with `Timestamp.parse`.
public enum HangarJSON {
    /// An encoder for response bodies.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    /// A decoder for request bodies.
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            try Timestamp.parse(decoder.singleValueContainer().decode(String.self))
        }
        return decoder
    }

    /// Encodes a value as bytes.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        Array(try encoder.encode(value))
    }

    /// Decodes a request body, turning a decoding failure into `invalidInput` that says
    /// which field was wrong.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let data = Data(bytes)
        do {
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw HangarError.invalid("request body is not a valid \(T.self): \(describe(error))")
        }
    }

    /// A short account of a decoding failure naming the field.
    static func describe(_ error: DecodingError) -> String { error.summary }
}
