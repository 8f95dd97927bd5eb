import CLibCrypto

/// HMAC-SHA256 through OpenSSL's libcrypto (request signing: AWS Signature Version 4).
public enum HMACSHA256 {
    /// The 32-byte MAC of `data` under `key`.
    public static func mac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        let done = key.withUnsafeBufferPointer { k in
            data.withUnsafeBufferPointer { d in
                out.withUnsafeMutableBufferPointer { o in
                    HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), d.baseAddress, d.count, o.baseAddress, &length)
                }
            }
        }
        precondition(done != nil && length == 32, "OpenSSL's HMAC-SHA256 failed")
        return out
    }

    public static func mac(key: [UInt8], _ text: String) -> [UInt8] { mac(key: key, Array(text.utf8)) }
}
