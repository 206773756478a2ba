import FlowAWS

/// Makes sources from the specs `flow watch --source` takes.
public enum EventSources {
    /// "sqs:QUEUE_URL", "ecs:CLUSTER/SERVICE", "http:127.0.0.1:PORT", "file:PATH", "-" (stdin).
    /// `aws` is asked once for a client in the region the spec names (a queue URL's host, a
    /// cluster ARN), or nil for the caller's default; the caller keeps owning (and shuts down) it.
    /// Throws `EventSourceError` (.badSpec, .badOption) or what `aws` throws.
    public static func parse(_ spec: String, aws: @Sendable (_ region: String?) throws -> AWSClient,
                             options: EventSourceOptions) throws -> any EventSource {
        try options.validate()
        switch try EventSourceSpec.parse(spec, allowNonLoopback: options.allowNonLoopback) {
        case .sqs(let url, let region):
            return SQSEventSource(queueURL: url, client: try aws(region), options: options)
        case .ecs(let cluster, let service, let region):
            return ECSPollingSource(cluster: cluster, service: service, client: try aws(region), options: options)
        case .http(let host, let port):
            return HTTPPushSource(host: host, port: port, options: options)
        case .file(let path):
            return LineEventSource(input: .file(path), options: options)
        case .standardInput:
            return LineEventSource(input: .standardInput, options: options)
        }
    }
}
