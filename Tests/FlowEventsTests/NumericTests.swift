import Testing
import FlowEvents

struct NumericTests {
    @Test func equalsComparesValuesNotText() throws {
        let p = #"{"x": [{"numeric": ["=", 3.018e2]}]}"#
        #expect(try matches(p, #"{"x": 301.8}"#))
        #expect(try matches(p, #"{"x": 301.800}"#))
        #expect(try matches(p, #"{"x": 3018e-1}"#))
        #expect(try !matches(p, #"{"x": 301.81}"#))
        #expect(try !matches(p, #"{"x": "301.8"}"#))  // JSON numbers only
    }

    @Test func singleBounds() throws {
        #expect(try matches(#"{"x": [{"numeric": ["<", 10]}]}"#, #"{"x": 9.999999}"#))
        #expect(try !matches(#"{"x": [{"numeric": ["<", 10]}]}"#, #"{"x": 10}"#))
        #expect(try matches(#"{"x": [{"numeric": ["<=", 10]}]}"#, #"{"x": 10.0}"#))
        #expect(try matches(#"{"x": [{"numeric": [">", -1]}]}"#, #"{"x": -0.5}"#))
        #expect(try !matches(#"{"x": [{"numeric": [">", -1]}]}"#, #"{"x": -1}"#))
        #expect(try matches(#"{"x": [{"numeric": [">=", -1]}]}"#, #"{"x": -1e0}"#))
    }

    @Test func rangesWithTwoOperators() throws {
        let p = #"{"c": [{"numeric": [">", 0, "<=", 5]}]}"#
        #expect(try matches(p, #"{"c": 5}"#))
        #expect(try matches(p, #"{"c": 0.000001}"#))
        #expect(try !matches(p, #"{"c": 0}"#))
        #expect(try !matches(p, #"{"c": 5.000001}"#))
        let q = #"{"c": [{"numeric": [">=", 1.5, "<", 2]}]}"#
        #expect(try matches(q, #"{"c": 1.5}"#))
        #expect(try !matches(q, #"{"c": 2}"#))
    }

    @Test func decimalsAreExactNotFloatingPoint() throws {
        // 0.1 + 0.2 style rounding must not leak in: 0.3 is exactly 0.3.
        #expect(try matches(#"{"x": [{"numeric": ["=", 0.3]}]}"#, #"{"x": 0.30}"#))
        #expect(try !matches(#"{"x": [{"numeric": [">", 0.3]}]}"#, #"{"x": 0.3}"#))
        #expect(try matches(#"{"x": [{"numeric": [">", 0.299999]}]}"#, #"{"x": 0.3}"#))
    }

    @Test func valuesOutsideTheComparableRangeNeverMatchNumerically() throws {
        // AWS compares within ±5e9 at six decimals; other numbers are not numerically comparable.
        #expect(try !matches(#"{"x": [{"numeric": [">", 0]}]}"#, #"{"x": 6e9}"#))
        #expect(try !matches(#"{"x": [{"numeric": [">", 0]}]}"#, #"{"x": 1.0000001}"#))
        #expect(try matches(#"{"x": [{"numeric": ["<=", 5e9]}]}"#, #"{"x": 5000000000}"#))
        #expect(try !matches(#"{"x": [{"numeric": [">", 0]}]}"#, #"{"x": null}"#))
        #expect(try !matches(#"{"x": [{"numeric": [">", 0]}]}"#, #"{"x": true}"#))
    }

    @Test func anyElementOfAnEventArray() throws {
        let p = #"{"x": [{"numeric": [">", 10]}]}"#
        #expect(try matches(p, #"{"x": [1, 2, 11]}"#))
        #expect(try !matches(p, #"{"x": [1, 2, "11"]}"#))
        #expect(try !matches(p, #"{"x": []}"#))
    }
}
