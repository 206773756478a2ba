import Testing
import FlowEvents

struct PrefixSuffixTests {
    @Test func prefixMatchesTheStartOfStrings() throws {
        let p = #"{"time": [{"prefix": "2017-10-02"}]}"#
        #expect(try matches(p, #"{"time": "2017-10-02T18:43:48Z"}"#))
        #expect(try matches(p, #"{"time": "2017-10-02"}"#))
        #expect(try !matches(p, #"{"time": "2017-10-0"}"#))
        #expect(try !matches(p, #"{"time": "x2017-10-02"}"#))
        #expect(try !matches(#"{"n": [{"prefix": "12"}]}"#, #"{"n": 123}"#))  // strings only
        #expect(try matches(#"{"s": [{"prefix": ""}]}"#, #"{"s": "anything"}"#))
        #expect(try !matches(#"{"s": [{"prefix": ""}]}"#, #"{"s": null}"#))
    }

    @Test func prefixIgnoringCase() throws {
        let p = #"{"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}"#
        #expect(try matches(p, #"{"service": "eventbridge"}"#))
        #expect(try matches(p, #"{"service": "EVENTBRIDGE"}"#))
        #expect(try !matches(p, #"{"service": "event-bridge"}"#))
        #expect(try matches(#"{"s": [{"prefix": {"equals-ignore-case": "ÉCOLE"}}]}"#, #"{"s": "école-42"}"#))
    }

    @Test func suffixMatchesTheEndOfStrings() throws {
        let p = #"{"FileName": [{"suffix": ".png"}]}"#
        #expect(try matches(p, #"{"FileName": "image.png"}"#))
        #expect(try !matches(p, #"{"FileName": "image.PNG"}"#))
        #expect(try !matches(p, #"{"FileName": "image.png.bak"}"#))
        #expect(try matches(#"{"s": [{"suffix": "ñ"}]}"#, #"{"s": "España ñ"}"#))
    }

    @Test func suffixIgnoringCase() throws {
        let p = #"{"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}"#
        #expect(try matches(p, #"{"FileName": "IMAGE.PNG"}"#))
        #expect(try matches(p, #"{"FileName": "image.Png"}"#))
        #expect(try !matches(p, #"{"FileName": "image.jpg"}"#))
        #expect(try !matches(p, #"{"FileName": ".pn"}"#))
    }
}

struct EqualsIgnoreCaseTests {
    @Test func matchesAnyCasing() throws {
        let p = #"{"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]}"#
        #expect(try matches(p, #"{"detail-type": "EC2 Instance State-change Notification"}"#))
        #expect(try matches(p, #"{"detail-type": "ec2 instance state-change notification"}"#))
        #expect(try !matches(p, #"{"detail-type": "EC2 Instance State-change"}"#))
    }

    @Test func unicodeLettersFoldToo() throws {
        #expect(try matches(#"{"n": [{"equals-ignore-case": "ÀÉÎ"}]}"#, #"{"n": "àéî"}"#))
        #expect(try matches(#"{"n": [{"equals-ignore-case": "straße"}]}"#, #"{"n": "STRAßE"}"#))
        #expect(try !matches(#"{"n": [{"equals-ignore-case": "àéî"}]}"#, #"{"n": "aei"}"#))
    }

    @Test func onlyStringsMatch() throws {
        #expect(try !matches(#"{"n": [{"equals-ignore-case": "true"}]}"#, #"{"n": true}"#))
        #expect(try !matches(#"{"n": [{"equals-ignore-case": "1"}]}"#, #"{"n": 1}"#))
        #expect(try !matches(#"{"n": [{"equals-ignore-case": "null"}]}"#, #"{"n": null}"#))
    }
}
