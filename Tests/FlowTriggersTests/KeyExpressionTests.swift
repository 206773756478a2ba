import FlowEvents
import Testing
@testable import FlowTriggers

@Suite("key expressions")
struct KeyExpressionTests {
    let event = ECSEvents.task("abc", version: 4, revision: 12)

    @Test("the default key: cluster, service group and task definition with its revision")
    func defaultKey() throws {
        let values = try KeyExpression.default.values(of: event)
        #expect(values == [ECSEvents.cluster, "service:canary-green",
                           "arn:aws:ecs:us-west-2:111122223333:task-definition/canary-app:12"])
    }

    @Test("paths: nested fields, indexes, dashes, spaces around paths; non-strings as JSON")
    func paths() throws {
        let e: JSONValue = ["detail-type": "X", "detail": ["containers": [["name": "a"], ["name": "green-app"]],
                                                          "n": 7, "ok": true, "o": ["b": 1, "a": [2]]]]
        let k = try KeyExpression(" detail-type , detail.containers[1].name,detail.n,detail.ok,detail.o")
        #expect(try k.values(of: e) == ["X", "green-app", "7", "true", #"{"a":[2],"b":1}"#])
    }

    @Test("a missing field names the path")
    func missing() throws {
        let k = try KeyExpression("detail.containers[5].name")
        #expect(throws: KeyExpressionError.self) { try k.key(of: event) }
        do { _ = try k.key(of: event) } catch { #expect(error.message.contains("detail.containers[5].name")) }
    }

    @Test("syntax errors say what is wrong", arguments: ["", "a,,b", "a.", ".a", "a..b", "a[x]", "a[1", "[0].a", "a]b", "a[0]b"])
    func syntaxErrors(_ text: String) {
        #expect(throws: KeyExpressionError.self) { try KeyExpression(text) }
    }

    @Test("values holding commas or backslashes never make the same key")
    func escaping() throws {
        let k = try KeyExpression("a,b")
        let one = try k.key(of: ["a": "x,y", "b": "z"])
        let two = try k.key(of: ["a": "x", "b": "y,z"])
        #expect(one != two)
        #expect(KeyExpression.split(one) == ["x,y", "z"])
        #expect(KeyExpression.split(try k.key(of: ["a": #"p\"#, "b": "q"])) == [#"p\"#, "q"])
    }
}

@Suite("execution ids")
struct ExecutionIDTests {
    let key = "\(ECSEvents.cluster),service:canary-green,arn:aws:ecs:us-west-2:111122223333:task-definition/canary-app:7"

    @Test("readable, deterministic, and apart per trigger and per key")
    func derive() {
        let id = ExecutionIDs.derive(trigger: "t", key: key)
        #expect(id.hasPrefix("FargateCluster-canary-green-canary-app-7-"), "\(id)")
        #expect(id == ExecutionIDs.derive(trigger: "t", key: key))
        #expect(id != ExecutionIDs.derive(trigger: "u", key: key))
        #expect(id != ExecutionIDs.derive(trigger: "t", key: key + "0"))
    }

    @Test("always a valid id of at most 93 characters, whatever the key",
          arguments: ["", "////", String(repeating: "é/ü:x", count: 100), "a b\nc", String(repeating: "z", count: 500)])
    func bounded(_ key: String) {
        let id = ExecutionIDs.derive(trigger: "t", key: key)
        #expect(id.count <= 93 && !id.isEmpty && !id.hasPrefix(".") && !id.hasPrefix("-"), "\(id)")
        #expect(id.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-".unicodeScalars.contains($0)) }, "\(id)")
    }

    @Test("default trigger names: workflow, source kind, hash; valid")
    func triggerNames() throws {
        let a = TriggerLayout.defaultName(workflowPath: "/w/workflows/canary.lua", source: "sqs:https://sqs.x/q")
        let b = TriggerLayout.defaultName(workflowPath: "/w/workflows/canary.lua", source: "file:/tmp/e.jsonl")
        #expect(a.hasPrefix("canary-sqs-") && b.hasPrefix("canary-file-"), "\(a) \(b)")
        #expect(TriggerLayout.defaultName(workflowPath: "x.lua", source: "-").hasPrefix("x-stdin-"))
        try TriggerLayout.validate(name: a)
        try TriggerLayout.validate(name: TriggerLayout.defaultName(workflowPath: String(repeating: "w", count: 300) + ".lua",
                                                                    source: String(repeating: "k", count: 300) + ":x"))
        #expect(throws: TriggerJournalError.self) { try TriggerLayout.validate(name: "a/b") }
    }
}
