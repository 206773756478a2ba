/// Query: form-encoded POST / with Action and Version; lists flatten to `Name.member.N`, structures
/// to `Name.member.N.Field`. Responses are XML: `<ActionResponse><ActionResult>...`.
public struct QueryParams: Sendable {
    public private(set) var pairs: [(String, String)] = []

    public init() {}

    public mutating func set(_ name: String, _ value: String?) {
        if let value { pairs.append((name, value)) }
    }

    public mutating func set(_ name: String, _ value: Int?) { set(name, value.map(String.init)) }
    public mutating func set(_ name: String, _ value: Double?) { set(name, value.map { "\($0)" }) }
    public mutating func set(_ name: String, _ value: Bool?) { set(name, value.map { $0 ? "true" : "false" }) }

    /// `Names.member.1=a&Names.member.2=b`
    public mutating func list(_ name: String, _ values: [String]?) {
        for (i, v) in (values ?? []).enumerated() { pairs.append(("\(name).member.\(i + 1)", v)) }
    }

    /// `Dimensions.member.1.Name=..&Dimensions.member.1.Value=..`: `fill` sets fields under the given prefix.
    public mutating func structs<T>(_ name: String, _ items: [T]?, _ fill: (inout QueryParams, String, T) -> Void) {
        for (i, item) in (items ?? []).enumerated() { fill(&self, "\(name).member.\(i + 1)", item) }
    }
}

public enum QueryProtocol {
    public static func request(_ service: AWSService, action: String, params: QueryParams) -> AWSHTTPRequest {
        guard case .query(let version) = service.wireProtocol else { preconditionFailure("\(service.id) does not speak Query") }
        let all = [("Action", action), ("Version", version)] + params.pairs
        return AWSHTTPRequest(method: "POST", endpoint: "", path: "/", headers: [
            ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
        ], body: Array(FormEncoding.encode(all).utf8))
    }
}

extension AWSClient {
    /// One Query call; returns `<ActionResult>` (or the root when the action has no result element).
    public func query(_ service: AWSService, _ action: String, _ params: QueryParams = QueryParams()) async throws -> AWSXMLNode {
        let response = try await send(service, operation: action, request: QueryProtocol.request(service, action: action, params: params))
        let root = try parseXML(response, service: service, operation: action)
        return root.child("\(action)Result") ?? root
    }

    func parseXML(_ response: AWSHTTPResponse, service: AWSService, operation: String) throws -> AWSXMLNode {
        do {
            return try AWSXMLNode.parse(response.body)
        } catch {
            throw AWSError(service: service.id, operation: operation, code: "InvalidResponse",
                           message: "\(error)", httpStatus: response.status)
        }
    }
}
