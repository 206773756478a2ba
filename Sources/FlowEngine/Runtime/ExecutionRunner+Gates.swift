import FlowLua

/// A gate step: measurements in memory, one journaled outcome (see GateAnalysis).
extension ExecutionRunner {
    func analyse(_ call: NativeCall, context: StepContext) async -> InvocationResult {
        let analysis = call.analysis ?? GateAnalysis()
        var tally = GateTally(analysis: analysis)
        // With only a count, time does not end the window; with neither, one measurement does.
        let windowEnd = analysis.window.map { options.clock.now() + Millis($0 * 1000) }
        let interval = Millis(analysis.interval * 1000)
        // A full promotion waiting for the workflow (`flow promote --full`, taken before or during
        // the window) ends the window at the next measurement: the operator asked to stop
        // watching this step; the verdict stands on what was measured.
        let inbox = self.inbox
        func promotedFull() -> Bool {
            inbox.pending().messages.contains { $0.message.kind == .signal && $0.message.name == OperatorAction.Action.promoteFull.rawValue }
        }
        func over() -> Bool {
            if promotedFull() { return true }
            if let n = analysis.count, tally.measurements + 1 >= n { return true }
            if let end = windowEnd { return options.clock.now() >= end }
            return analysis.count == nil
        }
        while true {
            // `every` is the period between the starts of measurements, not the pause after one.
            let started = options.clock.now()
            let next: GateTally.Next
            switch await invoke(call, context: context) {
            case .stopped(let reason):
                return .stopped(reason)
            case .failure(let error, let retryable):
                // A bad argument or a missing resource will not mend itself by waiting.
                guard retryable else { return .failure(error, retryable: false) }
                let done = over()
                next = tally.recordError(error, windowOver: done)
                options.observer(.measured(seq: call.seq, name: call.display, status: "error", reason: error.description,
                                           count: tally.measurements + tally.errors))
            case .value(let value):
                let result: GateResult
                do {
                    result = try LuaValueDecoder().decode(GateResult.self, from: value)
                } catch {
                    return .failure(StepError(name: "InvalidGateResult", message: "\(call.display) returned \(value.typeName) that is not a gate result: \(error)"), retryable: false)
                }
                let done = over()
                next = tally.record(result, windowOver: done)
                options.observer(.measured(seq: call.seq, name: call.display, status: result.status.rawValue, reason: result.reason,
                                           count: tally.measurements + tally.errors, value: result.value ?? .nil))
            }
            switch next {
            case .done(let result):
                return .value(tally.value(result))
            case .error(let error):
                return .failure(error, retryable: true)
            case .measureAgain:
                if let reason = await wait(until: started + interval, seq: call.seq) { return .stopped(reason) }
            }
        }
    }
}
