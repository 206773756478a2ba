#if canImport(Glibc)
import Glibc
#endif
import FlowEventSources
import Foundation
import Testing

@Suite struct LineSourceTests {
    static func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-events-\(UUID().uuidString).jsonl").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func source(_ spec: String, _ options: EventSourceOptions = .forTests()) throws -> any EventSource {
        try EventSources.parse(spec, aws: { _ in throw CancellationError() }, options: options)
    }

    @Test func linesDeliveredInOrderUntilEOF() async throws {
        let a = #"{"id":"a","detail":{"version":1}}"#, b = #"{"id":"b"}"#, c = #"{"id":"c"}"#
        let path = try Self.temporaryFile("\(a)\n\n   \n\(b)\r\n\(c)")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = SourceRun(try Self.source("file:\(path)"))
        let ended = await run.end()
        #expect(ended.map { if case .success = $0 { true } else { false } } == true)
        #expect(run.bodies == [a, b, c])
        #expect(run.events.map(\.origin) == ["file:\(path):1", "file:\(path):4", "file:\(path):5"])
    }

    /// The events before the bad line were delivered; the error names the file and the line.
    @Test func badLineNamedByNumber() async throws {
        let path = try Self.temporaryFile(#"{"n":1}"# + "\n" + #"{"n":2}"# + "\n\nnot json\n" + #"{"n":5}"# + "\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = SourceRun(try Self.source("file:\(path)"))
        let error = await run.end()?.error as? EventSourceError
        #expect(error?.kind == .badEvent)
        #expect(error?.location == "file:\(path):4")
        #expect(error?.description.contains("line 4 is not valid JSON") == true)
        #expect(run.events.count == 2)
    }

    @Test func arrayLineIsNotAnEvent() async throws {
        let path = try Self.temporaryFile("[{\"n\":1}]\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = await SourceRun(try Self.source("file:\(path)")).end()?.error as? EventSourceError
        #expect(error?.description.hasSuffix("line 1 is a JSON array, not an object; expected one event object per line") == true)
    }

    @Test func overlongLineNamed() async throws {
        let path = try Self.temporaryFile("{\"n\":1}\n{\"pad\":\"" + String(repeating: "x", count: 2000) + "\"}\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = EventSourceOptions.forTests()
        options.maxBodyBytes = 1000
        let run = SourceRun(try Self.source("file:\(path)", options))
        let error = await run.end()?.error as? EventSourceError
        #expect(error?.location == "file:\(path):2")
        #expect(error?.message == "line 2 is longer than 1000 bytes")
        #expect(run.events.count == 1)
    }

    @Test func deliverThatThrowsStopsTheFile() async throws {
        struct Refused: Error {}
        let path = try Self.temporaryFile("{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = SourceRun(try Self.source("file:\(path)")) { _, call in if call == 1 { throw Refused() } }
        #expect(await run.end()?.error is Refused)
        #expect(run.callCount == 2)
        #expect(run.events.count == 1)
    }

    @Test func missingFileNamed() async throws {
        let error = await SourceRun(try Self.source("file:/nonexistent/events.jsonl")).end()?.error as? EventSourceError
        #expect(error?.kind == .unreadable)
        #expect(error?.description.hasPrefix("file:/nonexistent/events.jsonl: cannot open") == true)
    }

    /// stdin is read as lines arrive, not only at EOF, and ends when the writer closes.
    @Test func standardInputThroughAPipe() async throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]) }
        var options = EventSourceOptions.forTests()
        options.standardInput = fds[0]
        let run = SourceRun(try Self.source("-", options))
        func write(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fds[1], $0.baseAddress, $0.count) } }
        write(#"{"n":1}"# + "\n" + #"{"n":"#)
        #expect(await run.waitFor(1, within: .seconds(20)))
        #expect(run.ended == nil)
        write("2}\n\n" + #"{"n":3}"# + "\n")
        close(fds[1])
        let ended = await run.end(within: .seconds(20))
        #expect(ended != nil && ended?.error == nil)
        #expect(run.bodies == [#"{"n":1}"#, #"{"n":2}"#, #"{"n":3}"#])
        #expect(run.events.map(\.origin) == ["stdin:1", "stdin:2", "stdin:4"])
    }

    @Test func quietStdinStopsWhenCancelled() async throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var options = EventSourceOptions.forTests()
        options.standardInput = fds[0]
        let run = SourceRun(try Self.source("-", options))
        try await Task.sleep(for: .milliseconds(200))
        #expect(await run.stop(within: .seconds(2))?.error is CancellationError)
    }
}
