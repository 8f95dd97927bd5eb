import Foundation
import HangarCore

/// What an object being appended is made of, kept as a small JSON object at its own key
/// (marked by `x-amz-meta-hangar-composite`) while the append goes on:
///
/// - `.parts`: a durable upload session. Its bytes are part objects (each `partSize`)
///   and a tail object (less than a part), all under `parts/<key>/`, so any server can read
///   them back (to restore the hash) and take the session up. The manifest is replaced
///   with a conditional PUT (`If-Match` its ETag), which is also how a taker holds it.
/// - `.multipart`: a one-off write of one process: an S3 multipart upload in progress.
///   The manifest only lets a sweep of leftovers find it and abort the upload.
struct S3Composite: Codable, Sendable {
    enum Kind: String, Codable, Sendable { case parts, multipart }
    struct Piece: Codable, Sendable, Hashable {
        var key: String
        var size: Int64
    }

    var kind: Kind
    var size: Int64
    var parts: [Piece] = []
    var tail: Piece?
    /// `.multipart`: the upload's id.
    var uploadID: String?
    /// Who holds it (`.parts`), and until when (milliseconds since 1970).
    var holder: String?
    var heldUntil: Int64?

    static let marker = "x-amz-meta-hangar-composite"
    static let sizeHeader = "x-amz-meta-hangar-size"
    /// How long a holder keeps a session without writing to its record (each part renews
    /// it): a server that died holding one lets go this long after, so a client can take
    /// its upload up on another server. A holder that outlives it keeps going unless
    /// someone took the session meanwhile (its record's ETag decides).
    static let lease: Double = 30

    /// Where the pieces of the object at `key` live.
    static func piecesPrefix(_ key: String) -> String { "parts/" + key + "/" }

    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array((try? encoder.encode(self)) ?? Data())
    }

    static func decode(_ bytes: [UInt8], key: String) throws -> S3Composite {
        do {
            return try JSONDecoder().decode(S3Composite.self, from: Data(bytes))
        } catch {
            throw HangarError.integrity("the upload record at \(key) is not readable: it was damaged or written by something else")
        }
    }

    func heldByOther(than me: String, now: Date) -> Bool {
        guard let holder, holder != me, let heldUntil else { return false }
        return Double(heldUntil) / 1000 > now.timeIntervalSince1970
    }
}
