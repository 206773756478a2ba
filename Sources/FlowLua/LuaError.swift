/// An error raised by Lua code, or a limit that ended it. `message` is Lua's own text, which
/// already starts with `chunk:line:` when Lua knew where it happened.
public struct LuaError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case syntax
        case runtime
        case memoryLimit
        case instructionLimit
        /// A value that is not a string was raised: its rendering is in `message`.
        case errorObject
    }

    public var kind: Kind
    public var message: String
    /// The raised value when it was not a string (e.g. `error({ name = "Throttling" })`).
    public var value: LuaValue?
    public var traceback: String?

    public init(kind: Kind, message: String, value: LuaValue? = nil, traceback: String? = nil) {
        self.kind = kind
        self.message = message
        self.value = value
        self.traceback = traceback
    }

    public var description: String { message }

    /// The `chunk:line` prefix of the message, when Lua supplied one.
    public var location: String? {
        LuaError.splitLocation(message).location
    }

    /// Splits "file.lua:12: boom" into ("file.lua:12", "boom").
    public static func splitLocation(_ message: String) -> (location: String?, text: String) {
        var colons = 0
        var idx = message.startIndex
        var firstColon: String.Index?
        while idx < message.endIndex {
            if message[idx] == ":" {
                colons += 1
                if colons == 1 {
                    firstColon = idx
                } else if let first = firstColon {
                    let line = message[message.index(after: first)..<idx]
                    if !line.isEmpty, line.allSatisfy(\.isNumber) {
                        let loc = String(message[..<idx])
                        var rest = message[message.index(after: idx)...]
                        if rest.first == " " { rest = rest.dropFirst() }
                        return (loc, String(rest))
                    }
                    return (nil, message)
                }
            } else if message[idx] == "\n" {
                break
            }
            idx = message.index(after: idx)
        }
        return (nil, message)
    }
}

/// An error a host function throws to Lua. It is raised at the script's line (level 1 is the Lua
/// function that called the host), so the author sees their own `file:line`.
public struct LuaHostError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// Raise this value instead of a string (e.g. a structured step error).
    public var value: LuaValue?
    /// 0 = no position prefix, 1 = the caller's line, 2 = its caller.
    public var level: Int

    public init(_ message: String, value: LuaValue? = nil, level: Int = 1) {
        self.message = message
        self.value = value
        self.level = level
    }

    public var description: String { message }
}
