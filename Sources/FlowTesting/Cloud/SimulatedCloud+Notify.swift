import FlowEngine

extension SimulatedCloud {
    /// `notify.send`: the message goes into `notifications` instead of a webhook; true, as the
    /// real step answers once a message is queued.
    func send(_ args: StepValue, _ context: StepContext) async throws -> StepValue {
        let at = context.clock.now()
        state.withLock { $0.notifications.append(SimNotification(at: at, args: args)) }
        return .bool(true)
    }
}
