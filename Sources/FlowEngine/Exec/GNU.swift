import Glibc

extension ProcessRunner {
    /// glibc declares these only under _GNU_SOURCE, which the Swift Glibc module does not
    /// define, so they are looked up at run time. Both are essential, not optional extras:
    /// pipe2 makes O_CLOEXEC atomic (a concurrent spawn on another thread must not inherit our
    /// pipes), and addchdir_np (glibc 2.29+) is the only way to give just the child a working
    /// directory without a process-wide chdir.
    enum GNU {
        typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
        typealias AddChdir = @convention(c) (
            UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?
        ) -> Int32

        static let pipe2: Pipe2? = dlsym(nil, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
        static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np")
            .map { unsafeBitCast($0, to: AddChdir.self) }
    }
}
