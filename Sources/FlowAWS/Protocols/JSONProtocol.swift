import Foundation

/// JSON 1.0/1.1 RPC: POST / with the operation in X-Amz-Target and the input as the body.
public enum JSONProtocol {
    public static func request<Input: Encodable>(_ service: AWSService, operation: String, input: Input) throws -> AWSHTTPRequest {
        guard case .json(let version, let prefix) = service.wireProtocol else {
            preconditionFailure("\(service.id) does not speak JSON")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return AWSHTTPRequest(method: "POST", endpoint: "", path: "/", headers: [
            ("Content-Type", "application/x-amz-json-\(version)"),
            ("X-Amz-Target", "\(prefix).\(operation)"),
        ], body: Array(try encoder.encode(input)))
    }

    public static func decode<Output: Decodable>(_ type: Output.Type, from response: AWSHTTPResponse) throws -> Output {
        // Operations without output answer "{}" or nothing at all.
        let body = response.body.isEmpty ? Array("{}".utf8) : response.body
        return try JSONDecoder().decode(Output.self, from: Data(body))
    }
}

/// For operations whose output flow does not read.
public struct EmptyOutput: Codable, Sendable { public init() {} }

extension AWSClient {
    /// One JSON RPC call: encode, send with retries, decode.
    public func json<Input: Encodable, Output: Decodable>(_ service: AWSService, _ operation: String, _ input: Input,
                                                          as output: Output.Type = Output.self) async throws -> Output {
        let request = try JSONProtocol.request(service, operation: operation, input: input)
        let response = try await send(service, operation: operation, request: request)
        do {
            return try JSONProtocol.decode(Output.self, from: response)
        } catch {
            throw AWSError(service: service.id, operation: operation, code: "InvalidResponse",
                           message: "cannot decode the response: \(error)", httpStatus: response.status)
        }
    }
}
