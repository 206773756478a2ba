#if canImport(Glibc)
import Glibc
#endif

/// `HOME/index`: one small summary record per finished execution, so that `flow list` reads one
/// file and the executions directory instead of every journal and lock.
///
/// A cache, never the truth. What it cannot vouch for is read from the journal: executions
/// without an entry (unfinished ones, whose status needs the lock anyway, and any whose entry
/// was lost), entries an invalidation killed, entries of an earlier boot, records that do not
/// read back whole. A list that had to read a finished execution's journal adds its entry, and
/// rewrites the file when it holds mostly garbage or stale records. Every write is best effort
/// and never synced.
///
/// Staleness: a finished state changes only by a redrive (`flow retry`) or by a new execution
/// under the id of one deleted by hand. Both write an invalidation first, naming the state it
/// ends by version rather than by position in the file, so an entry appended later from an
/// earlier read of the journal (a slow `flow list`, the runner finishing the previous attempt)
/// is killed too.
public enum ExecutionIndex {
    static func path(of home: FlowHome) -> String { home.root + "/index" }

    /// How long a compaction keeps an invalidation: beyond any reader that could still append
    /// an entry from a journal it read before the change.
    static let invalidationLifetime: Millis = 3_600_000

    /// The runner's call once an execution's final record is committed. Never fails the run.
    public static func recordFinished(home: FlowHome, id: String, state: JournalState) {
        guard state.started != nil, state.finished != nil else { return }
        let summary = ExecutionSummary(id: id, state: state, driver: nil, tornTail: nil)
        guard let entry = IndexEntry(id: id, state: state, summary: summary, boot: BootIdentity.current),
              let frame = IndexFile.frame(IndexCodec.encode(entry))
        else { return }
        IndexFile.append(frame, to: path(of: home))
    }

    /// Before a redrive changes the execution (`flow retry`), and again once it is journaled
    /// (under the execution's lock, when another retry can no longer slip in between): every
    /// entry of a state older than the one the journal now ends in, or of that state if it
    /// is finished, is stale.
    public static func invalidateRedrive(home: FlowHome, id: String) {
        guard home.exists(id) else { return }
        let now = WallClock.now()
        let record: IndexInvalidation
        if let state = try? JournalReading.read(home: home, id: id).state, let started = state.started {
            // Only a failed or aborted execution can be redriven: a retry of any other is refused.
            if let status = state.finished?.status, status != .failed, status != .aborted { return }
            let stale = state.redrives.count - (state.finished == nil ? 1 : 0)
            record = IndexInvalidation(id: id, seed: started.randomSeed, maxRedrives: stale, startedBefore: 0, writtenAt: now)
        } else {
            // Unreadable now: every entry of the id so far is suspect.
            record = IndexInvalidation(id: id, seed: 0, maxRedrives: -1, startedBefore: now + 1, writtenAt: now)
        }
        append(record, home: home)
    }

    /// Before an execution is created under a chosen id: an entry of an earlier execution of
    /// that id (deleted by hand since) must not stand for the new one. Nothing is written for an
    /// id the run will refuse, nor when there is no index to hold such an entry.
    public static func invalidateCreation(home: FlowHome, id: String) {
        guard (try? FlowHome.validate(id: id)) != nil, !home.exists(id), access(path(of: home), F_OK) == 0 else { return }
        let now = WallClock.now()
        append(IndexInvalidation(id: id, seed: 0, maxRedrives: -1, startedBefore: now, writtenAt: now), home: home)
    }

    static func append(_ record: IndexInvalidation, home: FlowHome) {
        guard let frame = IndexFile.frame(IndexCodec.encode(record)) else { return }
        IndexFile.append(frame, to: path(of: home))
    }

    static func snapshot(_ home: FlowHome) -> IndexSnapshot {
        IndexSnapshot(bytes: IndexFile.read(path: path(of: home)) ?? [], boot: BootIdentity.current)
    }

    /// After a list: adds the entries it had to read from journals, or rewrites the file when
    /// that would drop more than it keeps (or it has garbage in it).
    static func maintain(_ home: FlowHome, snapshot: IndexSnapshot, present: [String], standing: Int, healed: [IndexEntry]) {
        let now = WallClock.now()
        var young = 0
        for slot in snapshot.slots {
            young += slot.invalidations.count(where: { now - $0.writtenAt < invalidationLifetime })
        }
        let kept = standing + young + snapshot.unknown.count
        let removable = snapshot.records - kept
        let path = path(of: home)
        if snapshot.garbage > 0 || removable > max(1024, (kept + healed.count) / 2) {
            let presentSet = Set(present)
            let boot = snapshot.boot
            if IndexFile.compact(path: path, rebuild: { old in rebuild(old, boot: boot, present: presentSet, healed: healed, now: now) }) {
                return
            }
        }
        var frames: [UInt8] = []
        for e in healed {
            if let f = IndexFile.frame(IndexCodec.encode(e)) { frames += f }
        }
        if !frames.isEmpty { IndexFile.append(frames, to: path) }
    }

    /// The file as it should be: for each execution in the directory, its standing entry (or
    /// one a list just read from its journal); young invalidations; records of later formats.
    static func rebuild(_ old: [UInt8], boot: UInt64, present: Set<String>, healed: [IndexEntry], now: Millis) -> [UInt8] {
        let snapshot = IndexSnapshot(bytes: old, boot: boot)
        var out: [UInt8] = []
        out.reserveCapacity(old.count)
        for slot in snapshot.slots {
            for i in slot.invalidations where now - i.writtenAt < invalidationLifetime {
                if let f = IndexFile.frame(IndexCodec.encode(i)) { out += f }
            }
            if present.contains(slot.id), let c = IndexSnapshot.standing(slot, boot: boot) { out += snapshot.frame(of: c) }
        }
        for r in snapshot.unknown { out += old[r] }
        for e in healed where present.contains(e.id) {
            let slot = snapshot.slot(e.id)
            if slot?.invalidations.contains(where: { $0.kills(e.version) }) == true { continue }
            if let c = slot.flatMap({ IndexSnapshot.standing($0, boot: boot) }), !(c.head.version < e.version) { continue }
            if let f = IndexFile.frame(IndexCodec.encode(e)) { out += f }
        }
        return out
    }
}
