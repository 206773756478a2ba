import FlowTestSupport
import Foundation
import Testing
@testable import FlowAWS

extension MotoTests {
    @Suite struct SQSAndEventBridge {
        @Test func queueRoundTripInAnotherRegion() async throws {
            let moto = try await MotoServer.shared()
            try await withClient(moto.client(region: "eu-west-3")) { client in
                let sqs = SQS(client: client)
                let url = try await sqs.createQueue(name: "flow-events")
                #expect(try await sqs.getQueueArn(queueURL: url).contains(":eu-west-3:"))
                try await sqs.sendMessage(queueURL: url, body: "one")
                try await sqs.sendMessage(queueURL: url, body: "two")
                let got = try await sqs.receiveMessage(queueURL: url, maxMessages: 10, visibilityTimeout: 30)
                #expect(Set(got.map(\.Body)) == ["one", "two"])
                try await sqs.changeMessageVisibility(queueURL: url, receiptHandle: got[0].ReceiptHandle, timeoutSeconds: 0)
                let again = try await sqs.receiveMessage(queueURL: url)
                #expect(again.map(\.Body) == [got[0].Body])
                let deleted = try await sqs.deleteMessageBatch(queueURL: url, receiptHandles: [again[0].ReceiptHandle, got[1].ReceiptHandle])
                #expect(deleted.Successful?.count == 2)
                #expect(try await sqs.receiveMessage(queueURL: url).isEmpty)
            }
        }

        @Test func missingQueueIsTypedError() async throws {
            let error = try await MotoTests.awsError { _ = try await SQS(client: $0).getQueueURL(name: "nope") }
            #expect(error?.code == "QueueDoesNotExist")
            #expect(error?.queryCode == "AWS.SimpleQueueService.NonExistentQueue")
            #expect(error?.httpStatus == 400 && error?.attempts == 1 && error?.requestID != nil)
        }

        @Test func eventsReachQueueThroughRule() async throws {
            let moto = try await MotoServer.shared()
            try await withClient(moto.client()) { client in
                let sqs = SQS(client: client), events = EventBridge(client: client)
                let url = try await sqs.createQueue(name: "ecs-events")
                let arn = try await sqs.getQueueArn(queueURL: url)
                try await events.putRule(name: "ecs", eventPattern: #"{"source":["aws.ecs"]}"#)
                try await events.putTargets(rule: "ecs", targets: [(id: "q", arn: arn)])
                let result = try await events.putEvents([
                    .init(source: "aws.ecs", detailType: "ECS Task State Change", detail: #"{"lastStatus":"RUNNING"}"#),
                    .init(source: "other", detailType: "x", detail: "{}"),
                ])
                #expect(result.FailedEntryCount == 0 && result.Entries.count == 2)
                let got = try await sqs.receiveMessage(queueURL: url)
                #expect(got.count == 1)
                #expect(got.first?.Body.contains("RUNNING") == true)
            }
        }
    }
}
