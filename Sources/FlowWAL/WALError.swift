#if canImport(Glibc)
import Glibc
#endif

/// Every error FlowWAL throws. The message is complete on its own (what, where, how to fix);
/// `path`, `offset` and `errno` repeat the location for programs.
public struct WALError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: Sendable, Equatable {
        case notFound, alreadyExists, corrupt, recordTooLarge, invalidType, io, locked
    }

    public var code: Code
    public var message: String
    public var path: String?
    public var offset: UInt64?
    public var errno: Int32?

    public init(code: Code, message: String, path: String? = nil, offset: UInt64? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.offset = offset
        self.errno = errno
    }

    public var description: String { message }
}

extension WALError {
    /// A failed system call: "cannot <operation> <path>: <strerror> (errno N)".
    static func io(_ operation: String, _ path: String, errno code: Int32, hint: String = "") -> WALError {
        let reason = String(cString: strerror(code))
        var message = "cannot \(operation) \(path): \(reason) (errno \(code))"
        if !hint.isEmpty { message += "; \(hint)" }
        return WALError(code: .io, message: message, path: path, errno: code)
    }

    static func corrupt(_ path: String, offset: UInt64, _ what: String) -> WALError {
        WALError(
            code: .corrupt,
            message: "\(path): corrupt at byte offset \(offset): \(what)",
            path: path, offset: offset)
    }
}
