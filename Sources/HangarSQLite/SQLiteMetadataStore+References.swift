import HangarCore
import GRDB

extension SQLiteMetadataStore {
    public func referencedBlobs() async throws -> [Digest: Int64?] {
        try await read("cannot read which blobs the metadata refers to") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT a.digest, a.size FROM candidate_artifacts a JOIN candidates c ON c.id = a.candidate_id
                    WHERE NOT EXISTS (SELECT 1 FROM collected_candidates x WHERE x.project = c.project AND x.digest = c.digest)
                UNION ALL SELECT digest, manifest_size FROM candidates c
                    WHERE NOT EXISTS (SELECT 1 FROM collected_candidates x WHERE x.project = c.project AND x.digest = c.digest)
                UNION ALL SELECT config_digest, NULL FROM candidates c
                    WHERE NOT EXISTS (SELECT 1 FROM collected_candidates x WHERE x.project = c.project AND x.digest = c.digest)
                UNION ALL SELECT digest, size FROM manifests
                UNION ALL SELECT digest, NULL FROM manifest_references
                UNION ALL SELECT digest, NULL FROM blob_links
                UNION ALL SELECT json_extract(a.details, '$.envelope'), NULL FROM audit a
                    WHERE a.action IN ('promotion', 'rollback') AND json_extract(a.details, '$.envelope') IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM move_statements s WHERE s.digest = json_extract(a.details, '$.envelope'))
                """)
            return try [Digest: Int64?](referenceRows: rows.map { ($0[0], $0[1]) })
        }
    }
}
