import Testing
import FlowEvents

struct WildcardTests {
    @Test func starMatchesAnyRunIncludingNone() throws {
        let p = #"{"s": [{"wildcard": "Simple*Service"}]}"#
        #expect(try matches(p, #"{"s": "SimpleQueueService"}"#))
        #expect(try matches(p, #"{"s": "SimpleService"}"#))
        #expect(try !matches(p, #"{"s": "SimpleQueueServices"}"#))
        #expect(try !matches(p, #"{"s": "simpleQueueService"}"#))
        #expect(try matches(#"{"s": [{"wildcard": "*"}]}"#, #"{"s": ""}"#))
        #expect(try !matches(#"{"s": [{"wildcard": "*"}]}"#, #"{"s": 1}"#))  // strings only
    }

    @Test func severalStars() throws {
        let p = #"{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}"#
        #expect(try matches(p, #"{"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/myEventBus"}"#))
        #expect(try !matches(p, #"{"EventBusArn": "arn:aws:events:us-west-2:123456789012:event-bus/myEventBus"}"#))
        #expect(try matches(#"{"p": [{"wildcard": "/Users/*/dir/*/doc.txt"}]}"#, #"{"p": "/Users/a/dir/dir/dir/doc.txt"}"#))
        #expect(try matches(#"{"p": [{"wildcard": "*a*a*"}]}"#, #"{"p": "banana"}"#))
        #expect(try !matches(#"{"p": [{"wildcard": "*a*a*a*a*"}]}"#, #"{"p": "banana"}"#))
        #expect(try !matches(#"{"p": [{"wildcard": "ab*ba"}]}"#, #"{"p": "aba"}"#))  // parts may not overlap
        #expect(try matches(#"{"p": [{"wildcard": "ab*ba"}]}"#, #"{"p": "abba"}"#))
    }

    @Test func escapes() throws {
        #expect(try matches(#"{"p": [{"wildcard": "a\\*b"}]}"#, #"{"p": "a*b"}"#))
        #expect(try !matches(#"{"p": [{"wildcard": "a\\*b"}]}"#, #"{"p": "axb"}"#))
        #expect(try matches(#"{"p": [{"wildcard": "C:\\\\*"}]}"#, #"{"p": "C:\\Windows"}"#))
        #expect(try matches(#"{"p": [{"wildcard": "*\\**"}]}"#, #"{"p": "2*3"}"#))
    }

    @Test func unicode() throws {
        #expect(try matches(#"{"p": [{"wildcard": "日本*語"}]}"#, #"{"p": "日本の言語"}"#))
        #expect(try !matches(#"{"p": [{"wildcard": "日本*語"}]}"#, #"{"p": "日本の言葉"}"#))
        #expect(try matches(#"{"p": [{"wildcard": "*🚀"}]}"#, #"{"p": "launch 🚀"}"#))
    }
}

struct CIDRTests {
    @Test func ipv4() throws {
        let p = #"{"ip": [{"cidr": "10.0.0.0/24"}]}"#
        #expect(try matches(p, #"{"ip": "10.0.0.0"}"#))
        #expect(try matches(p, #"{"ip": "10.0.0.255"}"#))
        #expect(try !matches(p, #"{"ip": "10.0.1.0"}"#))
        #expect(try !matches(p, #"{"ip": "10.0.0.256"}"#))
        #expect(try !matches(p, #"{"ip": "not an ip"}"#))
        #expect(try matches(p, #"{"ip": "::ffff:a00:1"}"#))  // IPv4-mapped IPv6 is the IPv4 address
    }

    @Test func ipv6() throws {
        let p = #"{"ip": [{"cidr": "2001:db8::/32"}]}"#
        #expect(try matches(p, #"{"ip": "2001:db8::1"}"#))
        #expect(try matches(p, #"{"ip": "2001:DB8:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF"}"#))
        #expect(try !matches(p, #"{"ip": "2001:db9::"}"#))
        #expect(try !matches(p, #"{"ip": "10.0.0.1"}"#))  // families never mix
    }

    @Test func theLowEndIsTheAddressAsWritten() throws {
        // AWS does not clear the host bits: 10.0.0.5/24 covers 10.0.0.5 to 10.0.0.255.
        let p = #"{"ip": [{"cidr": "10.0.0.5/24"}]}"#
        #expect(try matches(p, #"{"ip": "10.0.0.5"}"#))
        #expect(try !matches(p, #"{"ip": "10.0.0.4"}"#))
        #expect(try matches(#"{"ip": [{"cidr": "0.0.0.0/0"}]}"#, #"{"ip": "255.255.255.255"}"#))
    }

    @Test func anExactStringThatIsAnAddressComparesAsAnAddress() throws {
        #expect(try matches(#"{"ip": ["::1"]}"#, #"{"ip": "0:0:0:0:0:0:0:1"}"#))
        #expect(try matches(#"{"ip": ["10.0.0.1"]}"#, #"{"ip": "10.0.0.1"}"#))
        #expect(try !matches(#"{"ip": ["10.0.0.1"]}"#, #"{"ip": "10.0.0.2"}"#))
    }
}
