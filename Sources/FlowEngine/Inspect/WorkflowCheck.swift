import Foundation
import FlowLua

/// `flow check`: compiles a workflow in the workflow sandbox and looks for calls that cannot
/// work there, without running anything. Each problem is "file:line: message".
public enum WorkflowCheck {
    public static func check(path: String, registry: StepRegistry) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            return ["\(path): cannot read the file"]
        }
        var problems: [String] = []
        do {
            let lua = try LuaState()
            _ = try lua.load(Array(data), chunkName: "@" + path)
        } catch let e as LuaError {
            problems.append(e.message)
        } catch {
            problems.append("\(path): \(error)")
        }
        let modules = Set(registry.moduleNames)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for (i, raw) in lines.enumerated() {
            let code = stripComment(String(raw))
            for (name, why) in WorkflowPrelude.refusals.sorted(by: { $0.key < $1.key }) where uses(code, name) {
                problems.append("\(path):\(i + 1): \(why)")
            }
            for module in requiredModules(code) where module.hasPrefix("flow.") && !modules.contains(module) {
                problems.append("\(path):\(i + 1): module '\(module)' not found (available: \(modules.sorted().filter { $0 != "flow.core" }.joined(separator: ", ")))")
            }
        }
        return problems
    }

    /// Drops a `--` comment unless it is inside a string (a line-level approximation).
    static func stripComment(_ line: String) -> String {
        var quote: Character?
        var prev: Character = " "
        for (offset, ch) in line.enumerated() {
            if let q = quote {
                if ch == q && prev != "\\" { quote = nil }
            } else if ch == "\"" || ch == "'" {
                quote = ch
            } else if ch == "-" && prev == "-" {
                return String(line.prefix(offset - 1))
            }
            prev = ch
        }
        return line
    }

    static func uses(_ code: String, _ name: String) -> Bool {
        var searchStart = code.startIndex
        while let r = code.range(of: name, range: searchStart..<code.endIndex) {
            let before = r.lowerBound == code.startIndex ? " " : code[code.index(before: r.lowerBound)]
            let after = r.upperBound == code.endIndex ? " " : code[r.upperBound]
            let isIdent: (Character) -> Bool = { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == ":" }
            if !isIdent(before) && !(after.isLetter || after.isNumber || after == "_") { return true }
            searchStart = r.upperBound
        }
        return false
    }

    static func requiredModules(_ code: String) -> [String] {
        var out: [String] = []
        var rest = Substring(code)
        while let r = rest.range(of: "require") {
            var tail = rest[r.upperBound...].drop { $0 == " " || $0 == "(" }
            if let q = tail.first, q == "\"" || q == "'" {
                tail = tail.dropFirst()
                if let end = tail.firstIndex(of: q) { out.append(String(tail[..<end])) }
            }
            rest = rest[r.upperBound...]
        }
        return out
    }
}
