import FlowEngine
import FlowWAL

/// `flow show ID --follow`: the live view (or plain lines) of an execution that another process
/// drives, read from its journal every 250 ms, until it finishes (exit code as `flow run` would
/// give) or Ctrl-C (130; the execution goes on).
enum LiveFollow {
    static let pollInterval: Duration = .milliseconds(250)

    static func run(home: FlowHome, id: String, plain: Bool) async -> Int32 {
        do {
            try FlowHome.checkExisting(home: home, id: id)
        } catch let e as RunError {
            Console.error(e.message)
            return Exit.code(for: e)
        } catch {
            Console.error("\(error)")
            return Exit.usage
        }
        StopSignal.install()
        let view = !plain && TerminalSettings.canRedraw(fd: 2)
            ? LiveView(fd: 2, color: TerminalSettings.color, unicode: TerminalSettings.unicode, printID: false, home: home,
                       seeds: false)
            : nil
        let printer = EventPrinter(quiet: false, json: false, printID: false)
        var follower = JournalFollower(home: home, id: id)
        var driver = RolloutModel.Driver.unknown
        while true {
            // The lock first, then the journal: an execution that ends in between is seen ended.
            let now: RolloutModel.Driver = FileLock.holder(path: home.lockPath(of: id)).map { .process($0) } ?? .none
            let timed: [JournalEvents.Timed]
            do {
                timed = try follower.poll()
            } catch let e as RunError where e.code == .usage && home.exists(id) {
                timed = []  // created, its journal not yet
            } catch let e as RunError {
                view?.release()
                Console.error(e.message)
                return Exit.code(for: e)
            } catch {
                view?.release()
                Console.error("\(error)")
                return Exit.internalError
            }
            var final: RunOutcome?
            for t in timed {
                if let view { view.handle(t.event, at: t.at) } else { printer.print(t.event) }
                if case .finished(let outcome) = t.event { final = outcome }
            }
            if let final {
                await view?.finish()
                return Exit.code(for: final)
            }
            if now != driver, follower.seen > 0 {
                driver = now
                view?.setDriver(now)
                if view == nil, now == .none {
                    Console.info("flow: no process drives \(id) now; it goes on after `flow resume \(id)\(HomeHint.suffix(for: home))`")
                }
            }
            if StopSignal.isRequested {
                view?.release()
                await view?.finish()
                Console.info("flow: stopped following \(id); the execution is not affected")
                return Exit.interrupted
            }
            try? await Task.sleep(for: pollInterval)
        }
    }
}
