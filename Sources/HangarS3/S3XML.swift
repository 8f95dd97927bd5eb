import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The few XML answers of S3 Hangar reads, parsed with Foundation's XMLParser.
enum S3XML {
    /// The text of the first element of each name in `names` (anywhere in the document).
    static func fields(_ bytes: [UInt8], _ names: Set<String>) -> [String: String] {
        let reader = read(bytes, ElementReader(names))
        var out: [String: String] = [:]
        for (name, text) in reader.found where out[name] == nil { out[name] = text }
        return out
    }

    /// The `<Contents>` entries of a ListObjectsV2 answer: each one's fields.
    static func listing(_ bytes: [UInt8]) -> (objects: [[String: String]], truncated: Bool) {
        let reader = read(bytes, ElementReader(["Key", "LastModified", "ETag", "Size", "IsTruncated"], group: "Contents"))
        return (reader.groups, reader.found.first { $0.0 == "IsTruncated" }?.1 == "true")
    }

    /// The fields of every `group` element (e.g. each `<Upload>` of ListMultipartUploads).
    static func groups(_ bytes: [UInt8], _ group: String, _ names: Set<String>) -> [[String: String]] {
        read(bytes, ElementReader(names, group: group)).groups
    }

    private static func read(_ bytes: [UInt8], _ reader: ElementReader) -> ElementReader {
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = reader
        _ = parser.parse()
        return reader
    }

    /// Collects the text of named elements, and groups them by an enclosing element.
    private final class ElementReader: NSObject, XMLParserDelegate {
        let names: Set<String>
        let group: String?
        var found: [(String, String)] = []
        var groups: [[String: String]] = []
        private var current: [String: String]?
        private var text: String?

        init(_ names: Set<String>, group: String? = nil) {
            self.names = names
            self.group = group
        }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if name == group { current = [:] }
            if names.contains(name) { text = "" }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text? += string
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if names.contains(name), let value = text {
                if current != nil { current![name] = value } else { found.append((name, value)) }
                text = nil
            }
            if name == group, let done = current {
                groups.append(done)
                current = nil
            }
        }
    }
}
