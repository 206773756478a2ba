import Foundation
import FlowLua
import FlowWAL

/// A request for an execution from outside its process: a signal or a cancel. Written as one
/// file each, atomically, so a sender never needs the execution's lock and nothing is lost
/// when no process is driving the execution: the next one takes it.
public struct InboxMessage: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case signal, cancel
        /// Operator commands (`flow abort|pause|unpause|promote`), journaled with who and why.
        case abort, pause, unpause, promote

        /// Ends the body at its next safe point and runs the on_failure handlers.
        public var stops: Bool { self == .cancel || self == .abort }
    }
    public var kind: Kind
    public var name: String?
    public var data: LuaValue?
    /// "user@host", for the journal and for `flow history`.
    public var from: String
    public var reason: String?
    public var at: Millis

    public init(kind: Kind, name: String? = nil, data: LuaValue? = nil, from: String, reason: String? = nil, at: Millis) {
        self.kind = kind
        self.name = name
        self.data = data
        self.from = from
        self.reason = reason
        self.at = at
    }
}

public struct Inbox: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// File names sort by arrival: the time, then the sender's pid and a random tie-breaker.
    @discardableResult
    public func post(_ message: InboxMessage) throws -> String {
        try AtomicFile.makeDirectories(directory)  // durable: a posted message must outlive a power cut
        // Nanoseconds, so two sends in one millisecond keep their order.
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let stamp = String(Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
        let name = String(repeating: "0", count: max(0, 20 - stamp.count)) + stamp
            + "-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16)).json"
        let data = try JSONEncoder().encode(message)
        try AtomicFile.write(path: directory + "/" + name, contents: Array(data))
        return name
    }

    /// Messages waiting, oldest first. A file that does not parse is skipped and reported.
    public func pending() -> (messages: [(file: String, message: InboxMessage)], unreadable: [String]) {
        guard let names = FlowHome.entries(of: directory) else { return ([], []) }
        var out: [(String, InboxMessage)] = []
        var bad: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name),
                  let message = try? JSONDecoder().decode(InboxMessage.self, from: data)
            else {
                bad.append(name)
                continue
            }
            out.append((name, message))
        }
        return (out, bad)
    }

    /// Posts under a given file name (replacing a file of that name): for messages derived from
    /// another one, so posting them again after a crash does not make a second one.
    public func post(_ message: InboxMessage, as name: String) throws {
        try AtomicFile.makeDirectories(directory)  // durable: a posted message must outlive a power cut
        let data = try JSONEncoder().encode(message)
        try AtomicFile.write(path: directory + "/" + name, contents: Array(data))
    }

    public func remove(_ file: String) {
        unlink(directory + "/" + file)
    }
}
