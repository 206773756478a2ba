import Foundation
import FlowWAL
import Synchronization

/// `t.run(WORKFLOW, {...})`: one execution of a real workflow by the real engine, in a
/// throwaway home, under a virtual clock, with every step answered by its stand-in. What comes
/// back is the journal read as a test wants it (see `RunReport`).
struct WorkflowRun {
    let workflowPath: String
    let spec: WorkflowRunSpec
    let environment: TestEnvironment
    let id: String

    /// What the observer saw that the journal does not keep.
    final class Seen: Sendable {
        struct State {
            var log: [String] = []
            var warnings: [String] = []
            var measurements = BoundedLog<StepValue>()
            var waiting: StepValue?
        }
        let state = Mutex(State())
    }

    func run() async throws -> StepValue {
        let startSeconds = spec.start ?? WorkflowRunSpec.defaultStart
        let start = Millis(startSeconds * 1000)
        let horizon = spec.horizon ?? WorkflowRunSpec.defaultHorizon
        guard horizon > 0 else { throw TestSetupError("horizon: expected seconds > 0, got \(horizon)") }
        let clock = VirtualClock(start: start, horizon: start + Millis(horizon * 1000))
        let cloud = try spec.cloud.map { scenario -> SimulatedCloud in
            do { return try SimulatedCloud(scenario: scenario) } catch { throw TestSetupError("cloud: \(error)") }
        }
        guard case .table(let params)? = spec.params ?? .table([:]) else {
            throw TestSetupError("params: expected a table of parameters, got a list")
        }
        let exec = spec.exec ?? "mock"
        guard exec == "mock" || exec == "real" else { throw TestSetupError("exec: expected \"mock\" or \"real\", got \"\(exec)\"") }

        let root = try Self.makeHome(in: environment.homesDirectory)
        let home = FlowHome(root: root)
        defer { if !environment.keepHomes { try? FileManager.default.removeItem(atPath: root) } }

        let problems = TestProblems()
        let standIns = StandIns(mocks: spec.mocks ?? [:], cloud: cloud, realExec: exec == "real", problems: problems)
        var options = RunOptions(home: home)
        options.syncPolicy = .none
        options.clock = clock
        let random = SeededRandom(seed: spec.seed ?? 1)
        options.random = { random.next() }
        options.registry = standIns.registry(
            from: environment.registry, gateSearchPath: environment.gateSearchPath(workflowPath, spec.gates ?? []))
        let seen = Seen()
        options.observer = { event in Self.observe(event, into: seen, clock: clock, start: start) }

        let inbox = Inbox(directory: home.inboxDirectory(of: id))
        for change in cloud?.changes ?? [] {
            clock.schedule(at: start + Millis(change.at * 1000)) {
                do { try cloud?.apply(change.change) } catch { problems.add("cloud change at \(change.at) s: \(error)") }
            }
        }
        for s in spec.signals ?? [] {
            clock.schedule(at: start + Millis(s.at * 1000)) {
                let m = InboxMessage(kind: .signal, name: s.name, data: s.data, from: "flow test", at: clock.now())
                do { try inbox.post(m) } catch { problems.add("signal '\(s.name)' at \(s.at) s: \(error)") }
            }
        }
        for c in spec.operator ?? [] {
            let message = try WorkflowRunSpec.message(for: c, at: 0)
            clock.schedule(at: start + Millis(c.at * 1000)) {
                var m = message
                m.at = clock.now()
                do { try inbox.post(m) } catch { problems.add("operator \(c.action) at \(c.at) s: \(error)") }
            }
        }

        let outcome: RunOutcome
        do {
            outcome = try await ExecutionRunner(.start(script: workflowPath, id: id, params: params), options: options).run()
        } catch let e as RunError {
            throw TestSetupError(e.message)
        }
        let problemList = problems.all
        if !problemList.isEmpty {
            throw TestSetupError(problemList.count == 1 ? problemList[0] : problemList.map { "\n  " + $0 }.joined())
        }
        if environment.keepHomes {
            FileHandle.standardError.write(Data("flow test: kept \(workflowPath) run: flow show \(id) --home \(root)\n".utf8))
        }
        let (state, _) = try JournalReading.read(home: home, id: id)
        return RunReport(
            id: id, outcome: outcome, state: state, start: start, clock: clock, cloud: cloud,
            seen: seen.state.withLock { $0 }, home: environment.keepHomes ? root : nil
        ).value
    }

    static func observe(_ event: ExecutionEvent, into seen: Seen, clock: VirtualClock, start: Millis) {
        let at = StepValue.double(Double(clock.now() - start) / 1000)
        seen.state.withLock { s in
            switch event {
            case .log(let m): s.log.append(m)
            case .warning(let m): s.warnings.append(m)
            case .measured(let seq, let name, let status, let reason, let count, let value):
                var m: [String: StepValue] = ["seq": .int(Int64(seq)), "name": .string(name), "status": .string(status),
                                              "reason": .string(reason), "count": .int(Int64(count)), "at": at]
                if !value.isNil { m["value"] = value }
                s.measurements.append(.table(m))
            case .waiting(let seq, let kind, let name, let until):
                var w: [String: StepValue] = ["seq": .int(Int64(seq)), "kind": .string(kind.rawValue), "name": .string(name), "since": at]
                if let until { w["until"] = .double(Double(until - start) / 1000) }
                s.waiting = .table(w)
            case .stepStarted, .stepSucceeded, .stepFailed, .gateFinished:
                s.waiting = nil
            default:
                break
            }
        }
    }

    static func makeHome(in directory: String) throws -> String {
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
        template += Array("flow-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { p -> String? in
            guard let r = mkdtemp(p.baseAddress!) else { return nil }
            return String(cString: r)
        }
        guard let made else { throw TestSetupError("cannot make a temporary home in \(directory): \(String(cString: strerror(errno)))") }
        return made
    }
}
