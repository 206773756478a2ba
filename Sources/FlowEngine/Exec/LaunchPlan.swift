import Glibc

extension ProcessRunner {
    /// Everything about a spec that can be checked before any fd is created, so bad input
    /// fails with a clear message instead of a bare errno from deep inside posix_spawn.
    struct LaunchPlan {
        enum Program {
            /// Bare name: let posix_spawnp search the engine's PATH.
            case searchPath(String)
            /// Has a '/', or was resolved against the spec's own PATH.
            case path(String)
        }

        var argv0: String
        var program: Program
        var argv: [String]
        /// nil means pass the engine's `environ` through untouched.
        var environment: [String]?
        var workingDirectory: String?

        init(_ spec: ProcessSpec) throws(ProcessLaunchError) {
            guard let first = spec.argv.first, !first.isEmpty else {
                throw ProcessLaunchError(argv0: "", errno: EINVAL, message: "cannot run '': empty command")
            }
            argv0 = first
            argv = spec.argv
            func fail(_ code: Int32, _ why: String) -> ProcessLaunchError {
                ProcessLaunchError(argv0: first, errno: code, message: "cannot run '\(first)': \(why)")
            }
            // withCString would silently cut these strings at the NUL and run something else.
            if spec.argv.contains(where: { $0.utf8.contains(0) }) {
                throw fail(EINVAL, "argument contains a NUL byte")
            }
            if let overrides = spec.environment {
                for (key, value) in overrides where key.isEmpty || key.utf8.contains(where: { $0 == 0 || $0 == UInt8(ascii: "=") }) || value.utf8.contains(0) {
                    throw fail(EINVAL, "invalid environment variable '\(key)'")
                }
                environment = Self.merged(overrides)
            }
            if let dir = spec.workingDirectory {
                var st = stat()
                if dir.utf8.contains(0) { throw fail(EINVAL, "working directory contains a NUL byte") }
                if stat(dir, &st) != 0 {
                    throw fail(errno, "working directory '\(dir)': \(Self.describe(errno))")
                }
                if st.st_mode & S_IFMT != S_IFDIR {
                    throw fail(ENOTDIR, "working directory '\(dir)': \(Self.describe(ENOTDIR))")
                }
                workingDirectory = dir
            }
            if first.contains("/") {
                program = .path(first)
            } else if let path = spec.environment?["PATH"] {
                // posix_spawnp would search the engine's PATH; the user set the child's PATH
                // precisely so that this name resolves differently.
                program = .path(try Self.resolve(first, in: path).get())
            } else {
                program = .searchPath(first)
            }
        }

        /// Inherited entries keep their order; new names follow, sorted, so the child's
        /// environment is deterministic for a given spec.
        static func merged(_ overrides: [String: String]) -> [String] {
            var result: [String] = []
            var seen = Set<String>()
            var entry: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
            while let raw = entry?.pointee {
                let line = String(cString: raw)
                let name = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
                if let value = overrides[String(name)] {
                    if seen.insert(String(name)).inserted { result.append("\(name)=\(value)") }
                } else {
                    result.append(line)
                }
                entry = entry?.successor()
            }
            for key in overrides.keys.sorted() where !seen.contains(key) {
                result.append("\(key)=\(overrides[key]!)")
            }
            return result
        }

        /// Mirrors execvp: empty PATH elements mean the current directory; a match that exists
        /// but is not executable yields EACCES rather than ENOENT.
        static func resolve(_ name: String, in path: String) -> Result<String, ProcessLaunchError> {
            var sawUnexecutable = false
            for dir in path.split(separator: ":", omittingEmptySubsequences: false) {
                let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + name
                var st = stat()
                guard stat(candidate, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
                if access(candidate, X_OK) == 0 { return .success(candidate) }
                sawUnexecutable = true
            }
            let code = sawUnexecutable ? EACCES : ENOENT
            return .failure(ProcessLaunchError(argv0: name, errno: code, message: "cannot run '\(name)': \(describe(code))"))
        }

        static func describe(_ code: Int32) -> String {
            String(cString: strerror(code))
        }
    }

    /// A NULL-terminated `char *[]` that stays valid until deinit: posix_spawn reads it from
    /// the child before exec, so callers keep it alive across the call.
    final class CStringVector {
        let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
        private let count: Int

        init(_ strings: [String]) {
            count = strings.count
            pointer = .allocate(capacity: count + 1)
            for (i, s) in strings.enumerated() {
                let utf8 = s.utf8CString
                let copy = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
                utf8.withUnsafeBufferPointer { copy.initialize(from: $0.baseAddress!, count: utf8.count) }
                pointer[i] = copy
            }
            pointer[count] = nil
        }

        deinit {
            for i in 0..<count { pointer[i]?.deallocate() }
            pointer.deallocate()
        }
    }
}
