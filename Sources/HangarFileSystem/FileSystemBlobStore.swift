import HangarCore

/// The default blob store: a folder on a local filesystem.
public typealias FileSystemBlobStore = ContentAddressedStore<FileSystemDriver>

extension ContentAddressedStore where Driver == FileSystemDriver {
    /// The store in the folder `root`.
    public init(root: String) throws {
        self.init(driver: try FileSystemDriver(root: root))
    }

    /// The store root.
    public var root: String { driver.root }

    /// Where the blob named by `digest` lives (whether or not it exists).
    public func path(for digest: Digest) -> String { driver.path(BlobKeys.blob(digest)) }
}
