import Testing
import FlowEvents

/// Exact values: strings, numbers, booleans, null; OR within a list; AND across fields; nesting.
struct ExactMatchTests {
    @Test func aListIsAnOrAndFieldsAreAnAnd() throws {
        let p = #"{"source": ["aws.ec2", "aws.ecs"], "detail-type": ["ECS Task State Change"]}"#
        #expect(try matches(p, #"{"source": "aws.ecs", "detail-type": "ECS Task State Change"}"#))
        #expect(try matches(p, #"{"source": "aws.ec2", "detail-type": "ECS Task State Change"}"#))
        #expect(try !matches(p, #"{"source": "aws.ecs", "detail-type": "ECS Service Action"}"#))
        #expect(try !matches(p, #"{"source": "aws.ecs"}"#))
    }

    @Test func nestedObjectsFollowTheEventsNesting() throws {
        let p = #"{"detail": {"state": {"name": ["running"]}}}"#
        #expect(try matches(p, #"{"detail": {"state": {"name": "running", "code": 16}}}"#))
        #expect(try !matches(p, #"{"detail": {"name": "running"}}"#))
        #expect(try !matches(p, #"{"state": {"name": "running"}}"#))
        // A field whose value is an object is not a value: it never equals a string.
        #expect(try !matches(#"{"detail": ["running"]}"#, #"{"detail": {"state": "running"}}"#))
    }

    @Test func stringsMatchByteForByteWithoutNormalisation() throws {
        // Precomposed é vs e + combining acute: canonically equal for Swift's ==, different for AWS.
        #expect(try matches("{\"name\": [\"caf\u{E9}\"]}", "{\"name\": \"caf\u{E9}\"}"))
        #expect(try !matches("{\"name\": [\"caf\u{E9}\"]}", "{\"name\": \"cafe\u{301}\"}"))
        #expect(try !matches(#"{"name": ["Green"]}"#, #"{"name": "green"}"#))
        #expect(try !matches(#"{"name": ["green"]}"#, #"{"name": "green "}"#))
        #expect(try matches(#"{"emoji": ["🚀 ünïcödé \u00e9"]}"#, #"{"emoji": "🚀 ünïcödé é"}"#))
    }

    @Test func numbersMatchByValueWithinRangeElseByText() throws {
        // 3, 3.0, 3e0 and 0.3e1 are the same number to EventBridge's numeric comparison.
        for written in ["3", "3.0", "3e0", "0.3e1", "3.000000", "30e-1"] {
            #expect(try matches(#"{"n": [3]}"#, #"{"n": \#(written)}"#), "event n = \(written)")
            #expect(try matches(#"{"n": [\#(written)]}"#, #"{"n": 3}"#), "pattern n = \(written)")
        }
        #expect(try !matches(#"{"n": [3]}"#, #"{"n": 3.0000001}"#))
        #expect(try !matches(#"{"n": [3]}"#, #"{"n": "3"}"#))
        #expect(try !matches(#"{"n": ["3"]}"#, #"{"n": 3}"#))
        // Beyond ±5e9 (an account id) a number matches only as written.
        #expect(try matches(#"{"account": [123456789012]}"#, #"{"account": 123456789012}"#))
        #expect(try !matches(#"{"account": [123456789012]}"#, #"{"account": 123456789012.0}"#))
        #expect(try matches(#"{"n": [-0]}"#, #"{"n": 0}"#))
    }

    @Test func booleansAndNullAreTheirOwnTypes() throws {
        #expect(try matches(#"{"b": [true]}"#, #"{"b": true}"#))
        #expect(try !matches(#"{"b": [true]}"#, #"{"b": "true"}"#))
        #expect(try !matches(#"{"b": [true]}"#, #"{"b": 1}"#))
        #expect(try matches(#"{"v": [null]}"#, #"{"v": null}"#))
        #expect(try !matches(#"{"v": [null]}"#, #"{"v": "null"}"#))
        #expect(try !matches(#"{"v": [null]}"#, #"{}"#))
    }

    @Test func nullAndEmptyStringAreNotInterchangeable() throws {
        #expect(try matches(#"{"v": [""]}"#, #"{"v": ""}"#))
        #expect(try !matches(#"{"v": [""]}"#, #"{"v": null}"#))
        #expect(try !matches(#"{"v": [null]}"#, #"{"v": ""}"#))
        #expect(try !matches(#"{"v": [""]}"#, #"{}"#))
    }

    @Test func anEventArrayMatchesWhenAnyElementDoes() throws {
        let p = #"{"resources": ["arn:b", "arn:z"]}"#
        #expect(try matches(p, #"{"resources": ["arn:a", "arn:b"]}"#))
        #expect(try !matches(p, #"{"resources": ["arn:a", "arn:c"]}"#))
        #expect(try !matches(p, #"{"resources": []}"#))
        // Nested arrays are crossed too.
        #expect(try matches(p, #"{"resources": [["arn:a"], ["arn:z"]]}"#))
    }

    @Test func fieldsInsideArraysOfObjectsMatchAnyElement() throws {
        let p = #"{"detail": {"containers": {"name": ["green-app"]}}}"#
        #expect(try matches(p, #"{"detail": {"containers": [{"name": "busybox"}, {"name": "green-app"}]}}"#))
        #expect(try !matches(p, #"{"detail": {"containers": [{"name": "busybox"}, {"image": "green-app"}]}}"#))
        #expect(try !matches(p, #"{"detail": {"containers": []}}"#))
    }

    @Test func keysAreCaseSensitiveAndDotsJoinSegments() throws {
        #expect(try !matches(#"{"Source": ["x"]}"#, #"{"source": "x"}"#))
        // EventBridge flattens names with ".": a dotted key is the nested field, both ways.
        #expect(try matches(#"{"a": {"b": ["x"]}}"#, #"{"a.b": "x"}"#))
        #expect(try matches(#"{"a.b": ["x"]}"#, #"{"a": {"b": "x"}}"#))
        #expect(try matches(#"{"a.b.c": ["x"]}"#, #"{"a": {"b.c": "x"}}"#))
        #expect(try !matches(#"{"a.b": ["x"]}"#, #"{"a": {"bc": "x"}}"#))
    }

    @Test func aKeyGivenTwiceKeepsItsLastValueList() throws {
        // AWS: "if you include a key more than once the last reference will be the one used".
        let p = #"{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}"#
        #expect(try matches(p, #"{"detail": {"location": "eu-west"}}"#))
        #expect(try !matches(p, #"{"detail": {"location": "us-east"}}"#))
        // The same field through a dotted key is overridden too.
        #expect(try !matches(#"{"a": {"b": ["x"]}, "a.b": ["y"]}"#, #"{"a": {"b": "x"}}"#))
    }

    @Test func onlyObjectsAreEvents() throws {
        let p = try EventPattern(#"{"a": [1]}"#)
        #expect(!p.matches([1]))
        #expect(!p.matches("a"))
        #expect(p.matches(["a": 1]))
    }
}
