/// Text quoted from input that may be huge (paths, reasons, error messages), cut to a
/// size in UTF-8 bytes at a character boundary, with a marker saying it was cut.
public enum BoundedText {
    /// `text` when it fits in `limit` UTF-8 bytes; otherwise as many whole characters as
    /// fit before `marker(total bytes)`, followed by it, all within `limit`.
    public static func cut(_ text: String, to limit: Int, marker: (Int) -> String = { _ in "…" }) -> String {
        let total = text.utf8.count
        guard total > limit else { return text }
        let note = marker(total)
        let room = max(0, limit - note.utf8.count)
        var kept = "", size = 0
        for c in text {
            let n = c.utf8.count
            if size + n > room { break }
            kept.append(c)
            size += n
        }
        return kept + note
    }
}
