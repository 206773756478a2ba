import FlowEngine
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The live rollout view on a terminal: a frame (`RolloutFrame`) redrawn in place at most ten
/// times a second, when an event changed it or a clock in it ticked, with the lines of finished
/// steps scrolling above it; on the end, the last frame stays and the outcome is printed under
/// it. `handle` only updates the model: drawing happens on a ticker task (and, for the final
/// frame, in the `finished` event, so nothing printed after the run can be overdrawn). Writes
/// to the terminal happen under `output` only, never under `state`: a terminal that blocks
/// (Ctrl-S) holds up the drawing, not the runner.
final class LiveView: EventSink {
    private struct State {
        var model = RolloutModel()
        var screen: TerminalScreen
        var above: [StyledLine] = []
        var dropped = 0
        var lastFrame: [StyledLine] = []
        var lastColumns = 0
        var ticker: Task<Void, Never>?
        var closed = false
        /// Set when another live view was asked for in this process (`flow resume --all`):
        /// this one prints plain lines instead.
        var plain: EventPrinter?
        /// A resumed execution's id, whose journal is read once for what the events do not repeat.
        var seedID: String?
    }

    private let state: Mutex<State>
    /// Held while a frame is made and written, so frames reach the terminal in order.
    private let output = Mutex(())
    private let fd: Int32
    private let printID: Bool
    private let home: FlowHome?
    private let homeSuffix: String
    /// Whether a resumed run's journal is read for what came before (not when the events are the journal's).
    private let seeds: Bool

    /// Lines waiting to scroll above the frame are kept to this many (following a long journal).
    static let aboveKept = 40

    /// Draws on `fd` (2 for a run: stdout keeps the id and the result).
    init(fd: Int32, color: Bool, unicode: Bool, printID: Bool, home: FlowHome?, seeds: Bool = true) {
        state = Mutex(State(screen: TerminalScreen(fd: fd, color: color, unicode: unicode)))
        self.fd = fd
        self.printID = printID
        self.home = home
        self.seeds = seeds
        homeSuffix = home.map(HomeHint.suffix) ?? ""
    }

    func handle(_ event: ExecutionEvent) {
        handle(event, at: WallClock.now())
    }

    /// `at`: when it happened (the journal's time when following another process).
    func handle(_ event: ExecutionEvent, at: Millis) {
        if printID, case .started(let id, _, _) = event { printOnStdout(id) }
        let finished = state.withLock { s -> Bool in
            if let plain = s.plain {
                plain.print(event)
                return false
            }
            guard !s.closed else { return false }
            s.model.apply(event, at: at)
            if let line = HistoryLine.line(for: event, unicode: s.screen.unicode) {
                s.above.append(line)
                if s.above.count > Self.aboveKept {
                    s.dropped += s.above.count - Self.aboveKept
                    s.above.removeFirst(s.above.count - Self.aboveKept)
                }
            }
            if case .started(let id, _, true) = event, seeds, home != nil, s.model.weights == nil { s.seedID = id }
            if case .finished = event { return true }
            startTicker(&s)
            return false
        }
        if finished { draw { s in closing(&s, now: WallClock.now()) } }
    }

    /// What only a follower knows: whether a process drives the execution.
    func setDriver(_ driver: RolloutModel.Driver) {
        state.withLock { s in s.model.driver = driver }
    }

    /// Draws the last frame (if anything was drawn) and gives the cursor back; then no more
    /// drawing. For the end of a run that had no `finished` event (an error), before the error
    /// is printed.
    func release() {
        draw { s in
            guard !s.closed else { return "" }
            let last = s.screen.hasDrawn ? render(&s, now: WallClock.now(), force: true) : ""
            s.closed = true
            return last + s.screen.close(trailer: [])
        }
    }

    func finish() async {
        release()
        let ticker = state.withLock { $0.ticker }
        await ticker?.value
        Self.registry.withLock { if $0 === self { $0 = nil } }
    }

    /// The execution id on stdout; when stdout is the same terminal, the frame makes room first.
    private func printOnStdout(_ line: String) {
        output.withLock { _ in
            if isatty(1) == 1 {
                let text = state.withLock { s in
                    s.lastFrame = []
                    return s.screen.erase()
                }
                TerminalScreen.write(text, to: fd)
            }
            Console.out(line)
        }
    }

    /// Makes output from the state and writes it, in the order made.
    private func draw(_ make: (inout State) -> String) {
        output.withLock { _ in
            let text = state.withLock { s in make(&s) }
            TerminalScreen.write(text, to: fd)
        }
    }

    /// The final frame and the outcome under it.
    private func closing(_ s: inout State, now: Millis) -> String {
        guard !s.closed else { return "" }
        let last = render(&s, now: now, force: true)
        s.closed = true
        let columns = s.screen.usableColumns
        return last + s.screen.close(trailer: OutcomeLines.lines(s.model, now: now, columns: columns, unicode: s.screen.unicode))
    }

    private func startTicker(_ s: inout State) {
        guard s.ticker == nil else { return }
        s.ticker = Task.detached { [self] in
            while tick() {
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// One turn of the ticker: read a resumed journal once, redraw if anything shows
    /// differently. False once the view is closed.
    private func tick() -> Bool {
        if let home, let id = state.withLock({ s -> String? in
            defer { s.seedID = nil }
            return s.seedID
        }) {
            let seed = JournalFollower.model(home: home, id: id)
            state.withLock { s in if let seed { s.model.seed(from: seed) } }
        }
        var open = true
        draw { s in
            guard !s.closed else {
                open = false
                return ""
            }
            return render(&s, now: WallClock.now(), force: false)
        }
        return open
    }

    /// The output that draws the frame as it is now ("" when it would look the same).
    private func render(_ s: inout State, now: Millis, force: Bool) -> String {
        let columns = s.screen.size().columns
        let frame = RolloutFrame(columns: max(1, columns - 1), unicode: s.screen.unicode, homeSuffix: homeSuffix)
        let lines = frame.lines(s.model, now: now)
        guard force || !s.above.isEmpty || lines != s.lastFrame || columns != s.lastColumns else { return "" }
        var above = s.above
        if s.dropped > 0, let id = s.model.id {
            above.insert(StyledLine("… \(s.dropped) earlier lines: flow history \(id)\(homeSuffix)", .dim), at: 0)
        }
        let text = s.screen.draw(above: above, frame: lines)
        s.above = []
        s.dropped = 0
        s.lastFrame = lines
        s.lastColumns = columns
        return text
    }
}

extension LiveView {
    /// The one live view of this process: a terminal has room for one.
    private static let registry = Mutex<LiveView?>(nil)

    /// The live view for `flow run` / `flow resume` when stderr is a terminal that can redraw
    /// and no plain, JSON, quiet or debug output was asked for; nil for plain lines. A second
    /// one asked for in the same process (`flow resume --all`) turns the first to plain lines
    /// too, if it has not drawn yet: several executions print plain lines.
    static func make(drive: DriveOptions, printID: Bool, home: FlowHome?) -> LiveView? {
        guard !drive.plain, !drive.jsonEvents, !drive.quiet, !drive.debug, TerminalSettings.canRedraw(fd: 2) else { return nil }
        let view = LiveView(fd: 2, color: TerminalSettings.color, unicode: TerminalSettings.unicode, printID: printID, home: home)
        return registry.withLock { current -> LiveView? in
            if let other = current {
                other.demote(quiet: drive.quiet, json: drive.jsonEvents)
                return nil
            }
            current = view
            return view
        }
    }

    /// Stops the live view of this process from drawing (see `release`), before an error is
    /// printed on the terminal.
    static func releaseTerminal() {
        registry.withLock { $0 }?.release()
    }

    private func demote(quiet: Bool, json: Bool) {
        state.withLock { s in
            if !s.screen.hasDrawn, s.plain == nil { s.plain = EventPrinter(quiet: quiet, json: json, printID: false) }
        }
    }
}
