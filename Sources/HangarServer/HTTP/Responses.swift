import HangarCore
import Hummingbird

/// Small response builders shared by the handlers.
enum Responses {
    /// A JSON body in Hangar's dialect.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok,
                     contentType: String = "application/json", headers: HTTPFields = [:]) throws -> Response {
        try bytes(HangarJSON.encode(value), status: status, contentType: contentType, headers: headers)
    }

    /// Exact bytes with a content type (manifests are served byte for byte).
    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, contentType: String,
                      headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A status with headers and no body.
    static func empty(_ status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        if headers[.contentLength] == nil { headers[.contentLength] = "0" }
        return Response(status: status, headers: headers)
    }
}
