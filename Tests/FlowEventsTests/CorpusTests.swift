import Foundation
import Testing
import FlowEvents

/// The LocalStack TestEventPattern corpus (67 cases validated against real AWS; Fixtures/SOURCES.md):
/// every case must come out as AWS said: match, no match, or an invalid pattern.
struct CorpusTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var expected: String
        var pattern: JSONValue
        var event: JSONValue
        var testDescription: String { "\(name) (\(expected))" }
    }

    static let cases: [Case] = {
        guard let corpus = try? Fixture.json("localstack-testeventpattern-sample.json"),
              case .array(let items)? = corpus["cases"] else { return [] }
        return items.compactMap { item in
            guard let name = item["name"]?.stringValue, let expected = item["expected"]?.stringValue,
                  let pattern = item["pattern"], let event = item["event"] else { return nil }
            return Case(name: name, expected: expected, pattern: pattern, event: event)
        }
    }()

    @Test func theCorpusHasAllSixtySevenCases() throws {
        let corpus = try Fixture.json("localstack-testeventpattern-sample.json")
        #expect(Self.cases.count == 67)
        #expect(corpus["count"] == 67)
        #expect(Set(Self.cases.map(\.expected)) == ["match", "no_match", "error"])
    }

    @Test(arguments: cases)
    func caseComesOutAsAWSSaid(_ c: Case) throws {
        // The pattern is given to flow as JSON text, as TestEventPattern receives it.
        let text = c.pattern.description
        switch c.expected {
        case "error":
            #expect(throws: EventPatternError.self) { try EventPattern(text) }
        case "match":
            #expect(try EventPattern(text).matches(c.event))
        default:
            #expect(try !EventPattern(text).matches(c.event))
        }
    }
}
