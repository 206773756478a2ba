import FlowWAL
#if canImport(Glibc)
import Glibc
#endif

/// Where executions live on disk:
///
///     HOME/executions/ID/journal/   the WAL (FlowWAL segments)
///     HOME/executions/ID/lock       held (flock) by the process driving the execution
///     HOME/executions/ID/inbox/     signals and cancel requests waiting to be taken
///     HOME/executions/ID/script.lua the script as it was at start, for diagnosis
///     HOME/index                    finished executions' summaries for `flow list` (ExecutionIndex)
///     HOME/commit/                  group commit's shared logs (FlowWAL GroupCommit), one per process
public struct FlowHome: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public var executionsDirectory: String { root + "/executions" }
    /// Group commit's shared logs; every open of a journal recovers those of dead processes first.
    public var sharedLogDirectory: String { root + "/commit" }
    public func directory(of id: String) -> String { executionsDirectory + "/" + id }
    public func journalDirectory(of id: String) -> String { directory(of: id) + "/journal" }
    public func lockPath(of id: String) -> String { directory(of: id) + "/lock" }
    public func inboxDirectory(of id: String) -> String { directory(of: id) + "/inbox" }
    public func scriptCopy(of id: String) -> String { directory(of: id) + "/script.lua" }

    public func exists(_ id: String) -> Bool {
        var st = stat()
        return stat(journalDirectory(of: id), &st) == 0
    }

    /// Every execution id in the home, sorted.
    public func executionIDs() -> [String] {
        (Self.entries(of: executionsDirectory) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The names in a directory, unsorted, "." and ".." left out; nil when it cannot be opened.
    /// readdir directly: an inbox is looked at several times a second, and Foundation's listing
    /// cost many times the system calls.
    static func entries(of path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates `path` and its parents with mode 0700.
    public static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                let code = errno
                throw FlowHomeError("cannot create directory \(current): \(String(cString: strerror(code)))")
            }
        }
    }

    /// A valid id of an execution in this home, or the usage error to show.
    public static func checkExisting(home: FlowHome, id: String) throws {
        do { try validate(id: id) } catch { throw RunError(.usage, "\(error)") }
        guard home.exists(id) else {
            throw RunError(.usage, "no execution '\(id)' in \(home.root) (`flow list` shows the executions there)")
        }
    }

    /// Ids are file names: letters, digits, '.', '_' and '-', at most 100 characters.
    public static func validate(id: String) throws {
        let ok = !id.isEmpty && id.count <= 100 && !id.hasPrefix(".")
            && id.unicodeScalars.allSatisfy { $0.isASCII && (isalnum(Int32($0.value)) != 0 || "._-".unicodeScalars.contains($0)) }
        if !ok {
            throw FlowHomeError("invalid execution id '\(id)': use letters, digits, '.', '_' and '-' (at most 100 characters)")
        }
    }

    /// "NAME-YYYYMMDD-HHMMSS-XXXX": sortable by start, readable, unique enough with the suffix.
    public static func newID(workflow: String, at millis: Millis) -> String {
        var base = workflow.split(separator: "/").last.map(String.init) ?? "workflow"
        if base.hasSuffix(".lua") { base.removeLast(4) }
        base = String(base.unicodeScalars.map { isalnum(Int32($0.value)) != 0 || $0 == "-" || $0 == "_" ? Character($0) : "-" }.prefix(40))
        var t = time_t(millis / 1000)
        var tm = tm()
        gmtime_r(&t, &tm)
        let stamp = String(format4(Int(tm.tm_year) + 1900)) + pad2(Int(tm.tm_mon) + 1) + pad2(Int(tm.tm_mday)) + "-"
            + pad2(Int(tm.tm_hour)) + pad2(Int(tm.tm_min)) + pad2(Int(tm.tm_sec))
        let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return "\(base.isEmpty ? "workflow" : base)-\(stamp)-\(String(repeating: "0", count: 4 - suffix.count))\(suffix)"
    }
}

private func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
private func format4(_ v: Int) -> String { String(v) }

public struct FlowHomeError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
