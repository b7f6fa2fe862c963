/// The few Python literals a `.npy` header uses: strings, integers, booleans, `None`, and
/// tuples, lists and dicts of them.
enum PythonLiteral: Equatable, Sendable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([Entry])

    struct Entry: Equatable, Sendable {
        var key: PythonLiteral
        var value: PythonLiteral
    }

    /// The literal as Python's `repr` would write it (for messages).
    var pythonText: String {
        switch self {
        case .string(let text): return "'\(text)'"
        case .int(let value): return String(value)
        case .bool(let value): return value ? "True" : "False"
        case .none: return "None"
        case .tuple(let items):
            return items.count == 1 ? "(\(items[0].pythonText),)" : "(" + items.map(\.pythonText).joined(separator: ", ") + ")"
        case .list(let items): return "[" + items.map(\.pythonText).joined(separator: ", ") + "]"
        case .dict(let entries):
            return "{" + entries.map { "\($0.key.pythonText): \($0.value.pythonText)" }.joined(separator: ", ") + "}"
        }
    }
}

/// A recursive-descent parser for ``PythonLiteral`` (what `ast.literal_eval` accepts, as far
/// as `.npy` headers need). Nesting is limited so a hostile header cannot exhaust the stack.
struct PythonLiteralParser {
    struct Failure: Error {
        var reason: String
    }

    private let characters: [Character]
    private var position = 0
    private var depth = 0
    private static let maxDepth = 32

    init(text: String) {
        characters = Array(text)
    }

    /// Parses one literal that fills the whole text (surrounding whitespace allowed).
    mutating func parseTopLevel() throws -> PythonLiteral {
        let value = try parseValue()
        skipWhitespace()
        guard position == characters.count else {
            throw Failure(reason: "unexpected text after the dict at character \(position + 1)")
        }
        return value
    }

    private mutating func skipWhitespace() {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
    }

    private mutating func peek() -> Character? {
        skipWhitespace()
        return position < characters.count ? characters[position] : nil
    }

    private mutating func expect(_ character: Character) throws {
        guard peek() == character else {
            let found = position < characters.count ? "'\(characters[position])'" : "the end"
            throw Failure(reason: "expected '\(character)' at character \(position + 1) but found \(found)")
        }
        position += 1
    }

    private mutating func parseValue() throws -> PythonLiteral {
        guard let next = peek() else { throw Failure(reason: "it ends where a value should be") }
        switch next {
        case "{":
            return try nested { try $0.parseDict() }
        case "(":
            return try nested { .tuple(try $0.parseSequence(closing: ")")) }
        case "[":
            return try nested { .list(try $0.parseSequence(closing: "]")) }
        case "'", "\"":
            return .string(try parseString())
        case "-", "+", "0" ... "9":
            return .int(try parseInt())
        default:
            let word = parseWord()
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                throw Failure(reason: "unexpected \(word.isEmpty ? "'\(next)'" : word) at character \(position + 1)")
            }
        }
    }

    private mutating func nested(_ body: (inout PythonLiteralParser) throws -> PythonLiteral) throws -> PythonLiteral {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw Failure(reason: "it nests more than \(Self.maxDepth) levels deep") }
        return try body(&self)
    }

    private mutating func parseDict() throws -> PythonLiteral {
        try expect("{")
        var entries: [PythonLiteral.Entry] = []
        while true {
            if peek() == "}" { position += 1; break }
            let key = try parseValue()
            try expect(":")
            let value = try parseValue()
            entries.append(PythonLiteral.Entry(key: key, value: value))
            if peek() == "," { position += 1; continue }
            try expect("}")
            break
        }
        return .dict(entries)
    }

    /// Items up to `closing`; a 1-tuple needs its trailing comma, as in Python.
    private mutating func parseSequence(closing: Character) throws -> [PythonLiteral] {
        position += 1  // the opening bracket
        var items: [PythonLiteral] = []
        var sawComma = false
        while true {
            if peek() == closing { position += 1; break }
            items.append(try parseValue())
            if peek() == "," { position += 1; sawComma = true; continue }
            try expect(closing)
            break
        }
        if closing == ")" && items.count == 1 && !sawComma {
            throw Failure(reason: "a one-element tuple needs a trailing comma, as in (3,)")
        }
        return items
    }

    private mutating func parseString() throws -> String {
        let quote = characters[position]
        position += 1
        var text = ""
        while position < characters.count {
            let character = characters[position]
            position += 1
            if character == quote { return text }
            if character == "\\" {
                guard position < characters.count else { break }
                let escaped = characters[position]
                position += 1
                switch escaped {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "r": text.append("\r")
                case "0": text.append("\0")
                default: text.append(escaped)
                }
            } else {
                text.append(character)
            }
        }
        throw Failure(reason: "a string is not closed")
    }

    private mutating func parseInt() throws -> Int {
        let start = position
        if characters[position] == "-" || characters[position] == "+" { position += 1 }
        while position < characters.count, characters[position].isASCII, characters[position].isNumber { position += 1 }
        let digits = String(characters[start ..< position])
        // Python 2 wrote long integers as 3L.
        if position < characters.count, characters[position] == "L" || characters[position] == "l" { position += 1 }
        guard let value = Int(digits) else {
            throw Failure(reason: "\(digits) is not an integer that fits in 64 bits")
        }
        return value
    }

    private mutating func parseWord() -> String {
        let start = position
        while position < characters.count, characters[position].isLetter || characters[position] == "_" { position += 1 }
        return String(characters[start ..< position])
    }
}
