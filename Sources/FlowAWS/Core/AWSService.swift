/// What a service needs for signing, routing and encoding. Only the services flow calls.
public struct AWSService: Sendable, Hashable {
    public enum WireProtocol: Sendable, Hashable {
        /// REST with XML bodies (Route53).
        case restXML
        /// JSON RPC: POST /, X-Amz-Target: `targetPrefix.Operation`, application/x-amz-json-VERSION.
        case json(version: String, targetPrefix: String)
        /// Query: POST / form-encoded Action=...&Version=..., XML responses.
        case query(version: String)
    }

    /// The id used in `AWS_ENDPOINT_URL_<ID>` (upper-cased, spaces to underscores) and in errors.
    public var id: String
    /// The SigV4 signing name (credential scope service).
    public var signingName: String
    /// The endpoint prefix: https://PREFIX.REGION.amazonaws.com
    public var endpointPrefix: String
    public var wireProtocol: WireProtocol
    /// Global services have one endpoint and sign for one region (Route53: us-east-1 in `aws`).
    public var isGlobal: Bool

    public static let route53 = AWSService(
        id: "Route 53", signingName: "route53", endpointPrefix: "route53", wireProtocol: .restXML, isGlobal: true)
    public static let ecs = AWSService(
        id: "ECS", signingName: "ecs", endpointPrefix: "ecs",
        wireProtocol: .json(version: "1.1", targetPrefix: "AmazonEC2ContainerServiceV20141113"), isGlobal: false)
    public static let elbv2 = AWSService(
        id: "Elastic Load Balancing v2", signingName: "elasticloadbalancing", endpointPrefix: "elasticloadbalancing",
        wireProtocol: .query(version: "2015-12-01"), isGlobal: false)
    public static let cloudwatch = AWSService(
        id: "CloudWatch", signingName: "monitoring", endpointPrefix: "monitoring",
        wireProtocol: .query(version: "2010-08-01"), isGlobal: false)
    public static let sqs = AWSService(
        id: "SQS", signingName: "sqs", endpointPrefix: "sqs",
        wireProtocol: .json(version: "1.0", targetPrefix: "AmazonSQS"), isGlobal: false)
    public static let eventbridge = AWSService(
        id: "EventBridge", signingName: "events", endpointPrefix: "events",
        wireProtocol: .json(version: "1.1", targetPrefix: "AWSEvents"), isGlobal: false)
}
