import Foundation

/// Where gate files are looked up: the first `NAME.lua` along the path wins, so a team's folder
/// given with `--plugins` can shadow a gate that ships with flow.
enum GateSearchPath {
    /// `--plugins` entries, then FLOW_PLUGIN_PATH, then the folders next to the workflow, then
    /// the working directory's `plugins/gates`. Duplicates are dropped, keeping the first place.
    static func build(workflowPath: String?, extra: [String], environment: [String: String]) -> [String] {
        var folders: [String] = extra.filter { !$0.isEmpty }.map(gatesFolder)
        if let env = environment["FLOW_PLUGIN_PATH"] {
            folders += env.split(separator: ":", omittingEmptySubsequences: true).map { gatesFolder(String($0)) }
        }
        if let workflowPath {
            let dir = directory(of: workflowPath)
            folders.append(dir + "/../plugins/gates")
            folders.append(dir + "/gates")
        }
        folders.append("./plugins/gates")
        var seen = Set<String>()
        return folders.map(normalize).filter { seen.insert($0).inserted }
    }

    /// A folder may be given as the gates folder itself or as a plugins folder holding `gates/`.
    static func gatesFolder(_ dir: String) -> String {
        var isDirectory: ObjCBool = false
        let nested = normalize(dir) + "/gates"
        if FileManager.default.fileExists(atPath: nested, isDirectory: &isDirectory), isDirectory.boolValue {
            return nested
        }
        return dir
    }

    /// The first `NAME.lua` that is a file, as `folder/NAME.lua`.
    static func find(_ gate: String, in folders: [String]) -> String? {
        for folder in folders {
            let path = (folder == "/" ? "" : folder) + "/" + gate + ".lua"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return path
            }
        }
        return nil
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    /// Lexical clean-up ("workflows/../plugins/gates" -> "plugins/gates") so messages and
    /// chunk names stay short; symlinks are not resolved, the path is what the user gave.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".":
                continue
            case "..":
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !absolute {
                    parts.append(part)
                }
            default:
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
