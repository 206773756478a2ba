import FlowWAL

/// What creating an execution leaves open: its lock and its journal's writer.
///
/// Creation makes the execution's directory, a lock file, the script's copy and the journal's first
/// segment. Five syncs, in an order that leaves every entry durable before the start record is
/// appended: `executions/` (the new directory's entry), the script's copy, the execution's
/// directory (lock, script and journal entries at once: the journal's creation syncs it), the
/// segment, the journal directory. They run on a blocking-I/O thread (FlowWAL/BlockingIO.swift)
/// so that a process starting many executions does not hold a thread of the cooperative pool for
/// each of them.
/// @unchecked: the lock and writer are made on that thread and handed to the runner, which is
/// their one owner from then on; nothing else keeps them.
struct NewExecution: @unchecked Sendable {
    let lock: FileLock
    let writer: WALWriter

    static func create(home: FlowHome, id: String, script: [UInt8], walOptions: WALOptions) throws -> NewExecution {
        try AtomicFile.makeDirectories(home.directory(of: id))
        let lock: FileLock
        do {
            lock = try FileLock.acquire(path: home.lockPath(of: id), extra: "execution=\(id)")
        } catch let e as WALError where e.code == .locked {
            throw RunError(.locked, e.message)
        }
        do {
            // The script before the journal: creating the journal's directory syncs this one, which
            // makes the script's entry durable too. A crash before the journal exists leaves an
            // interrupted creation (FlowHome.isInterruptedCreation), removed by the next start.
            try AtomicFile.write(path: home.scriptCopy(of: id), contents: script, syncDirectory: false)
            let writer = try WALWriter.create(directory: home.journalDirectory(of: id), options: walOptions)
            return NewExecution(lock: lock, writer: writer)
        } catch {
            lock.release()
            throw error
        }
    }
}
