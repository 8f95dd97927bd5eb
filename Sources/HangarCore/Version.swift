/// This build of Hangar (`hangar --version`, the server's `Server` header is `hangar`).
public enum HangarVersion {
    public static let current = "0.8.0"
}
