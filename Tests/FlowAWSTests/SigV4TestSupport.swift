import Foundation
@testable import FlowAWS

/// Reads the AWS SigV4 test-suite cases in Fixtures/sigv4 (see its SOURCES.md). Paths are found from
/// this file's location, so the tests need no package resources and never look outside the repository.
enum SigV4Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sigv4", isDirectory: true)

    /// Every case folder, sorted; empty if the folder cannot be read (a separate test checks the count).
    static let caseNames: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path,
                                                  isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
    }()

    static func text(_ caseName: String, _ file: String) throws -> String {
        let data = try Data(contentsOf: directory.appendingPathComponent(caseName).appendingPathComponent(file))
        return String(decoding: data, as: UTF8.self)
    }

    /// The inputs of one case (`context.json`).
    struct Context: Decodable {
        struct Credentials: Decodable {
            var access_key_id: String
            var secret_access_key: String
            var token: String?
        }
        var credentials: Credentials
        var region: String
        var service: String
        var timestamp: String
        var normalize: Bool
        var sign_body: Bool
        var omit_session_token: Bool?

        var date: Date? { ISO8601DateFormatter().date(from: timestamp) }
    }

    static func context(_ caseName: String) throws -> Context {
        try JSONDecoder().decode(Context.self, from: Data(try text(caseName, "context.json").utf8))
    }
}

/// A raw HTTP/1.1 request as the test suite writes it, parsed into the type the signer takes.
struct SigV4RawRequest {
    var method: String
    var target: String
    var headers: [(String, String)]
    var body: [UInt8]

    /// Request line, `Name:value` lines (an indented line continues the previous value, kept with its line
    /// break so the signer's whitespace folding is what gets tested), a blank line, then the body.
    init(_ text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        let requestLine = lines.removeFirst()
        // The target may hold raw spaces (get-space-*), so the method ends at the first space and the
        // version starts at the last one.
        let firstSpace = requestLine.firstIndex(of: " ")!, lastSpace = requestLine.lastIndex(of: " ")!
        method = String(requestLine[..<firstSpace])
        target = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])
        headers = []
        while let line = lines.first, !line.isEmpty {
            lines.removeFirst()
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].1 += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        body = lines.isEmpty ? [] : Array(lines.dropFirst().joined(separator: "\n").utf8)
    }

    /// The path exactly as written (the harness signs that, encoding it once more), and the query decoded
    /// because `AWSHTTPRequest.query` holds unencoded names and values.
    func awsRequest(endpoint: String = "https://example.amazonaws.com") -> AWSHTTPRequest {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query: [(String, String)] = parts.count < 2 || parts[1].isEmpty ? [] : parts[1]
            .split(separator: "&").map { pair in
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (s: Substring) in String(s).removingPercentEncoding ?? String(s) }
                return (decode(kv[0]), kv.count > 1 ? decode(kv[1]) : "")
            }
        return AWSHTTPRequest(method: method, endpoint: endpoint, path: String(parts[0]), query: query,
                              headers: headers, body: body)
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// Headers in a comparable order: by lower-cased name, keeping the sent order of repeated names.
func sigV4SortedHeaders(_ headers: [(String, String)]) -> [String] {
    headers.enumerated()
        .sorted { ($0.element.0.lowercased(), $0.offset) < ($1.element.0.lowercased(), $1.offset) }
        .map { "\($0.element.0):\($0.element.1)" }
}
