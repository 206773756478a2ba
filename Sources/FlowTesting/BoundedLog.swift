/// What a test report keeps of something that can happen a million times (a gate measured every
/// second for a week): the first `head` entries and the last `tail`, and how many there were.
/// A report of every one would take gigabytes and say no more.
struct BoundedLog<Entry> {
    let headCapacity: Int
    let tailCapacity: Int
    private(set) var head: [Entry] = []
    private var tail: [Entry] = []
    /// Where the next tail entry goes once the ring is full.
    private var next = 0
    private(set) var total = 0

    init(head: Int = 5_000, tail: Int = 5_000) {
        headCapacity = head
        tailCapacity = tail
    }

    /// Returns the entry's serial number (0-based), for `update`.
    @discardableResult
    mutating func append(_ e: Entry) -> Int {
        defer { total += 1 }
        if head.count < headCapacity {
            head.append(e)
        } else if tail.count < tailCapacity {
            tail.append(e)
        } else {
            tail[next] = e
            next = (next + 1) % tailCapacity
        }
        return total
    }

    /// Changes entry `serial` if it is still kept.
    mutating func update(_ serial: Int, _ change: (inout Entry) -> Void) {
        if serial < head.count {
            change(&head[serial])
            return
        }
        let fromEnd = total - 1 - serial  // 0: the newest
        guard fromEnd >= 0, fromEnd < tail.count else { return }
        let newest = tail.count < tailCapacity ? tail.count - 1 : (next - 1 + tailCapacity) % tailCapacity
        change(&tail[(newest - fromEnd + tailCapacity) % tailCapacity])
    }

    /// The kept entries, oldest first.
    var entries: [Entry] {
        guard tail.count == tailCapacity else { return head + tail }
        return head + tail[next...] + tail[..<next]
    }

    /// Entries between the head and the tail that were not kept.
    var dropped: Int { total - head.count - tail.count }
}

extension BoundedLog: Sendable where Entry: Sendable {}
