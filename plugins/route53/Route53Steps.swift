import FlowAWS
import FlowEngine
import FlowPluginSupport

/// The work behind `route53.weights` and `route53.set_weights`, public so `failback` runs the
/// very same code under its own names and retry policy.
public struct Route53Steps: Sendable {
    public let aws: AWSStepEnvironment

    public init(aws: AWSStepEnvironment) { self.aws = aws }

    func route53(region: String?, context: StepContext) throws -> Route53 {
        Route53(client: try aws.client(region: region, context: context))
    }

    public func weights(_ input: WeightsInput, context: StepContext) async throws -> WeightsResult {
        let r53 = try route53(region: input.region, context: context)
        let zoneID = try await ZoneResolver.resolve(input.zone, route53: r53)
        return WeightsResult(try await WeightedRecord.read(r53, zoneID: zoneID, record: input.record, type: input.type))
    }
}
