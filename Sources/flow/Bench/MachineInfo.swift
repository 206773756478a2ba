import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the figures were measured on: kernel, CPUs, the bench directory's filesystem, build.
struct MachineInfo: Codable, Sendable {
    var kernel: String
    var cpus: Int
    var cpuModel: String
    var filesystem: String
    var mountPoint: String
    var device: String
    var build: String
    /// /proc/loadavg's 1, 5 and 15 minute figures when the bench started: other work skews the figures.
    var loadAverage: String

    static func current(directory: String) -> MachineInfo {
        let mount = mountOf(directory)
        return MachineInfo(
            kernel: kernel(), cpus: sysconf(Int32(_SC_NPROCESSORS_ONLN)), cpuModel: cpuModel(),
            filesystem: mount.type, mountPoint: mount.point, device: mount.device, build: buildConfiguration,
            loadAverage: loadAverage())
    }

    static var buildConfiguration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    /// `uname -sr`.
    static func kernel() -> String {
        var u = utsname()
        uname(&u)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(field(u.sysname)) \(field(u.release))"
    }

    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func cpuModel() -> String {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    /// The /proc/mounts entry with the longest mount point that contains `directory`.
    static func mountOf(_ directory: String) -> (device: String, point: String, type: String) {
        let path = realPath(directory)
        let text = (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? ""
        var best: (device: String, point: String, type: String) = ("?", "?", "unknown")
        var bestLength = -1
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 3 else { continue }
            let point = unescapeMount(String(f[1]))
            let inside = point == "/" || path == point || path.hasPrefix(point + "/")
            if inside && point.count > bestLength {
                best = (String(f[0]), point, String(f[2]))
                bestLength = point.count
            }
        }
        return best
    }

    static func realPath(_ path: String) -> String {
        guard let p = realpath(path, nil) else { return path }
        defer { free(p) }
        return String(cString: p)
    }

    /// /proc/mounts writes spaces, tabs and backslashes in paths as octal escapes.
    static func unescapeMount(_ s: String) -> String {
        s.replacingOccurrences(of: "\\040", with: " ").replacingOccurrences(of: "\\011", with: "\t")
            .replacingOccurrences(of: "\\134", with: "\\")
    }
}
