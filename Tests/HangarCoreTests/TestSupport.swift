import Foundation
import HangarConformance
import HangarCore


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
