import FlowEngine
import FlowWAL
import Foundation
import Hummingbird

/// GET /api/executions/{id}/events: Server-Sent Events, one `data:` line of JSON per journal
/// record (the object `flow history --json` prints for it, `id:` its index), the records already
/// journaled first, then each as it is appended (the journal is polled, as `flow show --follow`
/// does). A comment line every heartbeat interval keeps proxies from closing the stream and finds
/// out when the client has gone. The stream ends after the `finished` record, when the server
/// stops, or when the client goes; `Last-Event-ID` resumes after that record.
enum EventStream {
    static func register(on routes: inout RouteTable, lookup: ExecutionLookup, config: ServeConfiguration) {
        routes.add(.get, "/api/executions/{id}/events") { request, context in
            let id = try lookup.id(context)
            var start = 0
            if let last = request.headers[HeaderName("Last-Event-ID")!] {
                guard let n = Int(last), n >= 0 else { throw APIError.badRequest("Last-Event-ID must be a record index, got '\(last)'") }
                start = n
            }
            let first = RecordFollower(home: lookup.home, id: id, seen: start)
            _ = try lookup.read(id) { try first.check() }
            let poll = config.followInterval, heartbeat = config.heartbeatInterval
            let body = ResponseBody { writer in
                var follower = first
                var sinceHeartbeat = Duration.zero
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                while !Stopping.shared.isSet {
                    let entries: [HistoryEntry]
                    do { entries = try follower.poll() } catch {
                        try await writer.write(ByteBuffer(string: "event: error\ndata: \(String(decoding: JSONBody.encode(["error": "journal unreadable", "detail": "\(error)"]).readableBytesView, as: UTF8.self))\n\n"))
                        break
                    }
                    for e in entries {
                        let json = String(decoding: JSONBody.encode(e).readableBytesView, as: UTF8.self)
                        try await writer.write(ByteBuffer(string: "id: \(e.index)\ndata: \(json)\n\n"))
                    }
                    if follower.finished {
                        try await writer.write(ByteBuffer(string: "event: end\ndata: {\"finished\":true}\n\n"))
                        break
                    }
                    if !entries.isEmpty { sinceHeartbeat = .zero }
                    if sinceHeartbeat >= heartbeat {
                        try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                        sinceHeartbeat = .zero
                    }
                    try await Task.sleep(for: poll)
                    sinceHeartbeat += poll
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8",
                                                   HeaderName("X-Accel-Buffering")!: "no"], body: body)
        }
    }
}

/// The journal's records past the ones already sent, decoded; a torn tail is a write in progress
/// and waits for the next poll.
struct RecordFollower: Sendable {
    let home: FlowHome
    let id: String
    private(set) var seen: Int
    private(set) var finished = false

    init(home: FlowHome, id: String, seen: Int) {
        self.home = home
        self.id = id
        self.seen = seen
    }

    func check() throws { try FlowHome.checkExisting(home: home, id: id) }

    mutating func poll() throws -> [HistoryEntry] {
        let skip = seen
        let box = Collected()
        do {
            _ = try WALReader.read(directory: home.journalDirectory(of: id)) { record in
                box.index += 1
                box.lastType = record.type
                box.lastPayload = Array(record.payload)
                guard box.index > skip else { return }
                do {
                    box.entries.append(HistoryEntry(index: box.index, try JournalCodec.decode(type: record.type, payload: record.payload)))
                } catch {
                    throw RunError(.journal, "\(record.file) at offset \(record.position.offset): \(error)")
                }
            }
        } catch let e as WALError {
            throw RunError(e.code == .notFound ? .usage : .journal, e.message)
        }
        // Fewer records than before: the log was checkpointed; go on from what it holds now.
        seen = box.index
        if let type = box.lastType, let payload = box.lastPayload,
           case .finished? = try? JournalCodec.decode(type: type, payload: payload) {
            finished = true
        }
        return box.entries
    }

    private final class Collected: @unchecked Sendable {
        var index = 0
        var entries: [HistoryEntry] = []
        var lastType: UInt8?
        var lastPayload: [UInt8]?
    }
}
