import Foundation
import FlowEvents

/// Reads the copied fixtures in Fixtures/ (provenance: Fixtures/SOURCES.md). Paths come from this
/// file's location, so the tests need no package resources and never read outside the repository.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures", isDirectory: true)

    static func text(_ relativePath: String) throws -> String {
        String(decoding: try Data(contentsOf: directory.appendingPathComponent(relativePath)), as: UTF8.self)
    }

    static func json(_ relativePath: String) throws -> JSONValue {
        try JSONValue.parse(try text(relativePath))
    }

    static func ecsEvent(_ name: String) throws -> JSONValue {
        try json("ecs-events/\(name).json")
    }
}

/// Shorthands: does `pattern` (JSON text) match `event` (JSON text)?
func matches(_ pattern: String, _ event: String) throws -> Bool {
    try EventPattern(pattern).matches(try JSONValue.parse(event))
}

/// The reason AWS would give for rejecting `pattern`, or nil if it is valid.
func rejection(_ pattern: String) -> String? {
    do {
        _ = try EventPattern(pattern)
        return nil
    } catch {
        return error.reason
    }
}
