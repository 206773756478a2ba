/// A scenario (or a change to it) that does not describe a cloud: where, and what is wrong.
/// `cloud.records[1].weights.blue: expected an integer 0-255, got -1`.
public struct SimulatedCloudError: Error, Sendable, Equatable, CustomStringConvertible {
    /// From the root ("cloud", or "change" for `apply`) down to the offending value.
    public var path: [String]
    public var problem: String

    public init(path: [String], problem: String) {
        self.path = path
        self.problem = problem
    }

    /// `cloud.target_groups["app-green"][2]`: the path as a Lua author would index it.
    public var pathDescription: String {
        var text = ""
        for element in path {
            if element.hasPrefix("[") || text.isEmpty {
                text += element
            } else if Self.isIdentifier(element) {
                text += "." + element
            } else {
                text += "[\"\(element)\"]"
            }
        }
        return text
    }

    public var description: String { "\(pathDescription): \(problem)" }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
