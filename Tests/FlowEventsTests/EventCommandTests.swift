import Foundation
import Testing

/// `flow event test` end to end through the real binary (`<package root>/.build/debug/flow`, built by
/// `swift build --build-tests`): output, exit codes and stdin handling as a user sees them.
struct EventCommandTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = packageRoot.appendingPathComponent(".build/debug/flow").path

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `flow event test ARGS`, feeding `stdin` if given.
    func flow(_ args: [String], stdin: String? = nil) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw CLIError("the flow binary is missing at \(Self.binary): run `swift build --build-tests` first")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["event", "test"] + args
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Outputs are a line or two: they fit in the pipes, so reading after the exit cannot block.
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                      stderr: String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    struct CLIError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// A temporary file holding `text`, removed by `cleanup`.
    final class TempFiles {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flow-event-test-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
        func file(_ name: String, _ text: String) throws -> String {
            let url = dir.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url.path
        }
        deinit { try? FileManager.default.removeItem(at: dir) }
    }

    static let ecs = Fixture.directory.appendingPathComponent("ecs-events").path

    @Test func matchPrintsMatchAndExitsZero() throws {
        let files = try TempFiles()
        let pattern = try files.file("p.json", ECSEventTests.seedFilter)
        for event in ["seed-green-app.derived", "seed-green-app.duplicate.derived"] {
            let r = try flow(["--pattern", pattern, "--event", "\(Self.ecs)/ecs-task-state-change.\(event).json"])
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout == "match\n")
            #expect(r.stderr == "")
        }
    }

    @Test func noMatchPrintsNoMatchAndExitsOne() throws {
        let files = try TempFiles()
        let pattern = try files.file("p.json", ECSEventTests.seedFilter)
        let r = try flow(["--pattern", pattern, "--event", "\(Self.ecs)/ecs-task-state-change.seed-green-app.stale-pending.derived.json"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout == "no match\n")
    }

    @Test func anInvalidPatternIsAWSsErrorOnStderrWithExitTwo() throws {
        let files = try TempFiles()
        let event = try files.file("e.json", #"{"source": "x"}"#)
        let cases = [
            (#"{"source": "x"}"#, #"Event pattern is not valid. Reason: "source" must be an object or an array"#),
            (#"{"n": [{"numeric": [">", 0, "<"]}]}"#, "Event pattern is not valid. Reason: Value of < must be numeric"),
            (#"{"s": [{"wildcard": "a**"}]}"#, "Event pattern is not valid. Reason: Consecutive wildcard characters at pos 2"),
            ("not json", "Event pattern is not valid. Reason: Filter is not valid JSON"),
        ]
        for (text, message) in cases {
            let r = try flow(["--pattern", try files.file("bad.json", text), "--event", event])
            #expect(r.status == 2, "\(r)")
            #expect(r.stdout == "")
            #expect(r.stderr.contains(message), "\(r.stderr)")
        }
    }

    @Test func dashReadsStandardInputForEither() throws {
        let files = try TempFiles()
        let pattern = try files.file("p.json", #"{"detail": {"n": [{"numeric": [">=", 3]}]}}"#)
        let event = try files.file("e.json", #"{"detail": {"n": 3.0}}"#)
        var r = try flow(["--pattern", pattern, "--event", "-"], stdin: #"{"detail": {"n": 3e0}}"#)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "match\n")
        r = try flow(["--pattern", "-", "--event", event], stdin: #"{"detail": {"n": [{"numeric": ["<", 3]}]}}"#)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout == "no match\n")
        r = try flow(["--pattern", "-", "--event", "-"], stdin: "{}")
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("only one of --pattern and --event"))
    }

    @Test func unreadableOrMalformedInputsAreUsageErrors() throws {
        let files = try TempFiles()
        let pattern = try files.file("p.json", #"{"a": [1]}"#)
        var r = try flow(["--pattern", pattern, "--event", files.dir.appendingPathComponent("missing.json").path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--event: cannot read"))
        r = try flow(["--pattern", pattern, "--event", try files.file("e.json", "{\"a\": 1")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("not valid JSON"), "\(r.stderr)")
        r = try flow(["--pattern", pattern, "--event", try files.file("e2.json", "[1]")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("an event is a JSON object"))
        r = try flow(["--event", pattern])
        #expect(r.status == 2)  // --pattern is required
    }

    @Test func theLengthQuotaCanBeRaised() throws {
        let files = try TempFiles()
        let long = try files.file("p.json", #"{"a": ["\#(String(repeating: "x", count: 3000))"]}"#)
        let event = try files.file("e.json", #"{"a": "b"}"#)
        var r = try flow(["--pattern", long, "--event", event])
        #expect(r.status == 2)
        #expect(r.stderr.contains("longer than 2048 characters"))
        r = try flow(["--pattern", long, "--event", event, "--max-pattern-length", "4096"])
        #expect(r.status == 1, "\(r)")
    }
}
