import Foundation
import Hummingbird

/// An action's JSON body: optional (empty means `{}`), an object, only the fields `T` has, each
/// of its type.
enum ActionBody {
    static func read<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int, allowed: [String]) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        var data = Data(buffer.readableBytesView)
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { data = Data("{}".utf8) }
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw APIError.badRequest("the body is not valid JSON")
        }
        guard let fields = object as? [String: Any] else { throw APIError.badRequest("the body must be a JSON object") }
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            let known = allowed.isEmpty ? "no fields" : allowed.map { "'\($0)'" }.joined(separator: ", ")
            throw APIError.badRequest("unknown field '\(unknown)': this action takes \(known)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.typeMismatch(type, context), let DecodingError.valueNotFound(type, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError.badRequest("'\(key)' must be of type \(type)")
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.badRequest("the field '\(key.stringValue)' is required")
        } catch {
            throw APIError.badRequest("the body does not fit this action: \(error)")
        }
    }
}
