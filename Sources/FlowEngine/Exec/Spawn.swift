import Glibc

extension ProcessRunner {
    /// The parent's ends of the child's stdio, all O_CLOEXEC | O_NONBLOCK.
    struct SpawnedChild {
        var pid: pid_t
        var stdin: Int32?
        var stdout: Int32
        var stderr: Int32
    }

    static func spawn(_ spec: ProcessSpec) throws(ProcessLaunchError) -> SpawnedChild {
        let plan = try LaunchPlan(spec)
        func fail(_ code: Int32, _ what: String? = nil) -> ProcessLaunchError {
            let why = (what.map { "\($0): " } ?? "") + LaunchPlan.describe(code)
            return ProcessLaunchError(argv0: plan.argv0, errno: code, message: "cannot run '\(plan.argv0)': \(why)")
        }
        if plan.workingDirectory != nil && GNU.addChdir == nil {
            throw fail(ENOSYS, "working directory needs glibc 2.29+")
        }

        // Both ends of every pipe are closed on every path: the child's ends right after the
        // spawn (the child has its own copies by then), ours by the caller or on failure here.
        var opened: [Int32] = []
        func closeAll() { for fd in opened { close(fd) } }
        func makePipe() throws(ProcessLaunchError) -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            guard let pipe2 = GNU.pipe2 else { closeAll(); throw fail(ENOSYS, "pipe2") }
            guard pipe2(&fds, O_CLOEXEC) == 0 else { let e = errno; closeAll(); throw fail(e, "pipe") }
            opened += fds
            for i in 0..<2 where fds[i] <= 2 {
                // With an engine whose own stdio is closed, a pipe end could land on 0-2 and be
                // clobbered by an earlier dup2 in the child; move it out of the way.
                let moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 3)
                guard moved >= 0 else { let e = errno; closeAll(); throw fail(e, "fcntl") }
                close(fds[i])
                opened[opened.firstIndex(of: fds[i])!] = moved
                fds[i] = moved
            }
            return (fds[0], fds[1])
        }
        let input = spec.stdin == nil ? nil : try makePipe()
        let output = try makePipe()
        let errors = try makePipe()

        // These only fail on ENOMEM or a bad fd, but a half-built action list would start the
        // child with the wrong stdio, so the first failure aborts the launch.
        var setupError: Int32 = 0
        func check(_ rc: Int32) { if setupError == 0 { setupError = rc } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Only dup2 is needed: every other fd is O_CLOEXEC, so the child's exec closes our
        // ends, and those of other children being spawned concurrently, atomically.
        if let input {
            check(posix_spawn_file_actions_adddup2(&actions, input.read, 0))
        } else {
            check(posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0))
        }
        check(posix_spawn_file_actions_adddup2(&actions, output.write, 1))
        check(posix_spawn_file_actions_adddup2(&actions, errors.write, 2))
        if let dir = plan.workingDirectory, let addChdir = GNU.addChdir {
            check(addChdir(&actions, dir))
        }

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // Own process group so a timeout or cancellation can kill grandchildren too; a clean
        // mask and default dispositions so the engine's signal setup (e.g. SIGPIPE ignored or
        // blocked on this thread) doesn't leak into the child.
        check(posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)))
        check(posix_spawnattr_setpgroup(&attr, 0))
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        check(posix_spawnattr_setsigmask(&attr, &noSignals))
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP, SIGQUIT] { sigaddset(&defaults, sig) }
        check(posix_spawnattr_setsigdefault(&attr, &defaults))
        if setupError != 0 { closeAll(); throw fail(setupError, "spawn setup") }

        let argv = CStringVector(plan.argv)
        let envStrings = plan.environment.map { CStringVector($0) }
        let envp = envStrings?.pointer ?? environ
        var pid: pid_t = 0
        let rc: Int32 = withExtendedLifetime((argv, envStrings)) {
            switch plan.program {
            case .searchPath(let name): posix_spawnp(&pid, name, &actions, &attr, argv.pointer, envp)
            case .path(let path): posix_spawn(&pid, path, &actions, &attr, argv.pointer, envp)
            }
        }

        for fd in [input?.read, output.write, errors.write].compactMap({ $0 }) {
            close(fd)
            opened.removeAll { $0 == fd }
        }
        guard rc == 0 else { closeAll(); throw fail(rc) }
        for fd in opened { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        return SpawnedChild(pid: pid, stdin: input?.write, stdout: output.read, stderr: errors.read)
    }
}
