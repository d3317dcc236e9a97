/// Splits a migration file into the statements it holds, so that each is sent on its own.
///
/// PostgresNIO sends queries with the extended protocol, which takes exactly one statement per
/// query, and the distributed databases that speak the PostgreSQL wire protocol want one DDL
/// statement per step; SQLite's runner, by contrast, hands a whole file to `sqlite3_exec`.
///
/// The lexer knows what a migration file may hold: `--` and (nested) `/* */` comments, which
/// are dropped, `'…'` strings and `"…"` identifiers with their doubled-quote escapes, and `;`
/// ending a statement. Dollar quoting, `E'…'` escape strings and `$n` parameters are refused
/// rather than half-understood: no migration needs them, and a wrong split would run half a
/// statement.
enum SQLScript {
    /// Why a script cannot be split.
    enum SplitError: Error, Equatable {
        case unsupported(String)
        case unterminated(String)
    }

    /// The statements of `sql`, in order, without comments, trimmed, without their `;`;
    /// statements that are empty once comments are dropped are left out.
    static func statements(_ sql: String) throws(SplitError) -> [String] {
        let chars = Array(sql.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func finishStatement() {
            let text = String(current).trimmingWhitespace()
            if !text.isEmpty { statements.append(text) }
            current = String.UnicodeScalarView()
        }

        while index < chars.count {
            let char = chars[index]
            let next: Unicode.Scalar? = index + 1 < chars.count ? chars[index + 1] : nil
            switch char {
            case "-" where next == "-":
                // A line comment: dropped up to (not including) the newline.
                while index < chars.count, chars[index] != "\n" { index += 1 }
            case "/" where next == "*":
                var depth = 0
                repeat {
                    guard index + 1 < chars.count else { throw .unterminated("block comment") }
                    if chars[index] == "/", chars[index + 1] == "*" {
                        depth += 1
                        index += 2
                    } else if chars[index] == "*", chars[index + 1] == "/" {
                        depth -= 1
                        index += 2
                    } else {
                        index += 1
                    }
                } while depth > 0
                current.append(" ")
            case "'", "\"":
                if char == "'", let previous = current.last, previous == "E" || previous == "e" {
                    let beforePrevious = current.dropLast().last
                    if beforePrevious.map({ !isIdentifierCharacter($0) }) ?? true {
                        throw .unsupported("E'…' escape string")
                    }
                }
                // Copy the quoted text verbatim; a doubled quote is an escaped quote.
                current.append(char)
                index += 1
                while true {
                    guard index < chars.count else {
                        throw .unterminated(char == "'" ? "string literal" : "quoted identifier")
                    }
                    current.append(chars[index])
                    if chars[index] == char {
                        if index + 1 < chars.count, chars[index + 1] == char {
                            current.append(char)
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    index += 1
                }
            case "$":
                throw .unsupported("$ (dollar quoting or a parameter)")
            case ";":
                finishStatement()
                index += 1
            default:
                current.append(char)
                index += 1
            }
        }
        finishStatement()
        return statements
    }

    private static func isIdentifierCharacter(_ char: Unicode.Scalar) -> Bool {
        char == "_" || char.properties.isAlphabetic || ("0"..."9").contains(char)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines (Foundation-free).
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
