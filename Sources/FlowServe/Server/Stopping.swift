import Foundation

/// Set once SIGTERM or SIGINT arrives, so that long responses (event streams) end and the
/// server's graceful shutdown does not wait for them.
final class Stopping: @unchecked Sendable {
    static let shared = Stopping()
    private let lock = NSLock()
    private var stopping = false
    private var sources: [any DispatchSourceSignal] = []

    var isSet: Bool { lock.withLock { stopping } }

    func set() { lock.withLock { stopping = true } }

    /// Listens for the signals next to the server's own handling of them (dispatch delivers a
    /// signal to every source that watches it).
    func watchSignals() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for sig in [SIGTERM, SIGINT] {
                signal(sig, SIG_IGN)  // as the server's own handling does: dispatch delivers it
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { [weak self] in self?.set() }
                source.resume()
                sources.append(source)
            }
        }
    }
}
