import FlowLua

/// `HOME/index` as read once, resolved per execution: which entry, if any, stands for it.
///
/// Records are facts, not commands, so their order in the file does not matter (a compaction
/// or a writer's retry may move or repeat them): an execution's candidate is its entry of the
/// highest version; it stands unless an invalidation kills it, or it was written in another
/// boot. A candidate that does not stand is not replaced by an older entry: the journal says.
struct IndexSnapshot {
    struct Candidate {
        var head: IndexCodec.EntryHead
        var payload: Range<Int>
        var summaryOffset: Int
    }

    struct Slot {
        var id: String
        var candidate: Candidate?
        var invalidations: [IndexInvalidation] = []
    }

    let bytes: [UInt8]
    let boot: UInt64
    /// One per execution id met, in the order met; `positions` finds them by id.
    private(set) var slots: [Slot] = []
    private var positions: [String: Int] = [:]
    private(set) var records = 0
    private(set) var unknown: [Range<Int>] = []
    private(set) var garbage = 0

    init(bytes: [UInt8], boot: UInt64) {
        self.bytes = bytes
        self.boot = boot
        garbage = bytes.withUnsafeBytes { buf in
            let scan = IndexFile.scan(buf)
            slots.reserveCapacity(scan.payloads.count)
            positions.reserveCapacity(scan.payloads.count)
            for range in scan.payloads {
                let payload = UnsafeRawBufferPointer(rebasing: buf[range])
                records += 1
                switch IndexCodec.kind(payload) {
                case IndexCodec.entryKind:
                    guard let (id, head, rest) = try? IndexCodec.entryHead(payload) else { continue }
                    let i = slotIndex(id)
                    if let current = slots[i].candidate {
                        if head.version < current.head.version { continue }
                        // Of two records of one state, the one this boot wrote.
                        if head.version == current.head.version, current.head.boot == boot, head.boot != boot { continue }
                    }
                    slots[i].candidate = Candidate(head: head, payload: range, summaryOffset: rest)
                case IndexCodec.invalidationKind:
                    guard let inv = try? IndexCodec.invalidation(payload) else { continue }
                    slots[slotIndex(inv.id)].invalidations.append(inv)
                default:
                    // A later format's record: kept by compaction, for the binary that wrote it.
                    unknown.append((range.lowerBound - IndexFile.headerSize)..<range.upperBound)
                }
            }
            return scan.garbage
        }
    }

    /// Finds or makes the slot of `id` with one hash of it (one dictionary access does both).
    private mutating func slotIndex(_ id: String) -> Int {
        let i = Self.claim(&positions[id, default: -1], next: slots.count)
        if i == slots.count { slots.append(Slot(id: id)) }
        return i
    }

    private static func claim(_ position: inout Int, next: Int) -> Int {
        if position < 0 { position = next }
        return position
    }

    func slot(_ id: String) -> Slot? {
        positions[id].map { slots[$0] }
    }

    /// The entry that stands for `id`, if one does.
    func standing(_ id: String) -> Candidate? {
        guard let i = positions[id] else { return nil }
        return Self.standing(slots[i], boot: boot)
    }

    static func standing(_ slot: Slot, boot: UInt64) -> Candidate? {
        guard let c = slot.candidate, c.head.boot == boot,
              !slot.invalidations.contains(where: { $0.kills(c.head.version) })
        else { return nil }
        return c
    }

    /// The summary `flow list` prints for `id`, when the index can stand for the journal.
    func summary(of id: String) -> ExecutionSummary? {
        guard let c = standing(id) else { return nil }
        return bytes.withUnsafeBytes { buf in
            try? IndexCodec.summary(UnsafeRawBufferPointer(rebasing: buf[c.payload]), id: id, from: c.summaryOffset)
        }
    }

    /// `summary(of:)`, only the columns of `flow list`'s table.
    func row(of id: String) -> ExecutionListRow? {
        guard let c = standing(id) else { return nil }
        return bytes.withUnsafeBytes { buf in
            try? IndexCodec.row(UnsafeRawBufferPointer(rebasing: buf[c.payload]), id: id, from: c.summaryOffset)
        }
    }

    func frame(of c: Candidate) -> ArraySlice<UInt8> {
        bytes[(c.payload.lowerBound - IndexFile.headerSize)..<c.payload.upperBound]
    }
}
