import FlowAWS
import FlowTestSupport
import Testing

/// Every test that talks to moto lives under this suite: they share one server and reset it,
/// so they must run one at a time.
@Suite(.serialized) struct MotoTests {
    /// The AWSError `call` threw against the shared moto (us-east-1), or nil, recorded as an issue.
    static func awsError(_ call: (AWSClient) async throws -> Void,
                         sourceLocation: SourceLocation = #_sourceLocation) async throws -> AWSError? {
        let moto = try await MotoServer.shared()
        return try await withClient(moto.client()) { client in
            await #expect(throws: AWSError.self, sourceLocation: sourceLocation) { try await call(client) }
        }
    }
}
