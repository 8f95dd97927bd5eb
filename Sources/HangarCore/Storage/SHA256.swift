import CLibCrypto

/// Streaming SHA-256 through OpenSSL's EVP interface. Feed it bytes in large chunks
/// with `update`, then call `finalize` once.
public final class SHA256Hasher {
    private let context: OpaquePointer
    private var finished = false
    /// How many bytes have been fed so far.
    public private(set) var count: Int64 = 0

    public init() {
        guard let context = EVP_MD_CTX_new() else {
            fatalError("OpenSSL could not allocate a digest context")
        }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            fatalError("OpenSSL could not initialise SHA-256")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "SHA256Hasher used after finalize")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
        count += Int64(bytes.count)
    }

    public func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Ends the computation and returns the digest. The hasher cannot be used after.
    public func finalize() -> Digest {
        precondition(!finished, "SHA256Hasher finalized twice")
        finished = true
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &out, &length)
        return Digest(sha256Bytes: out.prefix(Int(length)))
    }

    /// The digest of a whole byte sequence held in memory.
    public static func digest(_ bytes: some ContiguousBytes) -> Digest {
        let hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of the bytes a buffer points at.
    public static func digest(_ buffer: UnsafeRawBufferPointer) -> Digest {
        let hasher = SHA256Hasher()
        hasher.update(buffer)
        return hasher.finalize()
    }

    /// Raw 32-byte SHA-256 of bytes held in memory (used by Merkle trees and hash chains).
    public static func raw(_ bytes: some ContiguousBytes) -> [UInt8] {
        digest(bytes).bytes
    }
}

/// Types whose bytes can be read in place.
public protocol ContiguousBytes {
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: ContiguousBytes where Element == UInt8 {}
extension ArraySlice: ContiguousBytes where Element == UInt8 {}
extension String: ContiguousBytes {
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = self
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}
