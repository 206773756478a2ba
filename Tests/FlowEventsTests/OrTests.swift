import Testing
import FlowEvents

struct OrTests {
    @Test func alternativesAtTheTop() throws {
        let p = #"{"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}]}"#
        #expect(try matches(p, #"{"source": "aws.cloudwatch", "metricName": "CPUUtilization"}"#))
        #expect(try matches(p, #"{"source": "aws.cloudwatch", "namespace": "AWS/EC2"}"#))
        #expect(try !matches(p, #"{"source": "aws.cloudwatch", "namespace": "AWS/ES"}"#))
        #expect(try !matches(p, #"{"source": "aws.ec2", "metricName": "CPUUtilization"}"#))
        #expect(try EventPattern(p).alternativeCount == 2)
    }

    @Test func alternativesInsideANestedObject() throws {
        let p = #"{"detail": {"$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]}, {"d-count": [{"numeric": ["<", 10]}]}]}}"#
        #expect(try matches(p, #"{"detail": {"c-count": 3, "d-count": 100}}"#))
        #expect(try matches(p, #"{"detail": {"c-count": 0, "d-count": 9}}"#))
        #expect(try !matches(p, #"{"detail": {"c-count": 0, "d-count": 10}}"#))
    }

    @Test func nestedAndParallelOrs() throws {
        // source && (metricName || (metricType && namespace && (metricId || spaceId)) || scope)
        let p = #"""
        {"source": ["aws.cloudwatch"],
         "$or": [
           {"metricName": ["CPUUtilization"]},
           {"metricType": ["MetricType"], "namespace": ["AWS/EC2"],
            "$or": [{"metricId": [1234]}, {"spaceId": [1000]}]},
           {"scope": ["Service"]}]}
        """#
        #expect(try EventPattern(p).alternativeCount == 4)
        #expect(try matches(p, #"{"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/EC2", "spaceId": 1000}"#))
        #expect(try !matches(p, #"{"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/EC2"}"#))
        #expect(try matches(p, #"{"source": "aws.cloudwatch", "scope": "Service"}"#))
        // Two $or side by side multiply: (a || b) && (c || d).
        let q = #"{"$or": [{"a": [1]}, {"b": [1]}], "x": {"$or": [{"c": [1]}, {"d": [1]}]}}"#
        #expect(try EventPattern(q).alternativeCount == 4)
        #expect(try matches(q, #"{"b": 1, "x": {"c": 1}}"#))
        #expect(try !matches(q, #"{"b": 1, "x": {"e": 1}}"#))
    }

    @Test func aBranchOverridesAnEarlierValueForTheSameField() throws {
        // As in AWS: each branch is a copy of the fields so far, and a field written again replaces.
        let p = #"{"a": ["x"], "$or": [{"a": ["y"]}, {"b": ["z"]}]}"#
        #expect(try matches(p, #"{"a": "y"}"#))
        #expect(try !matches(p, #"{"a": "x"}"#))
        #expect(try matches(p, #"{"a": "x", "b": "z"}"#))
    }
}

/// Fields taken from an array of objects must come from the same element (EventBridge's array
/// consistency).
struct ArrayConsistencyTests {
    let event = #"{"employees": [{"first": "John", "last": "Doe"}, {"first": "Anna", "last": "Smith"}]}"#

    @Test func fieldsFromOneElementMatch() throws {
        #expect(try matches(#"{"employees": {"first": ["Anna"], "last": ["Smith"]}}"#, event))
        #expect(try matches(#"{"employees": {"first": ["Anna"]}}"#, event))
    }

    @Test func fieldsFromDifferentElementsDoNot() throws {
        #expect(try !matches(#"{"employees": {"first": ["Anna"], "last": ["Doe"]}}"#, event))
        #expect(try !matches(#"{"employees": {"first": ["John"], "last": [{"prefix": "S"}]}}"#, event))
    }

    @Test func nestedArraysAndSiblingFieldsOutsideTheArray() throws {
        let e = #"{"team": "x", "groups": [{"members": [{"n": "a", "r": 1}, {"n": "b", "r": 2}]}, {"members": [{"n": "c", "r": 3}]}]}"#
        #expect(try matches(#"{"team": ["x"], "groups": {"members": {"n": ["b"], "r": [2]}}}"#, e))
        #expect(try !matches(#"{"groups": {"members": {"n": ["b"], "r": [3]}}}"#, e))
        #expect(try !matches(#"{"groups": {"members": {"n": ["a"], "r": [2]}}}"#, e))
        #expect(try matches(#"{"groups": {"members": {"n": ["c"], "r": [3]}}}"#, e))
    }

    @Test func existsFalseLooksOnlyAtTheElementsAlreadyChosen() throws {
        // "first" sorts before "nick": the element is chosen by "first", and its "nick" is absent.
        let e = #"{"p": [{"first": "Ann"}, {"first": "Bob", "nick": "B"}]}"#
        #expect(try matches(#"{"p": {"first": ["Ann"], "nick": [{"exists": false}]}}"#, e))
        #expect(try !matches(#"{"p": {"first": ["Bob"], "nick": [{"exists": false}]}}"#, e))
    }
}
