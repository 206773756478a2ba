import Foundation
import Hummingbird

/// Every error the API answers: `{"error": "...", "detail": "..."}` with a fitting status. The
/// detail says what to do; it never holds a token or a header's value.
public struct APIError: Error, Sendable, HTTPResponseError {
    public var status: HTTPResponse.Status
    public var error: String
    public var detail: String

    public init(_ status: HTTPResponse.Status, _ error: String, _ detail: String) {
        self.status = status
        self.error = error
        self.detail = detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONBody.response(["error": error, "detail": detail], status: status)
    }

    static func notFound(_ what: String) -> APIError { APIError(.notFound, "not found", what) }
    static func badRequest(_ detail: String) -> APIError { APIError(.badRequest, "bad request", detail) }
}

/// JSON responses: keys sorted, slashes unescaped (as the CLI's --json).
enum JSONBody {
    static func encode<T: Encodable>(_ value: T) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        return ByteBuffer(bytes: data)
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let body = encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: body))
    }
}
