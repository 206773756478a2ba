import Testing
@testable import FlowAWS

@Suite struct ClientErrorParsingTests {
    func parse(_ body: String, status: Int = 400, headers: [(String, String)] = [], service: AWSService = .ecs) -> AWSError {
        AWSErrorParser.parse(AWSHTTPResponse(status: status, headers: headers, body: Array(body.utf8)),
                             service: service, operation: "Op")
    }

    @Test func jsonWithPrefixedType() {
        let e = parse(#"{"__type":"com.amazonaws.ecs#ClusterNotFoundException","message":"Cluster not found."}"#,
                      headers: [("x-amzn-RequestId", "req-1")])
        #expect(e.code == "ClusterNotFoundException")
        #expect(e.message == "Cluster not found.")
        #expect(e.requestID == "req-1")
        #expect(e.httpStatus == 400)
        #expect(!e.isRetryable)
    }

    @Test func jsonCapitalMessageAndBareType() {
        let e = parse(#"{"__type":"ThrottlingException","Message":"Rate exceeded"}"#)
        #expect(e.code == "ThrottlingException" && e.message == "Rate exceeded")
        #expect(e.isRetryable)
    }

    @Test func jsonQueryCompatibleHeader() {
        let e = parse(#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"nope"}"#,
                      headers: [("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")], service: .sqs)
        #expect(e.code == "QueueDoesNotExist")
        #expect(e.queryCode == "AWS.SimpleQueueService.NonExistentQueue")
        let headerOnly = parse("", headers: [("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")])
        #expect(headerOnly.code == "AWS.SimpleQueueService.NonExistentQueue")
    }

    @Test func queryXML() {
        let e = parse("""
            <ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
              <Error><Type>Sender</Type><Code>TargetGroupNotFound</Code><Message>One or more target groups not found</Message></Error>
              <RequestId>abc-123</RequestId>
            </ErrorResponse>
            """)
        #expect(e.code == "TargetGroupNotFound")
        #expect(e.message == "One or more target groups not found")
        #expect(e.requestID == "abc-123")
    }

    @Test func ec2StyleXML() {
        let e = parse("<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow</Message></Error></Errors><RequestID>r9</RequestID></Response>",
                      status: 503)
        #expect(e.code == "RequestLimitExceeded" && e.requestID == "r9" && e.isRetryable)
    }

    @Test func route53ErrorResponse() {
        let e = parse("""
            <?xml version="1.0"?>
            <ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type>\
            <Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: Z1</Message></Error>\
            <RequestId>r53</RequestId></ErrorResponse>
            """, status: 404, service: .route53)
        #expect(e.code == "NoSuchHostedZone" && e.message == "No hosted zone found with ID: Z1" && e.requestID == "r53")
    }

    @Test func route53InvalidChangeBatch() {
        let e = parse("""
            <InvalidChangeBatch xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Messages>\
            <Message>Tried to create resource record set a.example.com. type A, but it already exists</Message>\
            <Message>Invalid weight 300</Message></Messages><RequestId>b1</RequestId></InvalidChangeBatch>
            """, service: .route53)
        #expect(e.code == "InvalidChangeBatch")
        #expect(e.message == "Tried to create resource record set a.example.com. type A, but it already exists; Invalid weight 300")
        #expect(e.requestID == "b1")
    }

    @Test func emptyBodiesFallBackToStatus() {
        #expect(parse("", status: 503).code == "HTTP503")
        #expect(parse("", status: 503).isRetryable)
        #expect(parse("", status: 429).isRetryable)
        #expect(!parse("", status: 403).isRetryable)
        #expect(parse("", status: 400, headers: [("x-amzn-ErrorType", "AccessDeniedException:http://internal")]).code
                == "AccessDeniedException")
    }

    @Test func descriptionNamesEverything() {
        var e = parse(#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#, headers: [("x-amzn-RequestId", "q")])
        e.attempts = 5
        #expect(e.description == "ECS Op failed: ThrottlingException: Rate exceeded (HTTP 400, request id q) after 5 attempts")
    }

    @Test func everyThrottlingCodeRetries() {
        for code in AWSError.throttlingCodes {
            #expect(AWSError(service: "x", operation: "y", code: code, message: "", httpStatus: 400).isRetryable)
        }
        #expect(!AWSError(service: "x", operation: "y", code: "ValidationException", message: "", httpStatus: 400).isRetryable)
    }

    @Test func backoffFollowsFormula() {
        let policy = RetryPolicy(base: .milliseconds(100), cap: .seconds(20), random: { $0 })
        #expect(policy.delay(afterAttempt: 0) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 3) == .milliseconds(800))
        #expect(policy.delay(afterAttempt: 10) == .seconds(20))
        #expect(policy.delay(afterAttempt: 500) == .seconds(20))
        let half = RetryPolicy(random: { $0 / 2 })
        #expect(half.delay(afterAttempt: 2) == .milliseconds(200))
    }
}
