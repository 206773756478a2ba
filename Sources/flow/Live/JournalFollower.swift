import FlowEngine
import FlowWAL

/// Reads an execution's journal as another process writes it: each poll decodes only the
/// records it has not seen (the segment files are scanned again; a torn tail is a write in
/// progress and is left for the next poll).
struct JournalFollower {
    let home: FlowHome
    let id: String
    private(set) var seen = 0
    private var events = JournalEvents()

    init(home: FlowHome, id: String) {
        self.home = home
        self.id = id
    }

    /// The records journaled since the last poll, as timed events.
    mutating func poll() throws -> [JournalEvents.Timed] {
        let skip = seen
        let box = Collected()
        do {
            _ = try WALReader.read(directory: home.journalDirectory(of: id)) { record in
                box.index += 1
                guard box.index > skip else { return }
                do {
                    box.entries.append(try JournalCodec.decode(type: record.type, payload: record.payload))
                } catch {
                    throw RunError(.journal, "\(record.file) at offset \(record.position.offset): \(error)")
                }
            }
        } catch let e as WALError {
            throw RunError(e.code == .notFound ? .usage : .journal, e.message)
        }
        // Fewer records than before: the log was checkpointed; start over from what it holds.
        if box.index < skip {
            seen = 0
            events = JournalEvents()
            return try poll()
        }
        seen = box.index
        return box.entries.flatMap { events.events($0) }
    }

    /// The model of the journal as it is now; nil when it cannot be read.
    static func model(home: FlowHome, id: String) -> RolloutModel? {
        var follower = JournalFollower(home: home, id: id)
        guard let timed = try? follower.poll() else { return nil }
        var model = RolloutModel()
        for t in timed { model.apply(t.event, at: t.at) }
        return model
    }

    private final class Collected {
        var index = 0
        var entries: [JournalEntry] = []
    }
}
