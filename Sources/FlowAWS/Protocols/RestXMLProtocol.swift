/// REST-XML (Route53): the operation is the method and path; bodies are XML in the service namespace.
public enum RestXMLProtocol {
    public static func request(method: String, path: String, query: [(String, String)] = [],
                               body: String? = nil) -> AWSHTTPRequest {
        AWSHTTPRequest(method: method, endpoint: "", path: path, query: query,
                       headers: body == nil ? [] : [("Content-Type", "application/xml")],
                       body: body.map { Array($0.utf8) } ?? [])
    }
}

extension AWSClient {
    /// One REST-XML call; returns the response's root element, nil for an empty body.
    public func restXML(_ service: AWSService, _ operation: String, method: String, path: String,
                        query: [(String, String)] = [], body: String? = nil) async throws -> AWSXMLNode? {
        let request = RestXMLProtocol.request(method: method, path: path, query: query, body: body)
        let response = try await send(service, operation: operation, request: request)
        if response.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return nil }
        return try parseXML(response, service: service, operation: operation)
    }
}
