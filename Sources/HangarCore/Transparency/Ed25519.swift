import CLibCrypto
import Foundation

/// An Ed25519 key pair (or a public key alone) held by OpenSSL, read from and written
/// to PEM: PKCS#8 for the private key, SubjectPublicKeyInfo for the public one.
public final class SigningKey: @unchecked Sendable {
    private let key: OpaquePointer
    /// Whether this holds the private half (can sign).
    public let isPrivate: Bool

    private init(_ key: OpaquePointer, isPrivate: Bool) {
        self.key = key
        self.isPrivate = isPrivate
    }

    deinit { EVP_PKEY_free(key) }

    /// A fresh random key pair.
    public static func generate() throws -> SigningKey {
        guard let ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else { throw opensslError("EVP_PKEY_CTX_new_id") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_keygen(ctx, &key) == 1, let key else {
            throw opensslError("Ed25519 key generation")
        }
        return SigningKey(key, isPrivate: true)
    }

    /// A key pair from the 32 raw private key bytes (RFC 8032 test vectors, tests).
    public static func fromRawPrivateKey(_ bytes: [UInt8]) throws -> SigningKey {
        guard bytes.count == 32, let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, bytes, 32) else {
            throw HangarError.invalid("an Ed25519 private key is 32 bytes")
        }
        return SigningKey(key, isPrivate: true)
    }

    /// Reads a PEM private key (PKCS#8) or public key; says which file and what was wrong.
    public static func load(pem: String, source: String) throws -> SigningKey {
        let isPrivate = pem.contains("PRIVATE KEY")
        let bio = pem.withCString { BIO_new_mem_buf($0, Int32(strlen($0))) }
        defer { BIO_free(bio) }
        let key = isPrivate ? PEM_read_bio_PrivateKey(bio, nil, nil, nil) : PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        guard let key else { throw HangarError.invalid("\(source) is not a PEM Ed25519 key") }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(key)
            throw HangarError.invalid("\(source) holds a key that is not Ed25519")
        }
        return SigningKey(key, isPrivate: isPrivate)
    }

    public static func load(file path: String) throws -> SigningKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw HangarError.notFound("cannot read key file \(path)")
        }
        return try load(pem: text, source: path)
    }

    /// The private key as PKCS#8 PEM.
    public func privatePEM() throws -> String {
        precondition(isPrivate, "no private key")
        return try pem { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
    }

    /// The public key as SubjectPublicKeyInfo PEM.
    public func publicPEM() throws -> String {
        try pem { PEM_write_bio_PUBKEY($0, key) }
    }

    /// The 32 raw public key bytes.
    public var rawPublicKey: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length = 32
        EVP_PKEY_get_raw_public_key(key, &out, &length)
        return out
    }

    /// Key id: hex SHA-256 of the raw public key (DSSE `keyid`).
    public var keyID: String { SHA256Hasher.digest(rawPublicKey).hex }

    /// An Ed25519 signature of `message` (64 bytes).
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        precondition(isPrivate, "signing needs the private key")
        guard let ctx = EVP_MD_CTX_new() else { throw Self.opensslError("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(ctx) }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        guard EVP_DigestSignInit(ctx, nil, nil, nil, key) == 1,
              EVP_DigestSign(ctx, &signature, &length, message, message.count) == 1 else {
            throw Self.opensslError("Ed25519 signing")
        }
        return Array(signature.prefix(length))
    }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    public func verify(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, nil, nil, key) == 1 else { return false }
        return EVP_DigestVerify(ctx, signature, signature.count, message, message.count) == 1
    }

    private func pem(_ write: (OpaquePointer?) -> Int32) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw Self.opensslError("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw Self.opensslError("PEM write") }
        var pointer: UnsafeMutablePointer<CChar>?
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &pointer)
        guard let pointer, length > 0 else { throw Self.opensslError("PEM read back") }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    static func opensslError(_ what: String) -> HangarError {
        let code = ERR_get_error()
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return HangarError(.internal, "OpenSSL: \(what) failed: \(text)")
    }
}
