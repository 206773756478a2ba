import Testing
import FlowEvents

/// Patterns AWS rejects, with AWS's reasons (aws/event-ruler's wording), at least three per rule.
struct ValidationTests {
    @Test(arguments: [
        // A pattern is a JSON object.
        (#"["a"]"#, "Filter is not an object"),
        (#""source""#, "Filter is not an object"),
        ("42", "Filter is not an object"),
        // Objects are never empty.
        ("{}", "Empty objects are not allowed"),
        (#"{"detail": {}}"#, "Empty objects are not allowed"),
        (#"{"a": {"b": {}}}"#, "Empty objects are not allowed"),
        // A field's value is an object or an array (leaf values are always in a list).
        (#"{"source": "aws.ecs"}"#, #""source" must be an object or an array"#),
        (#"{"n": 42}"#, #""n" must be an object or an array"#),
        (#"{"d": {"b": true}}"#, #""b" must be an object or an array"#),
        (#"{"d": {"v": null}}"#, #""v" must be an object or an array"#),
        // Value lists are not empty and hold only scalars and match expressions.
        (#"{"source": []}"#, "Empty arrays are not allowed"),
        (#"{"d": {"x": []}}"#, "Empty arrays are not allowed"),
        (#"{"source": [["aws.ecs"]]}"#, "Match value must be String, number, true, false, or null"),
        (#"{"source": ["a", []]}"#, "Match value must be String, number, true, false, or null"),
    ])
    func structure(_ pattern: String, _ reason: String) {
        #expect(rejection(pattern) == reason)
    }

    @Test(arguments: [
        (#"{"a": [{}]}"#, "Match expression name not found"),
        (#"{"a": [{"EXISTS": true}]}"#, "Unrecognized match type EXISTS"),
        (#"{"a": [{"contains": "x"}]}"#, "Unrecognized match type contains"),
        (#"{"a": [{"regex": "x"}]}"#, "Unrecognized match type regex"),
        (#"{"a": [{"prefix": "x", "suffix": "y"}]}"#, "Only one key allowed in match expression"),
        (#"{"a": [{"exists": true, "prefix": "y"}]}"#, "Only one key allowed in match expression"),
        (#"{"a": [{"cidr": "10.0.0.0/8", "x": 1}]}"#, "Only one key allowed in match expression"),
    ])
    func operators(_ pattern: String, _ reason: String) {
        #expect(rejection(pattern) == reason)
    }

    @Test(arguments: [
        (#"{"time": [{"prefix": 123}]}"#, "prefix match pattern must be a string"),
        (#"{"time": [{"prefix": null}]}"#, "prefix match pattern must be a string"),
        (#"{"time": [{"prefix": ["a"]}]}"#, "prefix match pattern must be a string"),
        (#"{"f": [{"suffix": 1}]}"#, "suffix match pattern must be a string"),
        (#"{"f": [{"suffix": false}]}"#, "suffix match pattern must be a string"),
        (#"{"f": [{"prefix": {}}]}"#, "Prefix expression name not found"),
        (#"{"f": [{"suffix": {}}]}"#, "Suffix expression name not found"),
        (#"{"f": [{"prefix": {"wildcard": "a"}}]}"#, "Unsupported prefix pattern: wildcard"),
        (#"{"f": [{"suffix": {"prefix": "a"}}]}"#, "Unsupported suffix pattern: prefix"),
        (#"{"f": [{"prefix": {"equals-ignore-case": 1}}]}"#, "equals-ignore-case match pattern must be a string"),
        (#"{"f": [{"prefix": {"equals-ignore-case": "a", "x": 1}}]}"#, "Only one key allowed in match expression"),
        (#"{"f": [{"equals-ignore-case": 5}]}"#, "equals-ignore-case match pattern must be a string"),
        (#"{"f": [{"equals-ignore-case": ["a"]}]}"#, "equals-ignore-case match pattern must be a string"),
        (#"{"f": [{"equals-ignore-case": null}]}"#, "equals-ignore-case match pattern must be a string"),
        (#"{"f": [{"exists": "true"}]}"#, "exists match pattern must be either true or false."),
        (#"{"f": [{"exists": 1}]}"#, "exists match pattern must be either true or false."),
        (#"{"f": [{"exists": null}]}"#, "exists match pattern must be either true or false."),
    ])
    func stringOperands(_ pattern: String, _ reason: String) {
        #expect(rejection(pattern) == reason)
    }

    @Test(arguments: [
        (#"{"f": [{"wildcard": 5}]}"#, "wildcard match pattern must be a string"),
        (#"{"f": [{"wildcard": "a**b"}]}"#, "Consecutive wildcard characters at pos 2"),
        (#"{"f": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]}"#, "Consecutive wildcard characters at pos 26"),
        (#"{"f": [{"wildcard": "**"}]}"#, "Consecutive wildcard characters at pos 1"),
        (#"{"f": [{"wildcard": "a\\b"}]}"#, "Invalid escape character at pos 2"),
        (#"{"f": [{"wildcard": "ab\\"}]}"#, "Invalid escape character at pos 3"),
        (#"{"f": [{"wildcard": "\\n"}]}"#, "Invalid escape character at pos 1"),
    ])
    func wildcards(_ pattern: String, _ reason: String) {
        #expect(rejection(pattern) == reason)
    }

    @Test(arguments: [
        (#"{"n": [{"numeric": 5}]}"#, "Value of numeric must be an array."),
        (#"{"n": [{"numeric": {">": 5}}]}"#, "Value of numeric must be an array."),
        (#"{"n": [{"numeric": []}]}"#, "Invalid member in numeric match: ]"),
        (#"{"n": [{"numeric": [5, ">"]}]}"#, "Invalid member in numeric match: 5"),
        (#"{"n": [{"numeric": ["!=", 5]}]}"#, "Unrecognized numeric range operator: !="),
        (#"{"n": [{"numeric": ["=<", 5]}]}"#, "Unrecognized numeric range operator: =<"),
        (#"{"n": [{"numeric": ["=", "5"]}]}"#, "Value of equals must be numeric"),
        (#"{"n": [{"numeric": [">", null]}]}"#, "Value of > must be numeric"),
        (#"{"n": [{"numeric": ["<="]}]}"#, "Value of <= must be numeric"),
        (#"{"n": [{"numeric": ["=", 5, 6]}]}"#, "Too many elements in numeric expression"),
        (#"{"n": [{"numeric": ["<", 5, ">", 1]}]}"#, "Too many elements in numeric expression"),
        (#"{"n": [{"numeric": [">", 1], "x": 1}]}"#, "Too many elements in numeric expression"),
        (#"{"n": [{"numeric": [">", 0, 5]}]}"#, "Bad value in numeric range: 5"),
        (#"{"n": [{"numeric": [">", 0, ">", 5]}]}"#, "Bad numeric range operator: >"),
        (#"{"n": [{"numeric": [">", 0, "="]}]}"#, "Bad numeric range operator: ="),
        (#"{"c": [{"numeric": [">", 0, "<"]}]}"#, "Value of < must be numeric"),
        (#"{"c": [{"numeric": [">", 0, "<=", "5"]}]}"#, "Value of <= must be numeric"),
        (#"{"c": [{"numeric": [">", 0, "<", 5, 6]}]}"#, "Too many terms in numeric range expression"),
    ])
    func numericSyntax(_ pattern: String, _ reason: String) {
        #expect(rejection(pattern) == reason)
    }

    @Test(arguments: [
        (#"{"n": [{"numeric": [">", 10, "<", 5]}]}"#, "Bottom must be less than top"),
        (#"{"n": [{"numeric": [">=", 5, "<=", 5]}]}"#, "Bottom must be less than top"),
        (#"{"n": [{"numeric": [">", 5e9]}]}"#, "Bottom must be less than top"),
        (#"{"n": [{"numeric": ["<", -5e9]}]}"#, "Bottom must be less than top"),
        (#"{"n": [{"numeric": ["=", 5000000001]}]}"#, "Value must be between -5.0E9 and 5.0E9, inclusive"),
        (#"{"n": [{"numeric": [">", -6e9]}]}"#, "Value must be between -5.0E9 and 5.0E9, inclusive"),
        (#"{"n": [{"numeric": ["<", 1e10]}]}"#, "Value must be between -5.0E9 and 5.0E9, inclusive"),
        (#"{"n": [{"numeric": ["=", 0.0000001]}]}"#, "Only values upto 6 decimals are supported"),
        (#"{"n": [{"numeric": [">", 1.1234567]}]}"#, "Only values upto 6 decimals are supported"),
        (#"{"n": [{"numeric": [">", 0, "<", 1e-7]}]}"#, "Only values upto 6 decimals are supported"),
    ])
    func numericRangesAndLimits(_ pattern: String, _ reason: String) {
        #expect(rejection(pattern) == reason)
    }

    @Test func numbersFineAsExactValuesEvenBeyondNumericLimits() {
        #expect(rejection(#"{"n": [1e10, 0.0000001, 123456789012]}"#) == nil)
        #expect(rejection(#"{"n": [{"numeric": ["=", 1.100000]}]}"#) == nil)  // trailing zeros are not decimals
        #expect(rejection(#"{"n": [{"numeric": ["<=", 5e9]}]}"#) == nil)
    }

    @Test(arguments: [
        (#"{"a": [{"anything-but": null}]}"#, "Value of anything-but must be an array or single string/number value."),
        (#"{"a": [{"anything-but": true}]}"#, "Value of anything-but must be an array or single string/number value."),
        (#"{"a": [{"anything-but": {"prefix": true}}]}"#, "Value of anything-but must be an array or single string/number value."),
        (#"{"a": [{"anything-but": {}}]}"#, "Anything-But expression name not found"),
        (#"{"a": [{"anything-but": {"numeric": [">", 1]}}]}"#, "Unsupported anything-but pattern: numeric"),
        (#"{"a": [{"anything-but": {"exists": false}}]}"#, "Unsupported anything-but pattern: exists"),
        (#"{"a": [{"anything-but": {"anything-but": "x"}}]}"#, "Unsupported anything-but pattern: anything-but"),
        (#"{"a": [{"anything-but": [null]}]}"#, "Inside anything but list, start|null|boolean is not supported."),
        (#"{"a": [{"anything-but": ["a", {"prefix": "b"}]}]}"#, "Inside anything but list, start|null|boolean is not supported."),
        (#"{"a": [{"anything-but": [true]}]}"#, "Inside anything but list, start|null|boolean is not supported."),
        (#"{"a": [{"anything-but": ["a", 1]}]}"#, "Inside anything but list, either all values are number or string, mixed type is not supported"),
        (#"{"a": [{"anything-but": []}]}"#, "Inside anything but list, either all values are number or string, mixed type is not supported"),
        (#"{"a": [{"anything-but": [1, "1"]}]}"#, "Inside anything but list, either all values are number or string, mixed type is not supported"),
        (#"{"a": [{"anything-but": 1e10}]}"#, "Value must be between -5.0E9 and 5.0E9, inclusive"),
        (#"{"a": [{"anything-but": [1, 0.12345678]}]}"#, "Only values upto 6 decimals are supported"),
        (#"{"a": [{"anything-but": {"prefix": ""}}]}"#, "Null prefix/suffix not allowed"),
        (#"{"a": [{"anything-but": {"suffix": ["x", ""]}}]}"#, "Null prefix/suffix not allowed"),
        (#"{"a": [{"anything-but": {"prefix": 5}}]}"#, "prefix/suffix match pattern must be a string"),
        (#"{"a": [{"anything-but": {"suffix": [5]}}]}"#, "prefix/suffix match pattern must be a string"),
        (#"{"a": [{"anything-but": {"wildcard": 5}}]}"#, "wildcard match pattern must be a string"),
        (#"{"a": [{"anything-but": {"wildcard": "a**"}}]}"#, "Consecutive wildcard characters at pos 2"),
        (#"{"a": [{"anything-but": {"wildcard": ["ok*", "\\x"]}}]}"#, "Invalid escape character at pos 1"),
        (#"{"a": [{"anything-but": {"equals-ignore-case": 5}}]}"#, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."),
        (#"{"a": [{"anything-but": {"equals-ignore-case": ["a", 1]}}]}"#, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."),
        (#"{"a": [{"anything-but": {"prefix": "a", "suffix": "b"}}]}"#, "Too many elements in numeric expression"),
        (#"{"a": [{"anything-but": "x", "prefix": "y"}]}"#, "Too many elements in numeric expression"),
    ])
    func anythingBut(_ pattern: String, _ reason: String) {
        #expect(rejection(pattern) == reason)
    }

    @Test(arguments: [
        (#"{"ip": [{"cidr": 10}]}"#, "prefix match pattern must be a string"),
        (#"{"ip": [{"cidr": "10.0.0.0"}]}"#, "Malformed CIDR, one '/' required"),
        (#"{"ip": [{"cidr": "10.0.0.0/8/8"}]}"#, "Malformed CIDR, one '/' required"),
        (#"{"ip": [{"cidr": "10.0.0.0/x"}]}"#, "Malformed CIDR, mask bits must be an integer"),
        (#"{"ip": [{"cidr": "10.0.0.0/ 8"}]}"#, "Malformed CIDR, mask bits must be an integer"),
        (#"{"ip": [{"cidr": "10.0.0.0/-1"}]}"#, "Malformed CIDR, mask bits must not be negative"),
        (#"{"ip": [{"cidr": "10.0.0.0/32"}]}"#, "IPv4 mask bits must be < 32"),
        (#"{"ip": [{"cidr": "::/128"}]}"#, "IPv6 mask bits must be < 128"),
        (#"{"ip": [{"cidr": "example.com/24"}]}"#, "Nonstandard IP address: example.com"),
        (#"{"ip": [{"cidr": "/24"}]}"#, "Nonstandard IP address: "),
        (#"{"ip": [{"cidr": "300.0.0.0/8"}]}"#, "Invalid IP address: 300.0.0.0"),
        (#"{"ip": [{"cidr": "1::2::3/64"}]}"#, "Invalid IP address: 1::2::3"),
    ])
    func cidr(_ pattern: String, _ reason: String) {
        #expect(rejection(pattern) == reason)
    }

    @Test(arguments: [
        (#"{"$or": {"a": ["x"]}}"#, "It must be an Array followed with $or."),
        (#"{"$or": "a"}"#, "It must be an Array followed with $or."),
        (#"{"$or": [{"a": ["x"]}]}"#, "There must have at least 2 Objects in $or relationship."),
        (#"{"$or": []}"#, "There must have at least 2 Objects in $or relationship."),
        (#"{"$or": [{"a": ["x"]}, "b"]}"#, "Only JSON object is allowed in array of $or relationship."),
        (#"{"$or": [["a"], {"b": [1]}]}"#, "Only JSON object is allowed in array of $or relationship."),
        (#"{"$or": [{"numeric": [1]}, {"b": [1]}]}"#, "numeric is Ruler reserved fieldName which cannot be used inside $or."),
        (#"{"$or": [{"a": {"prefix": ["x"]}}, {"b": [1]}]}"#, "prefix is Ruler reserved fieldName which cannot be used inside $or."),
        (#"{"d": {"$or": [{"a": [1]}, {"exists": [1]}]}}"#, "exists is Ruler reserved fieldName which cannot be used inside $or."),
        (#"{"$or": [{"a": [1]}, {}]}"#, "Empty objects are not allowed"),
    ])
    func or(_ pattern: String, _ reason: String) {
        #expect(rejection(pattern) == reason)
    }

    @Test func theFirstErrorInDocumentOrderIsReported() {
        #expect(rejection(#"{"b": "x", "a": []}"#) == #""b" must be an object or an array"#)
        #expect(rejection(#"{"a": [], "b": "x"}"#) == "Empty arrays are not allowed")
        #expect(rejection(#"{"a": [{"prefix": 1}, {"suffix": 1}]}"#) == "prefix match pattern must be a string")
    }

    @Test func limits() {
        let long = #"{"a": ["\#(String(repeating: "x", count: 2100))"]}"#
        #expect(rejection(long) == "Event pattern is longer than 2048 characters (2111)")
        #expect(throws: Never.self) { try EventPattern(long, limits: .init(maxLength: 4096)) }
        // Twelve side-by-side $or of two branches expand to 4096 alternatives.
        let ors = (0..<12).map { #""k\#($0)": {"$or": [{"a": [1]}, {"b": [1]}]}"# }.joined(separator: ", ")
        #expect(rejection("{\(ors)}") == "$or expands to more than 1024 alternatives")
        let deep = String(repeating: #"{"a":"#, count: 300) + "[1]" + String(repeating: "}", count: 300)
        #expect(rejection(deep)?.hasPrefix("Filter is not valid JSON: nesting deeper than 256 levels") == true)
    }

    @Test func invalidJSONIsReportedWithItsPosition() {
        #expect(rejection(#"{"a": [1,]}"#) == "Filter is not valid JSON: unexpected ']', expected a value at line 1, column 10")
        #expect(rejection("{\"a\":\n [1] x}") == "Filter is not valid JSON: unexpected 'x', expected ',' or '}' in an object at line 2, column 6")
        #expect(rejection("") == "Filter is not valid JSON: empty input, expected a JSON value at line 1, column 1")
    }

    @Test func theMessageIsAWSs() throws {
        let error = try #require(throws: EventPatternError.self) { try EventPattern(#"{"a": "b"}"#) }
        #expect(error.description == #"Event pattern is not valid. Reason: "a" must be an object or an array"#)
    }
}
