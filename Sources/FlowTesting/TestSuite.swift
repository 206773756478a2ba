import Foundation
import FlowLua

/// `flow test [PATH...]`: the test files under the paths (a file as given; a folder searched
/// for `*_test.lua`, skipping hidden and build folders), each run in turn.
public enum TestSuite {
    /// The files to run, sorted, each once. Throws for a path that does not exist.
    public static func discover(_ paths: [String]) throws -> [String] {
        var found: [String] = []
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else {
                throw TestSetupError("\(p): no such file or folder")
            }
            if !isDir.boolValue {
                found.append(p)
                continue
            }
            guard let walker = fm.enumerator(atPath: p) else { continue }
            var inFolder: [String] = []
            while let next = walker.nextObject() as? String {
                let name = (next as NSString).lastPathComponent
                if name.hasPrefix(".") || name == "node_modules" {
                    walker.skipDescendants()
                    continue
                }
                if name.hasSuffix("_test.lua") {
                    inFolder.append(p == "." ? next : (p.hasSuffix("/") ? p + next : p + "/" + next))
                }
            }
            found += inFolder.sorted()
        }
        var seen = Set<String>()
        return found.filter { seen.insert($0).inserted }
    }

    /// Runs every file; `report` sees each case as it ends.
    public static func run(files: [String], environment: TestEnvironment, filter: String? = nil,
                           report: (TestCaseResult) -> Void) async -> [TestCaseResult] {
        var all: [TestCaseResult] = []
        for f in files {
            all += await TestFile(path: f, environment: environment).run(filter: filter, report: report)
        }
        return all
    }
}

extension TestSuite {
    /// `flow check` on a test file: it compiles (its cases run only under `flow test`).
    public static func check(path: String) -> [String] {
        guard let source = FileManager.default.contents(atPath: path) else { return ["\(path): cannot read the file"] }
        do {
            let lua = try LuaState()
            _ = try lua.load(Array(source), chunkName: "@" + path)
            return []
        } catch let e as LuaError {
            return [e.message]
        } catch {
            return ["\(path): \(error)"]
        }
    }

    /// Test files are named NAME_test.lua.
    public static func isTestFile(_ path: String) -> Bool { path.hasSuffix("_test.lua") }
}
