import FlowEngine
import FlowLua
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `--events FILE|-`: one JSON object per line and per event (`JSONText.event`, plus the
/// execution's `id` on every line), written as it happens for CI systems. A file is created or
/// appended to; each line goes out in one write(2), so lines of several executions never mix
/// and nothing sits in a buffer. `-` is stdout, which then holds nothing but these lines: the
/// execution id is the `started` line's `id`, the result the `finished` line's `result`.
/// A reader that goes away (a closed pipe) or a full disk stops these lines with one warning,
/// never the rollout: SIGPIPE is ignored (children still get the default, see Spawn).
final class EventsFileSink: EventSink {
    private let fd: Int32
    private let ownsFD: Bool
    private let path: String
    private let id = Mutex<String?>(nil)
    private let broken = Mutex(false)

    /// nil (and a warning) when the file cannot be opened: `problem` said so before the run.
    init?(path: String) {
        self.path = path
        signal(SIGPIPE, SIG_IGN)
        if path == "-" {
            fd = 1
            ownsFD = false
            return
        }
        let opened = Self.open(path)
        guard opened >= 0 else {
            Console.info("flow: warning: --events \(path): cannot open: \(String(cString: strerror(errno)))")
            return nil
        }
        fd = opened
        ownsFD = true
    }

    func handle(_ event: ExecutionEvent) {
        let known = id.withLock { current -> String? in
            if case .started(let started, _, _) = event { current = started }
            return current
        }
        var fields: [String: LuaValue] = [:]
        if let known { fields["id"] = .string(known) }
        let line = JSONText.event(event, adding: fields) + "\n"
        if broken.withLock({ $0 }) { return }
        if let problem = write(line), broken.withLock({ b in defer { b = true }; return !b }) {
            Console.info("flow: warning: --events \(path): \(problem); no more events are written there")
        }
    }

    func finish() async {
        if ownsFD { close(fd) }
    }

    /// One write(2) for the whole line (more only if the kernel takes part of it); nil when
    /// written, else what went wrong.
    private func write(_ line: String) -> String? {
        var text = line
        return text.withUTF8 { buf -> String? in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return n < 0 ? String(cString: strerror(errno)) : "nothing written" }
                offset += n
            }
            return nil
        }
    }

    private static func open(_ path: String) -> Int32 {
        Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    }

    /// A problem with `--events PATH` before anything runs (the file is created if missing).
    static func problem(_ path: String?) -> String? {
        guard let path, path != "-" else { return nil }
        if path.isEmpty { return "--events needs a file name, or - for stdout" }
        let fd = open(path)
        guard fd >= 0 else { return "--events \(path): cannot open for writing: \(String(cString: strerror(errno)))" }
        close(fd)
        return nil
    }
}
