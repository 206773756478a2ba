import Foundation
import FlowLua

/// How one case ended.
public struct TestCaseResult: Sendable {
    public var file: String
    public var name: String
    /// nil: passed. Otherwise "file:line: what failed".
    public var failure: String?
    public var seconds: Double
    public var passed: Bool { failure == nil }
}

/// One `*_test.lua`: loaded once in a sandbox with `flow.test`, each case run in its own
/// coroutine, in the order written. `t.run` and `t.gate` yield to Swift, which runs the
/// workflow or the gate and resumes the case with the report.
/// Not Sendable: one task drives it.
final class TestFile {
    enum Pending {
        case run(workflow: String, spec: StepValue)
        case gate(name: String, args: StepValue, spec: StepValue)
    }

    let path: String
    let environment: TestEnvironment
    var lua: LuaState!
    var pending: Pending?
    var runs = 0

    /// A case's Lua time between two awaits; a loop in a test fails the case, not the suite.
    static let sliceSeconds = 60.0

    init(path: String, environment: TestEnvironment) {
        self.path = path
        self.environment = environment
    }

    /// The file's directory: paths in `t.run` are relative to it.
    var directory: String {
        let d = (path as NSString).deletingLastPathComponent
        return d.isEmpty ? "." : d
    }

    func resolve(_ relative: String) -> String {
        if relative.hasPrefix("/") { return relative }
        return directory == "." ? relative : directory + "/" + relative
    }

    /// Runs the cases whose name contains `filter` (all without one), reporting each as it ends.
    /// A file that does not load is one failed case named after the file.
    func run(filter: String?, report: (TestCaseResult) -> Void) async -> [TestCaseResult] {
        var results: [TestCaseResult] = []
        func done(_ r: TestCaseResult) {
            results.append(r)
            report(r)
        }
        let cases: [(name: String, fn: LuaRef)]
        do {
            cases = try load()
        } catch {
            done(TestCaseResult(file: path, name: "(loading \(path))", failure: "\(error)", seconds: 0))
            return results
        }
        if cases.isEmpty {
            done(TestCaseResult(file: path, name: "(loading \(path))",
                                failure: "\(path): no test cases (write t.case(\"what it checks\", function() ... end))", seconds: 0))
        }
        for c in cases where filter.map({ c.name.contains($0) }) ?? true {
            let started = ContinuousClock.now
            let failure = await runCase(c.fn)
            let (s, attos) = (ContinuousClock.now - started).components
            done(TestCaseResult(file: path, name: c.name, failure: failure, seconds: Double(s) + Double(attos) / 1e18))
        }
        return results
    }

    // MARK: loading

    private func load() throws -> [(name: String, fn: LuaRef)] {
        guard let source = FileManager.default.contents(atPath: path) else {
            throw TestSetupError("\(path): cannot read the test file")
        }
        lua = try LuaState(limits: LuaLimits(memoryBytes: 512 << 20))
        lua.wrapperSources = [TestPrelude.chunkName]
        let env = try lua.makeSandbox()
        let host = lua.makeHostTable(prefix: "flow.test", functions: hostFunctions())
        let prelude = try lua.load(TestPrelude.source, chunkName: TestPrelude.chunkName)
        let accessors = try lua.callForRefs(prelude, [.ref(host), .ref(env)])
        guard accessors.count == 3 else { throw TestSetupError("flow.test: internal error (prelude)") }
        let chunk: LuaRef
        do {
            chunk = try lua.load(Array(source), chunkName: "@" + path, environment: env)
        } catch let e as LuaError {
            throw TestSetupError(e.message)
        }
        lua.setDeadline(secondsFromNow: Self.sliceSeconds)
        switch LuaThread(state: lua, function: chunk).resume() {
        case .returned: break
        case .failed(let e): throw TestSetupError(describe(e))
        case .yielded:
            throw TestSetupError("\(path): t.run and t.gate belong inside a case (t.case(\"name\", function() ... end)), not at the top of the file")
        }
        lua.setDeadline(secondsFromNow: nil)
        guard case .int(let count)? = try lua.call(accessors[0]).first else { return [] }
        var cases: [(String, LuaRef)] = []
        for i in 1...max(1, Int(count)) where count > 0 {
            let name = try lua.call(accessors[1], [.value(.int(Int64(i)))]).first?.stringValue ?? "case \(i)"
            guard let fn = try lua.callForRefs(accessors[2], [.value(.int(Int64(i)))]).first else { continue }
            cases.append((name, fn))
        }
        return cases
    }

    // MARK: running a case

    /// nil when the case passed, else why not.
    private func runCase(_ fn: LuaRef) async -> String? {
        let thread = LuaThread(state: lua, function: fn)
        var input: [LuaArgument] = []
        while true {
            lua.setDeadline(secondsFromNow: Self.sliceSeconds)
            let result = thread.resume(input)
            lua.setDeadline(secondsFromNow: nil)
            switch result {
            case .returned:
                return nil
            case .failed(let e):
                return describe(e)
            case .yielded:
                guard let request = pending else {
                    return "\(path): the case yielded outside t.run / t.gate (coroutine.yield is for coroutines the test creates)"
                }
                pending = nil
                do {
                    let value = try await perform(request)
                    // The first value tells the yielding host call to return (not raise) the rest.
                    input = [.value(.bool(true)), .value(.bool(true)), .value(value)]
                } catch {
                    input = [.value(.bool(true)), .value(.bool(false)), .value(.string("\(error)"))]
                }
            }
        }
    }

    private func perform(_ request: Pending) async throws -> StepValue {
        switch request {
        case .run(let workflow, let spec):
            let decoded: WorkflowRunSpec
            do {
                decoded = try LuaValueDecoder().decode(WorkflowRunSpec.self, from: spec)
            } catch let e as LuaArgumentError {
                throw TestSetupError(e.pathDescription.isEmpty ? "t.run: \(e.problem)" : "t.run: bad option '\(e.pathDescription)' (\(e.problem))")
            }
            let path = resolve(workflow)
            guard FileManager.default.fileExists(atPath: path) else {
                throw TestSetupError("t.run: workflow file \(path) does not exist (paths are relative to \(self.path))")
            }
            runs += 1
            let id = decoded.id ?? "test-\(runs)"
            return try await WorkflowRun(workflowPath: path, spec: decoded, environment: environment, id: id).run()
        case .gate(let name, let args, let spec):
            let decoded: GateCall.Spec
            do {
                decoded = try LuaValueDecoder().decode(GateCall.Spec.self, from: spec)
            } catch let e as LuaArgumentError {
                throw TestSetupError(e.pathDescription.isEmpty ? "t.gate: \(e.problem)" : "t.gate: bad option '\(e.pathDescription)' (\(e.problem))")
            }
            var env = environment
            let extra = (decoded.gates ?? []).map(resolve) + [directory]
            let base = environment.gateSearchPath
            env.gateSearchPath = { p, more in base(p, extra + more) }
            var spec = decoded
            spec.gates = nil
            return try await GateCall(name: name, args: args, spec: spec, testFile: path, environment: env).run()
        }
    }

    private func hostFunctions() -> [String: LuaHostFunction] {
        [
            "run": { [unowned self] call in
                let workflow = try call.value(1).stringValue ?? ""
                self.pending = .run(workflow: workflow, spec: try call.value(2))
                return .yield([])
            },
            "gate": { [unowned self] call in
                let name = try call.value(1).stringValue ?? ""
                self.pending = .gate(name: name, args: try call.value(2), spec: try call.value(3))
                return .yield([])
            },
            "check_cloud": { call in
                do {
                    _ = try SimulatedCloud(scenario: try call.value(1))
                    return .values([true])
                } catch {
                    return .values([false, .string("t.cloud: \(error)")])
                }
            },
        ]
    }

    /// A Lua error as a failure line: Lua's own "file:line: message" when it has one; for an
    /// error object, its name and message placed at the test's line from the traceback.
    func describe(_ e: LuaError) -> String {
        if e.location != nil { return e.message }
        var text = e.message
        if case .table(let t)? = e.value, let name = t["name"]?.stringValue {
            text = "\(name): \(t["message"]?.stringValue ?? "")"
        }
        for line in (e.traceback ?? "").split(separator: "\n") where line.hasPrefix("\t") {
            if let place = LuaError.splitLocation(String(line.dropFirst())).location, place.hasPrefix(path + ":") {
                return "\(place): \(text)"
            }
        }
        return "\(path): \(text)"
    }
}
