import AsyncHTTPClient
import Foundation
import HangarCore
import NIOCore

/// The bytes of one GET, as they arrive.
final class S3StreamReader: DriverReader, @unchecked Sendable {
    let object: DriverObject
    private var body: HTTPClientResponse.Body.AsyncIterator?
    private var pending = ByteBuffer()

    init(object: DriverObject, body: HTTPClientResponse.Body?) {
        self.object = object
        self.body = body?.makeAsyncIterator()
    }

    nonisolated(nonsending) func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        while pending.readableBytes == 0 {
            guard var iterator = body else { return 0 }
            do {
                guard let next = try await iterator.next() else {
                    body = nil
                    return 0
                }
                body = iterator
                pending = next
            } catch {
                body = nil
                throw HangarError(.io, "reading \(object.key) from the object store broke off: \(error)")
            }
        }
        let n = min(buffer.count, pending.readableBytes)
        pending.withUnsafeReadableBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<n]))
        }
        pending.moveReaderIndex(forwardBy: n)
        return n
    }

    func close() {
        body = nil
        pending = ByteBuffer()
    }
}

/// The bytes of an object being appended (a session's parts, then its tail), read back
/// piece by piece: what another server needs to restore the hash of a session it takes up.
final class S3CompositeReader: DriverReader, @unchecked Sendable {
    let object: DriverObject
    private let driver: S3Driver
    private var pieces: [(key: String, range: Range<Int64>)] = []
    private var current: (any DriverReader)?

    init(driver: S3Driver, key: String, composite: S3Composite, object: DriverObject, range: Range<Int64>?) throws {
        guard composite.kind == .parts else {
            throw HangarError.conflict("\(key) is a one-off write still in progress: it can be read once committed")
        }
        self.driver = driver
        self.object = DriverObject(key: key, size: composite.size, modified: object.modified, version: object.version)
        let wanted = range ?? 0..<composite.size
        var offset: Int64 = 0
        for piece in composite.parts + (composite.tail.map { [$0] } ?? []) {
            let here = offset..<(offset + piece.size)
            let lower = max(here.lowerBound, wanted.lowerBound), upper = min(here.upperBound, wanted.upperBound)
            if lower < upper { pieces.append((piece.key, (lower - offset)..<(upper - offset))) }
            offset += piece.size
        }
    }

    nonisolated(nonsending) func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        while true {
            if current == nil {
                guard !pieces.isEmpty else { return 0 }
                let next = pieces.removeFirst()
                current = try await driver.reader(next.key, range: next.range)
            }
            let n = try await current!.read(into: buffer)
            if n > 0 { return n }
            current?.close()
            current = nil
        }
    }

    func close() {
        current?.close()
        current = nil
        pieces = []
    }
}
