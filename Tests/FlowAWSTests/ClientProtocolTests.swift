import Foundation
import Testing
@testable import FlowAWS

@Suite struct ClientProtocolTests {
    @Test func queryFlattensListsAndStructures() {
        var p = QueryParams()
        p.list("Names", ["a b", "c/d+e"])
        p.structs("Dimensions", [CloudWatch.Dimension(name: "Service", value: "web")]) { p, key, d in
            p.set("\(key).Name", d.name)
            p.set("\(key).Value", d.value)
        }
        p.set("Missing", nil as String?)
        let request = QueryProtocol.request(.cloudwatch, action: "DescribeAlarms", params: p)
        #expect(request.method == "POST" && request.path == "/")
        #expect(String(decoding: request.body, as: UTF8.self) == "Action=DescribeAlarms&Version=2010-08-01"
            + "&Names.member.1=a%20b&Names.member.2=c%2Fd%2Be&Dimensions.member.1.Name=Service&Dimensions.member.1.Value=web")
        #expect(request.headers.contains { $0.0 == "Content-Type" && $0.1.hasPrefix("application/x-www-form-urlencoded") })
    }

    @Test func jsonTargetsAndContentType() throws {
        struct In: Encodable { var cluster = "prod" }
        let ecs = try JSONProtocol.request(.ecs, operation: "ListTasks", input: In())
        #expect(ecs.headers.contains { $0 == ("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListTasks") })
        #expect(ecs.headers.contains { $0 == ("Content-Type", "application/x-amz-json-1.1") })
        #expect(String(decoding: ecs.body, as: UTF8.self) == #"{"cluster":"prod"}"#)
        let sqs = try JSONProtocol.request(.sqs, operation: "ReceiveMessage", input: In())
        #expect(sqs.headers.contains { $0 == ("Content-Type", "application/x-amz-json-1.0") })
        // Operations without output may answer with no body at all.
        _ = try JSONProtocol.decode(EmptyOutput.self, from: AWSHTTPResponse(status: 200))
    }

    @Test func xmlTreeDropsPrefixesAndReadsMembers() throws {
        let xml = """
            <DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><DescribeAlarmsResult>
            <MetricAlarms><member><AlarmName>a &amp; b</AlarmName></member><member><AlarmName>c</AlarmName></member></MetricAlarms>
            <NextToken> t1 </NextToken></DescribeAlarmsResult></DescribeAlarmsResponse>
            """
        let root = try AWSXMLNode.parse(Array(xml.utf8))
        let result = try #require(root.child("DescribeAlarmsResult"))
        #expect(result.members("MetricAlarms").compactMap { $0.text("AlarmName") } == ["a & b", "c"])
        #expect(result.text("NextToken") == "t1")
        #expect(try AWSXMLNode.parse(Array("<x:A xmlns:x='u'><x:B>1</x:B></x:A>".utf8)).text("B") == "1")
        #expect(throws: XMLParseError.self) { try AWSXMLNode.parse(Array("<a><b></a>".utf8)) }
    }

    @Test func route53ChangeBatchXML() {
        var w = XMLWriter()
        Route53.write(.init(name: "a.example.com.", type: "A", setIdentifier: "blue", weight: 10, ttl: 60,
                            values: ["10.0.0.1"]), &w)
        #expect(w.output.hasSuffix("<Name>a.example.com.</Name><Type>A</Type><SetIdentifier>blue</SetIdentifier>"
            + "<Weight>10</Weight><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>10.0.0.1</Value></ResourceRecord></ResourceRecords>"))
        var alias = XMLWriter()
        Route53.write(.init(name: "w.", type: "A", aliasTarget: .init(hostedZoneID: "Z1", dnsName: "lb<1>", evaluateTargetHealth: false)), &alias)
        #expect(alias.output.contains("<AliasTarget><HostedZoneId>Z1</HostedZoneId><DNSName>lb&lt;1&gt;</DNSName>"
            + "<EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget>"))
        #expect(!alias.output.contains("<TTL>"))
        #expect(Route53.stripPrefix("/hostedzone/Z1") == "Z1" && Route53.stripPrefix("/change/C1") == "C1")
    }
}
