import Testing
@testable import FlowEventSources

@Suite struct JSONEventTextTests {
    @Test func objectsPassOthersNamed() {
        #expect(JSONEventText.problem(#"{"a": 1}"#) == nil)
        #expect(JSONEventText.problem(" {\"a\": [1, {\"b\": \"}\"}]}\n") == nil)
        #expect(JSONEventText.problem("[1]") == "a JSON array, not an object")
        #expect(JSONEventText.problem(#""text""#) == "a JSON string, not an object")
        #expect(JSONEventText.problem("42") == "a JSON scalar, not an object")
        #expect(JSONEventText.problem("null") == "JSON null, not an object")
        #expect(JSONEventText.problem("{oops") == "not valid JSON")
        #expect(JSONEventText.problem("") == "not valid JSON")
    }

    /// The array's elements come back as their own text, escapes and spacing inside untouched.
    @Test func arraysCutWithoutRewriting() throws {
        let first = #"{"s": "a ] , } \" [", "n": 1.50}"#
        let second = #"{"nested": {"list": [1, [2, {"x": "]"}]]}, "u": "\u00e9"}"#
        let body = "  [ \(first) ,\n\t\(second)]  "
        #expect(try JSONEventText.events(inBody: Array(body.utf8)).get() == [first, second])
        #expect(try JSONEventText.events(inBody: Array("[]".utf8)).get() == [])
        #expect(try JSONEventText.events(inBody: Array("\n \(first)\n".utf8)).get() == [first])
    }

    @Test func badBodiesExplained() {
        func problem(_ body: String) -> String? {
            if case .failure(let p) = JSONEventText.events(inBody: Array(body.utf8)) { return p.message }
            return nil
        }
        #expect(problem("{") == "the body is not valid JSON")
        #expect(problem(#"[{"a":1}, 2]"#) == "element 2 of the array is a JSON scalar, not an event object")
        #expect(problem(#""x""#) == "the body is a JSON string; send one event object or an array of them")
    }

    @Test func snsNotificationsUnwrapped() {
        let event = #"{"version":"0","detail-type":"ECS Task State Change","detail":{}}"#
        let sns = #"{"Type":"Notification","MessageId":"m","TopicArn":"arn:aws:sns:us-east-1:1:t","Message":"{\"version\":\"0\",\"detail-type\":\"ECS Task State Change\",\"detail\":{}}"}"#
        #expect(JSONEventText.unwrapSNS(sns) == event)
        #expect(JSONEventText.unwrapSNS(event) == nil)
        // An event whose own fields happen to be called Message is not unwrapped.
        #expect(JSONEventText.unwrapSNS(#"{"detail-type":"x","Message":"{}","Type":"Notification"}"#) == nil)
        #expect(SQSEventSource.eventBody(sns) == .success(event))
        #expect(SQSEventSource.eventBody(#"{"Type":"Notification","TopicArn":"t","Message":"plain text"}"#)
                == .failure(.init("the SNS message is not valid JSON")))
    }
}
