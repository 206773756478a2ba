import Foundation
import Testing
@testable import FlowLua

/// The sandbox's bounded find/match/gmatch/gsub against Lua's own C library: the same
/// expressions must give the same values (types included) or the same error message.
@Suite struct PatternTwinTests {
    func check(_ expressions: [String], context: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let twin = try PatternTwin()
        let mismatches = try twin.mismatches(expressions)
        for m in mismatches.prefix(20) {
            Issue.record("\(context): \(m)", sourceLocation: sourceLocation)
        }
        #expect(mismatches.isEmpty, "\(context): \(mismatches.count) of \(expressions.count) differ", sourceLocation: sourceLocation)
    }

    @Test func everyFeatureByHandMatchesLua() throws {
        let cases = PatternTwinCases.all
        #expect(cases.count >= 150)
        try check(cases, context: "hand cases")
    }

    @Test(arguments: [UInt64(20_241_127), 7, 99])
    func randomPatternsMatchLua(seed: UInt64) throws {
        var fuzz = PatternFuzz(seed: seed)
        let cases = (0..<3000).map { _ in fuzz.expression() }
        try check(cases, context: "seed \(seed)")
    }

    /// What the comparison compares: values with their types, errors with their messages.
    @Test func theDriverRendersValuesAndErrors() throws {
        let twin = try PatternTwin()
        let (lua, bounded) = try twin.outcomes([#"string.find("abc", "b")"#, #"string.find("abc", "[")"#])
        #expect(lua == ["ok integer 2, integer 2 calls 0", #"error "case:1: malformed pattern (missing ']')" calls 0"#])
        #expect(bounded == lua)
    }
}
