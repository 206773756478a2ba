/// Where a trigger lives in a flow home:
///
///     HOME/triggers/NAME/journal/   its journal (FlowWAL segments)
///     HOME/triggers/NAME/lock       held (OFD lock) by the one watcher of this trigger
///
/// The executions it starts are ordinary executions under HOME/executions/.
public struct TriggerLayout: Sendable {
    public let root: String
    public let name: String

    public init(home: String, name: String) {
        self.root = home
        self.name = name
    }

    public var directory: String { root + "/triggers/" + name }
    public var journalDirectory: String { directory + "/journal" }
    public var lockPath: String { directory + "/lock" }

    /// Trigger names are file names: letters, digits, ".", "_" and "-", at most 64 characters.
    public static func validate(name: String) throws(TriggerJournalError) {
        let ok = !name.isEmpty && name.count <= 64 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { s in
                s.isASCII && (("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || "._-".unicodeScalars.contains(s))
            }
        if !ok {
            throw TriggerJournalError("invalid trigger name '\(name)': use letters, digits, '.', '_' and '-' (at most 64 characters)")
        }
    }

    /// The default name: the workflow's file name, the source's kind and a short hash of both
    /// as given (absolute workflow path and source spec), so one workflow watched from two
    /// sources makes two triggers. "canary-sqs-3f9a1c2e".
    public static func defaultName(workflowPath: String, source: String) -> String {
        var base = workflowPath.split(separator: "/").last.map(String.init) ?? "workflow"
        if base.hasSuffix(".lua") { base.removeLast(4) }
        let kind = source == "-" ? "stdin" : String(source.prefix { $0 != ":" })
        let clean = { (s: String, limit: Int) in
            String(s.unicodeScalars.map { s in
                s.isASCII && (("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "_" || s == "-")
                    ? Character(s) : "-"
            }.prefix(limit))
        }
        let hash = ExecutionIDs.hex(ExecutionIDs.fnv1a64(Array(workflowPath.utf8) + [0] + Array(source.utf8))).prefix(8)
        // At most 40 + 1 + 12 + 1 + 8 characters: within the 64 of a name.
        return "\(clean(base.isEmpty ? "workflow" : base, 40))-\(clean(kind, 12))-\(hash)"
    }
}
