import HangarCore
import GRDB

extension SQLiteMetadataStore {
    public func referencedBlobs() async throws -> [Digest: Int64?] {
        try await read("cannot read which blobs the metadata refers to") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT digest, size FROM candidate_artifacts
                UNION ALL SELECT digest, manifest_size FROM candidates
                UNION ALL SELECT config_digest, NULL FROM candidates
                UNION ALL SELECT digest, size FROM manifests
                UNION ALL SELECT digest, NULL FROM manifest_references
                UNION ALL SELECT digest, NULL FROM blob_links
                UNION ALL SELECT json_extract(details, '$.envelope'), NULL FROM audit
                    WHERE action IN ('promotion', 'rollback') AND json_extract(details, '$.envelope') IS NOT NULL
                """)
            var out: [Digest: Int64?] = [:]
            for row in rows {
                let text: String = row[0]
                guard let digest = Digest.valid(text) else {
                    throw HangarError.integrity("the metadata refers to '\(text.prefix(80))', which is not a digest")
                }
                let size: Int64? = row[1]
                if let size { out[digest] = size } else if out[digest] == nil { out[digest] = .some(nil) }
            }
            return out
        }
    }
}
