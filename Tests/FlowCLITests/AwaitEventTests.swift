import Foundation
import Testing

/// `ecs.await_event{ pattern, source }` in a workflow: the first matching event, journaled.
@Suite struct AwaitEventTests {
    static func event(_ status: String, task: String, version: Int) -> String {
        #"{"version":"0","id":"\#(task)-\#(version)","detail-type":"ECS Task State Change","source":"aws.ecs","account":"111122223333","time":"2026-11-26T10:00:0\#(version)Z","region":"us-east-1","resources":["arn:aws:ecs:us-east-1:111122223333:task/c/\#(task)"],"detail":{"lastStatus":"\#(status)","desiredStatus":"RUNNING","version":\#(version),"taskArn":"arn:aws:ecs:us-east-1:111122223333:task/c/\#(task)","containers":[{"name":"green-app","lastStatus":"\#(status)"}]}}"#
    }

    static let workflow = """
        local P = flow.params{ source = flow.required "string" }
        local ecs = require "flow.ecs"
        local e = ecs.await_event{
          source = P.source, timeout = 10,
          pattern = { source = { "aws.ecs" }, ["detail-type"] = { "ECS Task State Change" },
                      detail = { lastStatus = { "RUNNING" }, containers = { name = { "green-app" } } } },
        }
        return { task = e.detail.taskArn, version = e.detail.version }
        """

    @Test func theFirstMatchingEventOfAFileIsTheStepsResultAndReplaysFromTheJournal() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.workflow)
        try sb.write("events.jsonl", [
            #"{"source":"aws.s3","detail-type":"Object Created","detail":{}}"#,
            Self.event("PENDING", task: "t1", version: 1),
            "",
            Self.event("RUNNING", task: "t1", version: 2),
            Self.event("RUNNING", task: "t2", version: 1),
        ].joined(separator: "\n") + "\n")
        let r = try await sb.flow(["run", "w.lua", "--id", "ev", "--param", "source=file:\(sb.path("events.jsonl"))"])
        #expect(r.code == 0, "\(r)")
        #expect(r.stdout.contains(#""task":"arn:aws:ecs:us-east-1:111122223333:task/c/t1""#), "\(r.stdout)")
        #expect(r.stdout.contains(#""version":2"#))
        let history = try await sb.history("ev")
        #expect(history.contains { ($0["name"] as? String) == "ecs.await_event" })
    }

    @Test func aSourceThatEndsWithoutAMatchFailsClearly() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", Self.workflow)
        try sb.write("events.jsonl", Self.event("PENDING", task: "t1", version: 1) + "\n")
        let r = try await sb.flow(["run", "w.lua", "--id", "none", "--param", "source=file:\(sb.path("events.jsonl"))"])
        #expect(r.code == 1, "\(r)")
        #expect(r.stderr.contains("SourceEnded"))
    }

    @Test func aBadPatternIsNamedBeforeAnythingRuns() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", """
            local ecs = require "flow.ecs"
            local e = ecs.await_event{ source = "-", pattern = { detail = { lastStatus = "RUNNING" } } }
            return e
            """)
        let r = try await sb.flow(["run", "w.lua", "--id", "bad"])
        #expect(r.code == 1, "\(r)")
        #expect(r.stderr.contains("w.lua:2"))
        #expect(r.stderr.contains("'pattern'"))
        #expect(r.stderr.contains("Event pattern is not valid"))
    }
}
