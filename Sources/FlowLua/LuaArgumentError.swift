/// A Lua value that does not fit the Swift type a native step asked for, reported the way
/// Lua's own `luaL_check*` functions would, so a script author sees a familiar message:
/// `bad argument 'weights.blue' (number expected, got string)`.
public struct LuaArgumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Keys from the argument table down to the offending value. Array positions are
    /// written `[n]` and counted from 1, as a Lua author counts them.
    public var path: [String]
    /// What is wrong, without the path: `integer expected, got float 1.5`.
    public var problem: String

    public init(path: [String], problem: String) {
        self.path = path
        self.problem = problem
    }

    /// The path as a Lua author would write it: `weights.blue`, `cmd[2]`, `""` for the root.
    public var pathDescription: String {
        var text = ""
        for element in path {
            if element.hasPrefix("[") || text.isEmpty {
                text += element
            } else {
                text += "." + element
            }
        }
        return text
    }

    public var description: String {
        let where_ = pathDescription
        return where_.isEmpty ? "bad argument (\(problem))" : "bad argument '\(where_)' (\(problem))"
    }
}

extension LuaArgumentError {
    init(codingPath: [any CodingKey], problem: String) {
        self.init(path: codingPath.map(\.stringValue), problem: problem)
    }
}

/// Position of an element in a Lua array. `stringValue` is what ends up in error paths, so it
/// uses Lua's 1-based numbering; `intValue` keeps Swift's 0-based index for Codable code.
struct LuaCodingIndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String

    init(index: Int) {
        intValue = index
        stringValue = "[\(index + 1)]"
    }

    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.init(index: intValue) }
}

/// A key for tables whose fields are not known at compile time (dictionaries, raw LuaValues).
struct LuaCodingAnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { stringValue = String(intValue) }
}
