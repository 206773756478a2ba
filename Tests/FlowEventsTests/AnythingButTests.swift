import Testing
import FlowEvents

struct AnythingButTests {
    @Test func aSingleStringOrNumber() throws {
        let s = #"{"state": [{"anything-but": "initializing"}]}"#
        #expect(try matches(s, #"{"state": "running"}"#))
        #expect(try !matches(s, #"{"state": "initializing"}"#))
        #expect(try matches(s, #"{"state": null}"#))  // null is a value, and not excluded
        #expect(try !matches(s, #"{}"#))              // a missing field is not
        let n = #"{"x": [{"anything-but": 123}]}"#
        #expect(try matches(n, #"{"x": 789}"#))
        #expect(try !matches(n, #"{"x": 123.0}"#))    // compared as numbers
        #expect(try !matches(n, #"{"x": 1.23e2}"#))
        #expect(try matches(n, #"{"x": "123"}"#))     // a string is never an excluded number
    }

    @Test func aListOfStringsOrOfNumbers() throws {
        let s = #"{"state": [{"anything-but": ["stopped", "overloaded"]}]}"#
        #expect(try matches(s, #"{"state": "pending"}"#))
        #expect(try !matches(s, #"{"state": "stopped"}"#))
        #expect(try !matches(s, #"{"state": "overloaded"}"#))
        let n = #"{"x": [{"anything-but": [100, 200, 300]}]}"#
        #expect(try matches(n, #"{"x": 301}"#))
        #expect(try !matches(n, #"{"x": 300}"#))
        #expect(try matches(n, #"{"x": true}"#))
    }

    @Test func inAnEventArrayAnyElementNotExcludedMatches() throws {
        let p = #"{"r": [{"anything-but": "a"}]}"#
        #expect(try matches(p, #"{"r": ["a", "b"]}"#))
        #expect(try !matches(p, #"{"r": ["a", "a"]}"#))
        #expect(try !matches(p, #"{"r": []}"#))
    }

    @Test func prefixAndSuffixForms() throws {
        let p = #"{"source": [{"anything-but": {"prefix": "aws."}}]}"#
        #expect(try matches(p, #"{"source": "my.app"}"#))
        #expect(try !matches(p, #"{"source": "aws.ecs"}"#))
        #expect(try matches(p, #"{"source": 5}"#))
        #expect(try matches(#"{"s": [{"anything-but": {"prefix": ["a", "b"]}}]}"#, #"{"s": "cat"}"#))
        #expect(try !matches(#"{"s": [{"anything-but": {"prefix": ["a", "b"]}}]}"#, #"{"s": "bat"}"#))
        let s = #"{"FileName": [{"anything-but": {"suffix": ".txt"}}]}"#
        #expect(try matches(s, #"{"FileName": "file.txt.bak"}"#))
        #expect(try !matches(s, #"{"FileName": "file.txt"}"#))
    }

    @Test func wildcardForm() throws {
        let p = #"{"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}"#
        #expect(try matches(p, #"{"FilePath": "/usr/bin/env"}"#))
        #expect(try !matches(p, #"{"FilePath": "/usr/lib/x.so"}"#))
        #expect(try !matches(#"{"p": [{"anything-but": {"wildcard": ["a*", "*z"]}}]}"#, #"{"p": "quiz"}"#))
        #expect(try matches(#"{"p": [{"anything-but": {"wildcard": ["a*", "*z"]}}]}"#, #"{"p": "quay"}"#))
    }

    @Test func equalsIgnoreCaseForm() throws {
        let p = #"{"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}"#
        #expect(try !matches(p, #"{"state": "INITIALIZING"}"#))
        #expect(try !matches(p, #"{"state": "Initializing"}"#))
        #expect(try matches(p, #"{"state": "running"}"#))
        let l = #"{"state": [{"anything-but": {"equals-ignore-case": ["a", "B"]}}]}"#
        #expect(try !matches(l, #"{"state": "b"}"#))
        #expect(try matches(l, #"{"state": "c"}"#))
    }
}
