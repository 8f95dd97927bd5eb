import ArgumentParser
import HangarCore

/// Catches a mistyped command before the parser does: `hangar promot … --to x` would
/// otherwise be read as the root command with stray arguments and answered with
/// "unknown option '--to'".
enum CommandSuggestion {
    static func check(_ arguments: ArraySlice<String>) throws {
        var subcommands: [any ParsableCommand.Type] = Hangar.configuration.subcommands
        var path = ["hangar"]
        for word in arguments {
            if word.hasPrefix("-") || word == "help" || subcommands.isEmpty { return }
            let names = subcommands.map { name(of: $0) }
            guard let index = names.firstIndex(of: word) else {
                throw HangarError.invalid(message(word, path, names))
            }
            let configuration = subcommands[index].configuration
            if configuration.defaultSubcommand != nil { return }
            subcommands = configuration.subcommands
            path.append(word)
        }
    }

    static func name(of command: any ParsableCommand.Type) -> String {
        command.configuration.commandName ?? command._commandName
    }

    static func message(_ word: String, _ path: [String], _ names: [String]) -> String {
        let near = names.filter { $0.hasPrefix(word) || distance(word, $0) <= (word.count >= 4 ? 2 : 1) }
        let where_ = path.count == 1 ? "" : " of '\(path.joined(separator: " "))'"
        if near.isEmpty {
            return "unknown command '\(word)'\(where_): the commands are \(names.joined(separator: ", "))"
        }
        return "unknown command '\(word)'\(where_) (did you mean \(near.map { "'\($0)'" }.joined(separator: " or "))?)"
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
