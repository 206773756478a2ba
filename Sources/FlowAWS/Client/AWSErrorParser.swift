import Foundation

/// Reads the error out of a failed response, whatever shape the protocol uses.
enum AWSErrorParser {
    static func parse(_ response: AWSHTTPResponse, service: AWSService, operation: String) -> AWSError {
        var error = AWSError(service: service.id, operation: operation, code: "HTTP\(response.status)",
                             message: "", httpStatus: response.status)
        error.requestID = response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")
            ?? response.header("x-amzn-requestid")
        let trimmed = response.bodyText.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") {
            parseJSON(response, into: &error)
        } else if trimmed.hasPrefix("<") {
            parseXML(response.body, into: &error)
        }
        if let query = response.header("x-amzn-query-error") {
            // "AWS.SimpleQueueService.NonExistentQueue;Sender"
            let code = String(query.split(separator: ";").first ?? "")
            if !code.isEmpty {
                error.queryCode = code
                if error.code.hasPrefix("HTTP") { error.code = code }
            }
        }
        if error.code.hasPrefix("HTTP"), let type = response.header("x-amzn-ErrorType") {
            error.code = cleanJSONCode(type)
        }
        return error
    }

    /// "com.amazonaws.ecs#ClusterNotFoundException" or "ClusterNotFoundException:http://..." -> the name.
    static func cleanJSONCode(_ raw: String) -> String {
        var code = raw
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        return code
    }

    private static func parseJSON(_ response: AWSHTTPResponse, into error: inout AWSError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else { return }
        if let type = (object["__type"] ?? object["code"] ?? object["Code"]) as? String, !type.isEmpty {
            error.code = cleanJSONCode(type)
        }
        if let message = (object["message"] ?? object["Message"] ?? object["errorMessage"]) as? String {
            error.message = message
        }
    }

    private static func parseXML(_ body: [UInt8], into error: inout AWSError) {
        guard let root = try? AWSXMLNode.parse(body) else { return }
        if let id = root.first(named: "RequestId") ?? root.first(named: "RequestID") {
            error.requestID = id.text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if root.name == "InvalidChangeBatch" {
            // Route53 lists every rejected change instead of one Error element.
            error.code = "InvalidChangeBatch"
            let messages = root.members("Messages", item: "Message").map {
                $0.text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            error.message = messages.isEmpty ? (root.text("Message") ?? "") : messages.joined(separator: "; ")
            return
        }
        // ErrorResponse/Error (Query, Route53), Response/Errors/Error (EC2) and bare <Error> (S3-like) alike.
        guard let node = root.first(named: "Error") else { return }
        if let code = node.text("Code"), !code.isEmpty { error.code = code }
        if let message = node.text("Message") ?? node.text("message") { error.message = message }
    }
}
