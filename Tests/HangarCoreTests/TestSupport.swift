import Foundation
import HangarCore

/// A fresh folder under the system temp folder, removed when the test is done.
final class TempDir: @unchecked Sendable {
    let path: String

    init(_ label: String = "test") {
        path = NSTemporaryDirectory() + "hangar-\(label)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func sub(_ name: String) -> String { path + "/" + name }
}

/// The repository's `Fixtures/` folder.
let fixturesRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Fixtures").path) {
            return url.appendingPathComponent("Fixtures").path
        }
    }
    fatalError("Fixtures/ not found above \(#filePath)")
}()
