import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP client for what HTTP libraries will not do: send a request whose body is
/// cut off in the middle and hang up, or read a response to the last byte the server sent.
/// Its socket calls block, so they run on a thread of their own: on the shared concurrency
/// pool they could starve the in-process server they talk to.
enum RawHTTP {
    /// `exchange` on a dedicated thread.
    static func send(port: Int, _ bytes: [UInt8], hangUp: Bool, timeout: Double = 30, until end: String? = nil) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try exchange(port: port, bytes, hangUp: hangUp, timeout: timeout, until: end) })
            }.start()
        }
    }

    /// Connects to 127.0.0.1:`port`, sends `bytes`, then either hangs up at once
    /// (`hangUp`) or reads until the server closes, `end` has arrived, or `timeout`
    /// passes. Returns what was read.
    static func exchange(port: Int, _ bytes: [UInt8], hangUp: Bool, timeout: Double, until end: String?) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw POSIXError(.EPIPE) }
            sent += n
        }
        if hangUp { return [] }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[0..<n]
            if let end, String(decoding: received, as: UTF8.self).contains(end) { break }
        }
        return received
    }

    /// A request head with the given headers (CRLF line ends).
    static func head(_ method: String, _ path: String, _ headers: [String: String]) -> [UInt8] {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (k, v) in headers.sorted(by: { $0.key < $1.key }) { text += "\(k): \(v)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// The body bytes of a raw response (everything after the blank line).
    static func body(of response: [UInt8]) -> [UInt8] {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let i = (0..<max(0, response.count - 3)).first(where: { Array(response[$0..<$0 + 4]) == separator }) else { return [] }
        return Array(response[(i + 4)...])
    }
}
