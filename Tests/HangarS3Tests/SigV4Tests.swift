import Foundation
import Testing
@testable import HangarS3
import HangarCore

/// Every case of AWS's SigV4 test suite (`Fixtures/sigv4/v4`, from awslabs/aws-c-auth):
/// the canonical request, the string to sign and the signature must match byte for byte.
@Suite struct SigV4Tests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fixtures/sigv4/v4").standardized.path

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter {
            FileManager.default.fileExists(atPath: root + "/" + $0 + "/header-signature.txt")
        }.sorted()
    }

    @Test func theSuiteIsThere() {
        #expect(Self.cases.count >= 38, "\(Self.cases.count) cases under \(Self.root)")
    }

    @Test(arguments: cases)
    func signsLikeTheSuite(_ name: String) throws {
        let dir = Self.root + "/" + name
        func text(_ file: String) throws -> String { try String(contentsOfFile: dir + "/" + file, encoding: .utf8) }
        let context = try JSONSerialization.jsonObject(with: Data(try text("context.json").utf8)) as! [String: Any]
        let credentials = context["credentials"] as! [String: String]
        let request = try SuiteRequest(try text("request.txt"))
        let signer = SigV4(
            credentials: .init(accessKeyID: credentials["access_key_id"]!, secretAccessKey: credentials["secret_access_key"]!,
                               sessionToken: credentials["token"]),
            region: context["region"] as! String, service: context["service"] as! String,
            normalizePath: context["normalize"] as? Bool ?? true, signPayloadHeader: context["sign_body"] as? Bool ?? false,
            signsSessionToken: !(context["omit_session_token"] as? Bool ?? false))
        let date = ISO8601DateFormatter().date(from: context["timestamp"] as! String)!
        let signed = signer.sign(method: request.method, path: request.path, query: request.query, headers: request.headers,
                                 payloadHash: SHA256Hex.of(request.body), date: date)
        #expect(signed.canonicalRequest == (try text("header-canonical-request.txt")), "canonical request of \(name)")
        #expect(signed.stringToSign == (try text("header-string-to-sign.txt")), "string to sign of \(name)")
        #expect(signed.signature == (try text("header-signature.txt")).trimmingCharacters(in: .whitespacesAndNewlines), "signature of \(name)")
        let authorization = signed.headers.last { $0.0 == "Authorization" }?.1 ?? ""
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=")
                && authorization.hasSuffix("Signature=" + signed.signature), "\(authorization)")
        if let token = credentials["token"] {
            #expect(signed.headers.contains { $0.0 == "X-Amz-Security-Token" && $0.1 == token }, "the token is sent, signed or not")
        }
    }
}

/// A request of the suite: `METHOD target HTTP/1.1`, headers (a line starting with white
/// space continues the one before), a blank line, the body.
struct SuiteRequest {
    var method: String, path: String, query: String?, headers: [(String, String)] = [], body: [UInt8] = []

    init(_ text: String) throws {
        var lines = text.components(separatedBy: "\n")
        let first = lines.removeFirst()
        let method = first.prefix { $0 != " " }
        let target = first.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count)
        self.method = String(method)
        if let q = target.firstIndex(of: "?") {
            path = String(target[..<q])
            query = String(target[target.index(after: q)...])
        } else {
            path = String(target)
            query = nil
        }
        while let line = lines.first, !line.isEmpty {
            lines.removeFirst()
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].1 += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        if !lines.isEmpty { body = Array(lines.dropFirst().joined(separator: "\n").utf8) }
    }
}

enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String {
        let d = HangarCore.SHA256Hasher.digest(bytes)
        return d.hex
    }
}
