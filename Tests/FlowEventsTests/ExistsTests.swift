import Testing
import FlowEvents

struct ExistsTests {
    @Test func trueNeedsAValue() throws {
        let p = #"{"detail": {"state": [{"exists": true}]}}"#
        #expect(try matches(p, #"{"detail": {"state": "pending"}}"#))
        #expect(try matches(p, #"{"detail": {"state": null}}"#))   // null is a value
        #expect(try matches(p, #"{"detail": {"state": ""}}"#))
        #expect(try !matches(p, #"{"detail": {}}"#))
        #expect(try !matches(p, #"{"detail": {"state": []}}"#))    // an empty array has no value
        #expect(try !matches(p, #"{"detail": {"state": {"c1": 1}}}"#))  // only leaves exist
    }

    @Test func falseMatchesAMissingField() throws {
        let p = #"{"detail": {"state": [{"exists": false}]}}"#
        #expect(try matches(p, #"{"detail": {}}"#))
        #expect(try matches(p, #"{}"#))
        #expect(try matches(p, #"{"detail": "text"}"#))
        #expect(try matches(p, #"{"detail": {"state": []}}"#))
        #expect(try matches(p, #"{"detail": {"state": {"c1": 100}}}"#))  // not a leaf
        #expect(try !matches(p, #"{"detail": {"state": null}}"#))
        #expect(try !matches(p, #"{"detail": {"state": "x"}}"#))
    }

    @Test func insideArraysOfObjects() throws {
        let t = #"{"detail": {"automations": {"id": [{"exists": true}]}}}"#
        #expect(try matches(t, #"{"detail": {"automations": [{"k": 1}, {"id": "x"}]}}"#))
        #expect(try !matches(t, #"{"detail": {"automations": [{"k": 1}, {"j": 2}]}}"#))
        // Alone, exists:false looks at every element: one element has the field, so it exists.
        let f = #"{"a": {"b": [{"exists": false}]}}"#
        #expect(try !matches(f, #"{"a": [{"b": 1}, {"c": 2}]}"#))
        #expect(try matches(f, #"{"a": [{"c": 1}, {"c": 2}]}"#))
    }

    @Test func orWithOtherValues() throws {
        let p = #"{"S": [{"anything-but": ["roses"]}, {"exists": false}]}"#
        #expect(try matches(p, #"{}"#))
        #expect(try matches(p, #"{"S": "tulips"}"#))
        #expect(try !matches(p, #"{"S": "roses"}"#))
    }
}
