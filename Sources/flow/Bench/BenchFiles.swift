import Foundation

/// The workflows the bench runs.
enum BenchScripts {
    /// N trivial durable steps.
    static func steps(_ n: Int) -> String {
        "for i = 1, \(n) do flow.step(\"s\", function() return i end) end\n"
    }

    /// N trivial steps, then a wait for signal `go`: killed while waiting, it leaves a journal
    /// that `flow resume` replays in full before it takes the signal and finishes.
    static func stepsThenSignal(_ n: Int) -> String {
        steps(n) + "return flow.signal(\"go\")\n"
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}

enum BenchFiles {
    /// Total size of the regular files under `path`.
    static func size(ofTree path: String) throws -> Int {
        let fm = FileManager.default
        var total = 0
        for name in try fm.subpathsOfDirectory(atPath: path) {
            let attributes = try fm.attributesOfItem(atPath: path + "/" + name)
            if attributes[.type] as? FileAttributeType == .typeRegular {
                total += (attributes[.size] as? NSNumber)?.intValue ?? 0
            }
        }
        return total
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// A fresh copy of `source` at `destination` (replaced if it exists).
    static func copyTree(_ source: String, to destination: String) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: destination) { try fm.removeItem(atPath: destination) }
        try fm.copyItem(atPath: source, toPath: destination)
    }
}
