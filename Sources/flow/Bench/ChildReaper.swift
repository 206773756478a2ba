import Foundation

/// Measures a `flow` child's wall time and peak RSS from a small process.
///
/// Linux hands a child the high-water RSS of the memory it execs from: posix_spawn's vfork shares
/// the parent's memory, and fork copies its page tables, so wait4's ru_maxrss of a child spawned by
/// the bench would be the bench's own peak (tens of MiB after the in-process runs), not the child's.
/// So a fresh `flow bench --reap -- ARGS` process (no more than `flow --version` in memory) spawns
/// `flow ARGS`, times it from spawn to exit, reaps it with wait4 and prints
/// "STATUS SECONDS MAXRSS_KIB CPU_SECONDS" on its stdout. The peak reported is thus max(child, reaper): a child
/// smaller than `flow --version` cannot be seen, which no `flow run` is.
enum ChildReaper {
    /// In the reaper process: runs `flow ARGS`, its stderr on ours, and prints the result line.
    static func serve(_ arguments: [String]) throws {
        let ended = try ChildProcess.spawn(arguments, log: nil).wait()
        Console.out("\(ended.status) \(ended.seconds) \(ended.maxRSSKiB) \(ended.cpuSeconds)")
    }

    /// In the bench: runs `flow ARGS` through a reaper; `scratch` receives the result line.
    static func measure(_ arguments: [String], log: String, scratch: String) throws -> ChildProcess.Ended {
        let reaper = try ChildProcess.spawn(["bench", "--reap", "--"] + arguments, stdout: scratch, log: log)
        let end = reaper.wait()
        let line = (try? String(contentsOfFile: scratch, encoding: .utf8)) ?? ""
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard end.status == 0, fields.count == 4, let status = Int32(fields[0]), let seconds = Double(fields[1]),
              let rss = Int(fields[2]), let cpu = Double(fields[3])
        else {
            throw BenchFailure("the reaper for `flow \(arguments.joined(separator: " "))` exited with \(end.status), printing '\(line)'")
        }
        return ChildProcess.Ended(status: status, seconds: seconds, maxRSSKiB: rss, cpuSeconds: cpu)
    }
}
