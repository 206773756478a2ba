import FlowWAL

/// What creating an execution leaves open: its lock and its journal's writer.
///
/// Creation makes directories, a lock file, the first segment and the script's copy, each synced:
/// six syncs that run on a blocking-I/O thread (FlowWAL/BlockingIO.swift) so that a process
/// starting many executions does not hold a thread of the cooperative pool for each of them.
/// @unchecked: the lock and writer are made on that thread and handed to the runner, which is
/// their one owner from then on; nothing else keeps them.
struct NewExecution: @unchecked Sendable {
    let lock: FileLock
    let writer: WALWriter

    static func create(home: FlowHome, id: String, script: [UInt8], walOptions: WALOptions) throws -> NewExecution {
        try FlowHome.makeDirectories(home.directory(of: id))
        let lock: FileLock
        do {
            lock = try FileLock.acquire(path: home.lockPath(of: id), extra: "execution=\(id)")
        } catch let e as WALError where e.code == .locked {
            throw RunError(.locked, e.message)
        }
        let writer: WALWriter
        do {
            writer = try WALWriter.create(directory: home.journalDirectory(of: id), options: walOptions)
        } catch {
            lock.release()
            throw error
        }
        do {
            try AtomicFile.write(path: home.scriptCopy(of: id), contents: script)
        } catch {
            try? writer.close()
            lock.release()
            throw error
        }
        return NewExecution(lock: lock, writer: writer)
    }
}
