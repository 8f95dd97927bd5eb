import Foundation

/// A fresh folder under the system temp folder, removed when the value goes away; every
/// test of every target gets its own.
public final class TempDir: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "test") {
        path = NSTemporaryDirectory() + "hangar-\(label)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// A path inside the folder.
    public func sub(_ name: String) -> String { path + "/" + name }
}
