import Foundation
import Testing
@testable import HangarCore

@Suite struct SigningTests {
    /// RFC 8032 §7.1, test 1 and test 2.
    @Test(arguments: [
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ])
    func matchesTheRFC8032Vectors(secret: String, publicKey: String, message: String, signature: String) throws {
        let key = try SigningKey.fromRawPrivateKey(Hex.decode(secret)!)
        #expect(Hex.encode(key.rawPublicKey) == publicKey)
        let sig = try key.sign(Hex.decode(message)!)
        #expect(Hex.encode(sig) == signature)
        #expect(key.verify(sig, of: Hex.decode(message)!))
        #expect(!key.verify(sig, of: Hex.decode(message)! + [0]))
    }

    @Test func keysRoundTripThroughPEM() throws {
        let key = try SigningKey.generate()
        let restored = try SigningKey.load(pem: try key.privatePEM(), source: "test")
        let publicOnly = try SigningKey.load(pem: try key.publicPEM(), source: "test")
        #expect(restored.keyID == key.keyID && publicOnly.keyID == key.keyID && !publicOnly.isPrivate)
        #expect(publicOnly.verify(try restored.sign([1, 2, 3]), of: [1, 2, 3]))
        #expect(throws: HangarError.self) { try SigningKey.load(pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", source: "junk.pem") }
    }

    @Test func dsseEnvelopesVerifyAndDetectAnyChange() throws {
        let key = try SigningKey.generate()
        let other = try SigningKey.generate()
        let envelope = try DSSEEnvelope.sign(Array("{\"a\":1}".utf8), type: "application/vnd.in-toto+json", key: key)
        #expect(try envelope.verifiedPayload(key: key, what: "t") == Array("{\"a\":1}".utf8))
        #expect(throws: HangarError.self) { try envelope.verifiedPayload(key: other, what: "t") }
        var altered = envelope
        altered.payload = Data("{\"a\":2}".utf8).base64EncodedString()
        #expect(throws: HangarError.self) { try altered.verifiedPayload(key: key, what: "t") }
        var retyped = envelope
        retyped.payloadType = "text/plain"
        #expect(throws: HangarError.self) { try retyped.verifiedPayload(key: key, what: "t") }
        #expect(try DSSEEnvelope.parse(envelope.canonicalBytes, what: "t") == envelope)
        #expect(DSSEEnvelope.pae(type: "t", payload: Array("hi".utf8)) == Array("DSSEv1 1 t 2 hi".utf8))
    }
}
