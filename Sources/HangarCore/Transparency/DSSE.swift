import Foundation

/// A DSSE envelope (Dead Simple Signing Envelope, as in-toto and Sigstore use it): a
/// payload, its type, and Ed25519 signatures over the pre-authentication encoding.
public struct DSSEEnvelope: Codable, Sendable, Hashable {
    public struct Signature: Codable, Sendable, Hashable {
        public var keyid: String
        public var sig: String
    }

    public static let mediaType = "application/vnd.dsse.envelope.v1+json"

    public var payloadType: String
    /// Base64 of the payload bytes.
    public var payload: String
    public var signatures: [Signature]

    /// `DSSEv1 <len(type)> <type> <len(body)> <body>`: the bytes that are signed.
    public static func pae(type: String, payload: [UInt8]) -> [UInt8] {
        Array("DSSEv1 \(type.utf8.count) \(type) \(payload.count) ".utf8) + payload
    }

    /// Signs `payload` of `type` with `key`.
    public static func sign(_ payload: [UInt8], type: String, key: SigningKey) throws -> DSSEEnvelope {
        let sig = try key.sign(pae(type: type, payload: payload))
        return DSSEEnvelope(payloadType: type, payload: Data(payload).base64EncodedString(),
                            signatures: [Signature(keyid: key.keyID, sig: Data(sig).base64EncodedString())])
    }

    /// The payload bytes, after checking that `key` signed them; `integrity` otherwise.
    public func verifiedPayload(key: SigningKey, what: String) throws -> [UInt8] {
        // Only canonical base64 is accepted, so one envelope has exactly one spelling.
        guard let body = Data(base64Encoded: payload), body.base64EncodedString() == payload else {
            throw HangarError.integrity("\(what): the envelope's payload is not canonical base64")
        }
        let message = Self.pae(type: payloadType, payload: Array(body))
        let signed = signatures.contains { s in
            guard s.keyid == key.keyID, let raw = Data(base64Encoded: s.sig), raw.base64EncodedString() == s.sig else { return false }
            return key.verify(Array(raw), of: message)
        }
        guard signed else {
            throw HangarError.integrity("\(what): no valid signature by key \(key.keyID.prefix(16))… (payload or signature altered, or another key)")
        }
        return Array(body)
    }

    /// Canonical JSON bytes of the envelope (how it is stored as a blob).
    public var canonicalBytes: [UInt8] {
        CanonicalJSON.object([
            "payloadType": .string(payloadType), "payload": .string(payload),
            "signatures": .array(signatures.map { .object(["keyid": .string($0.keyid), "sig": .string($0.sig)]) }),
        ]).bytes
    }

    public static func parse(_ bytes: [UInt8], what: String) throws -> DSSEEnvelope {
        do {
            return try JSONDecoder().decode(DSSEEnvelope.self, from: Data(bytes))
        } catch {
            throw HangarError(.integrity, "\(what) is not a DSSE envelope", cause: error)
        }
    }
}
