import Foundation
import HangarCore
import HangarS3

/// `s3://BUCKET[/PREFIX][?endpoint=URL&region=R&addressing=path|virtual&part-size=MIB&redirect=SECONDS]`:
/// a blob store in an S3-compatible bucket. Credentials never go in the location: they
/// come from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`); the
/// endpoint also from `HANGAR_S3_ENDPOINT`, the region from `AWS_REGION` or
/// `AWS_DEFAULT_REGION`. Without an endpoint: AWS itself (`https://s3.REGION.amazonaws.com`,
/// virtual-host addressing).
enum S3Location {
    static func isS3(_ location: String) -> Bool { location.lowercased().hasPrefix("s3://") }

    static func configuration(_ location: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> S3Configuration {
        guard let url = URLComponents(string: location), let bucket = url.host, !bucket.isEmpty else {
            throw HangarError.invalid("--blobs '\(location.prefix(200))' is not s3://BUCKET[/PREFIX][?endpoint=…&region=…]")
        }
        var options: [String: String] = [:]
        for item in url.queryItems ?? [] {
            guard ["endpoint", "region", "addressing", "part-size", "redirect"].contains(item.name) else {
                throw HangarError.invalid("--blobs: unknown S3 option '\(item.name.prefix(40))' (endpoint, region, addressing, part-size, redirect)")
            }
            options[item.name] = item.value ?? ""
        }
        let region = options["region"] ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        let endpointText = options["endpoint"] ?? environment["HANGAR_S3_ENDPOINT"]
        guard let endpoint = URL(string: endpointText ?? "https://s3.\(region).amazonaws.com") else {
            throw HangarError.invalid("--blobs: S3 endpoint '\(endpointText ?? "")' is not a URL")
        }
        let addressingText = options["addressing"] ?? (endpointText == nil ? "virtual" : "path")
        guard let addressing = S3Configuration.Addressing(rawValue: addressingText) else {
            throw HangarError.invalid("--blobs: addressing '\(addressingText.prefix(40))' is not path or virtual")
        }
        let partMiB = try options["part-size"].map { text -> Int in
            guard let n = Int(text), n > 0, n <= 5 * 1024 else { throw HangarError.invalid("--blobs: part-size '\(text.prefix(20))' is not a number of MiB (5…5120)") }
            return n
        } ?? 16
        let redirect = try options["redirect"].map { text -> Duration in
            guard let n = Int(text), (1...604_800).contains(n) else { throw HangarError.invalid("--blobs: redirect '\(text.prefix(20))' is not a number of seconds (1…604800)") }
            return .seconds(n)
        }
        let credentials = SigV4.Credentials(accessKeyID: environment["AWS_ACCESS_KEY_ID"] ?? "",
                                            secretAccessKey: environment["AWS_SECRET_ACCESS_KEY"] ?? "",
                                            sessionToken: environment["AWS_SESSION_TOKEN"])
        do {
            return try S3Configuration(endpoint: endpoint, bucket: bucket, region: region, credentials: credentials, addressing: addressing,
                                       prefix: url.path, partSize: partMiB << 20, redirectExpiry: redirect)
        } catch let e as HangarError {
            throw HangarError(e.kind, "--blobs '\(location.prefix(200))': \(e.message)")
        }
    }
}
