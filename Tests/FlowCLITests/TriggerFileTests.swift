import FlowTestSupport
import FlowWAL
import Foundation
import Testing

/// `flow watch TRIGGER.lua`: a trigger declared in Lua is the same trigger as the command line's
/// (same decisions, same journal), options override its fields, and a bad file is refused with
/// its file:line before anything is created.
@Suite("flow watch: Lua trigger files")
struct TriggerFileTests {
    /// The seed's filter as a Lua table, the key as a list, a parameter, paths relative to the file.
    static let trigger = """
        -- a comment, as a team would write
        local container = "green-app"
        return flow.trigger {
          source  = "file:../events.jsonl",
          pattern = {
            source = { "aws.ecs" },
            ["detail-type"] = { "ECS Task State Change" },
            detail = {
              lastStatus = { "RUNNING" },
              desiredStatus = { "RUNNING" },
              containers = { name = { container } },
            },
          },
          run     = "../record.lua",
          key     = { "detail.clusterArn", "detail.group", "detail.taskDefinitionArn" },
          policy  = flow.env("TRIGGER_POLICY", "queue"),
          params  = { hold = 0.0 },
        }
        """

    @Test("a Lua trigger starts one execution per revision, and is the very trigger the command line declares")
    func luaTriggerIsTheCommandLinesTrigger() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        let stream = ECSEventStream(seed: 5, deliveries: 400)
        try w.sandbox.write("events.jsonl", stream.lines.joined(separator: "\n") + "\n")
        // The file's paths are relative to the file, not to where flow runs.
        try FileManager.default.createDirectory(atPath: w.sandbox.path("sub"), withIntermediateDirectories: true)
        try w.sandbox.write("sub/rollout.trigger.lua", Self.trigger)
        let r = try await w.sandbox.flow(["watch", "sub/rollout.trigger.lua", "--sync", "none"], timeout: .seconds(60))
        #expect(r.code == 0, "\(r)")
        try await w.expectOneExecutionPerRevision(stream)
        #expect(r.stderr.contains("policy queue"), "\(r.stderr)")
        let decided = try w.decisions()
        #expect(decided.count == stream.matching.count)

        // The same settings on the command line name the same trigger: its journal already has
        // every decision, so the same events again start nothing.
        let again = try await w.sandbox.flow(w.watch(source: "file:" + w.sandbox.path("events.jsonl"), policy: "queue"),
                                             timeout: .seconds(60))
        #expect(again.code == 0, "\(again)")
        #expect(again.stderr.contains("\(stream.matching.count) decisions journaled"), "\(again.stderr)")
        #expect(w.sandbox.executionIDs().count == 2)
        #expect(try w.decisions().count == 2 * stream.matching.count)
        #expect(try w.decisions().dropFirst(stream.matching.count).allSatisfy { ["duplicate", "stale"].contains($0.kind) })
    }

    @Test("options given with a trigger file override its fields")
    func optionsOverrideTheFile() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        try w.sandbox.write("events.jsonl", "")
        try w.sandbox.write("other.jsonl", "")
        try FileManager.default.createDirectory(atPath: w.sandbox.path("sub"), withIntermediateDirectories: true)
        try w.sandbox.write("sub/rollout.trigger.lua", Self.trigger)
        let r = try await w.sandbox.flow(["watch", "sub/rollout.trigger.lua", "--policy", "supersede", "--source", "file:other.jsonl",
                                          "--name", "by-hand", "--sync", "none"], timeout: .seconds(30))
        #expect(r.code == 0, "\(r)")
        #expect(r.stderr.contains("watching file:other.jsonl for trigger by-hand"), "\(r.stderr)")
        #expect(r.stderr.contains("policy supersede"), "\(r.stderr)")
        // flow.env reads the environment the watcher runs in.
        let env = try await w.sandbox.flow(["watch", "sub/rollout.trigger.lua", "--sync", "none"],
                                           env: ["TRIGGER_POLICY": "reject"], timeout: .seconds(30))
        #expect(env.stderr.contains("policy reject"), "\(env.stderr)")
    }

    @Test("a bad trigger file is a usage error at its file:line, and creates nothing",
          arguments: [
            ("flow.trigger{ source = \"-\", run = \"record.lua\",\n  polcy = \"queue\", pattern = {} }",
             "t.lua:1: flow.trigger: unknown field 'polcy'"),
            ("\n\nflow.trigger{ source = \"-\", run = \"record.lua\",\n pattern = { detail = { n = { { numeric = { \">\", \"x\" } } } } } }",
             "t.lua:3: flow.trigger: pattern: Event pattern is not valid. Reason: Value of > must be numeric"),
            ("flow.trigger{ source = \"-\", run = \"record.lua\", pattern = \"missing.json\" }",
             "flow.trigger: pattern file"),
            ("flow.trigger{ source = \"-\", run = \"nope.lua\", pattern = {source = {\"aws.ecs\"}} }",
             "t.lua: run: workflow file"),
            ("flow.trigger{ source = \"-\", run = \"record.lua\", pattern = {source = {\"aws.ecs\"}}, policy = \"later\" }",
             "t.lua:1: flow.trigger: policy must be reject, queue or supersede, not 'later'"),
            ("flow.trigger{ source = \"-\", run = \"record.lua\", pattern = {source = {\"aws.ecs\"}}, key = \"a..b\" }",
             "t.lua:1: flow.trigger: key:"),
            ("local q = flow.env(\"FLOW_TEST_NOT_SET_ANYWHERE\")", "t.lua:1: flow.env: FLOW_TEST_NOT_SET_ANYWHERE is not set"),
            ("flow.trigger{ source = \"-\", run = \"record.lua\" }", "t.lua: no pattern"),
            ("local t = {}\nflow.trigger(t)\nflow.trigger(t)", "t.lua:3: flow.trigger: called twice"),
            ("io.open(\"x\")", "t.lua:1:"),
            ("flow.trigger{ source = \"-\", run = \"record.lua\", pattern = {source = {\"aws.ecs\"}}, params = { event = {} } }",
             "parameter event: the watcher passes the triggering event"),
            ("return 1 +", "t.lua:1:"),
          ])
    func badFiles(text: String, message: String) async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        try w.sandbox.write("t.lua", text)
        let r = try await w.sandbox.flow(["watch", "t.lua"], timeout: .seconds(30))
        #expect(r.code == 2, "\(r)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!w.sandbox.exists(w.sandbox.home + "/triggers"))
    }

    @Test("the shipped canary trigger file declares the seed's filter and the canary")
    func shippedTriggerFile() async throws {
        let w = try await WatchWorld()
        defer { w.sandbox.cleanup() }
        let file = FlowBinary.packageRoot + "/workflows/canary.trigger.lua"
        try w.sandbox.write("none.jsonl", "")
        let r = try await w.sandbox.flow(["watch", file, "--source", "file:" + w.sandbox.path("none.jsonl"), "--name", "c"],
                                         timeout: .seconds(30))
        #expect(r.code == 0, "\(r)")
        #expect(r.stderr.contains("runs " + FlowBinary.packageRoot + "/workflows/canary.lua (policy queue"), "\(r.stderr)")
        // The pattern it journaled is the JSON filter shipped beside it, field for field.
        let records = try WALReader.read(directory: w.sandbox.home + "/triggers/c/journal").records
        let watching = try #require(records.first { $0.type == 1 })
        let journaled = try Sandbox.object(String(decoding: watching.payload, as: UTF8.self))["pattern"] as? String ?? ""
        let fromLua = try JSONSerialization.jsonObject(with: Data(journaled.utf8)) as? NSDictionary
        let shipped = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: WatchWorld.pattern))) as? NSDictionary
        #expect(fromLua != nil && fromLua == shipped, "\(journaled)")
    }
}
