import Foundation

/// A request as the listener read it: the head parsed, the body whole (within the size limit).
struct HTTPRequest: Sendable {
    var method: String
    /// Without the query string.
    var path: String
    /// Names lower-cased.
    var headers: [String: String]
    var body: [UInt8]
}

/// An answer; every one closes the connection.
struct HTTPResponse: Sendable, Equatable {
    var status: Int
    var body: String
    var headers: [(String, String)] = []

    static func == (a: HTTPResponse, b: HTTPResponse) -> Bool { a.status == b.status && a.body == b.body }

    /// `{"accepted": n}` and/or `{"error": "..."}`.
    static func json(_ status: Int, accepted: Int? = nil, error: String? = nil) -> HTTPResponse {
        struct Body: Encodable { var accepted: Int?; var error: String? }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Body(accepted: accepted, error: error))) ?? Data("{}".utf8)
        return HTTPResponse(status: status, body: String(decoding: data, as: UTF8.self))
    }

    func bytes() -> [UInt8] {
        let payload = Array(body.utf8)
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Type: application/json\r\n"
        head += "Content-Length: \(payload.count)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        return Array((head + "\r\n").utf8) + payload
    }

    static func reason(_ status: Int) -> String {
        [200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
         411: "Length Required", 413: "Content Too Large", 431: "Request Header Fields Too Large",
         500: "Internal Server Error", 503: "Service Unavailable"][status] ?? "Status"
    }
}

/// Which requests carry events: `POST /` and `POST /events`.
enum HTTPPushRoute {
    static let paths: Set<String> = ["/", "/events"]

    /// nil when the request may carry events; else the answer (404, 405).
    static func refusal(method: String, path: String) -> HTTPResponse? {
        guard paths.contains(path) else {
            return .json(404, error: "no such path \(path); POST events to / or /events")
        }
        guard method == "POST" else {
            var answer = HTTPResponse.json(405, error: "\(method) is not allowed; POST events to \(path)")
            answer.headers = [("Allow", "POST")]
            return answer
        }
        return nil
    }
}
