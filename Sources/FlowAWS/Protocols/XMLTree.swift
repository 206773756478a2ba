import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element. AWS responses are small, so a whole tree is simpler than streaming;
/// typed values are pulled out by hand with `child` / `text`.
public struct AWSXMLNode: Sendable, Equatable {
    /// The local name: namespace prefixes are dropped because AWS documents use one namespace.
    public var name: String
    public var attributes: [String: String]
    public var children: [AWSXMLNode]
    /// The element's own character data, untrimmed.
    public var text: String

    public init(name: String, attributes: [String: String] = [:], children: [AWSXMLNode] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    public func child(_ name: String) -> AWSXMLNode? { children.first { $0.name == name } }
    public func children(_ name: String) -> [AWSXMLNode] { children.filter { $0.name == name } }

    /// The trimmed text of the child at `path` ("Error/Code"), nil if any step is missing.
    public func text(_ path: String) -> String? {
        var node = self
        for step in path.split(separator: "/") {
            guard let next = node.child(String(step)) else { return nil }
            node = next
        }
        return node.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The `member` items of a list wrapper (`<Names><member>..</member></Names>`).
    public func members(_ path: String, item: String = "member") -> [AWSXMLNode] {
        var node = self
        for step in path.split(separator: "/") {
            guard let next = node.child(String(step)) else { return [] }
            node = next
        }
        return node.children(item)
    }

    /// Depth-first search, self included.
    public func first(named name: String) -> AWSXMLNode? {
        if self.name == name { return self }
        for c in children { if let hit = c.first(named: name) { return hit } }
        return nil
    }

    public static func parse(_ bytes: [UInt8]) throws -> AWSXMLNode {
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw XMLParseError(detail: parser.parserError.map { "\($0)" } ?? "no root element")
        }
        return root
    }
}

public struct XMLParseError: Error, Sendable, CustomStringConvertible {
    public var detail: String
    public var description: String { "invalid XML: \(detail)" }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [AWSXMLNode] = []
    var root: AWSXMLNode?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        stack.append(AWSXMLNode(name: local, attributes: attributeDict))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard let done = stack.popLast() else { return }
        if stack.isEmpty { root = done } else { stack[stack.count - 1].children.append(done) }
    }
}

/// Builds XML request bodies (Route53) with escaping in one place.
public struct XMLWriter: Sendable {
    public private(set) var output = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"

    public init() {}

    public mutating func open(_ name: String, xmlns: String? = nil) {
        output += xmlns.map { "<\(name) xmlns=\"\(Self.escape($0))\">" } ?? "<\(name)>"
    }

    public mutating func close(_ name: String) { output += "</\(name)>" }

    public mutating func element(_ name: String, _ value: String?) {
        guard let value else { return }
        output += "<\(name)>\(Self.escape(value))</\(name)>"
    }

    public mutating func element(_ name: String, _ body: (inout XMLWriter) -> Void) {
        open(name)
        body(&self)
        close(name)
    }

    public static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }
}
