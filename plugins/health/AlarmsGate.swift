import FlowEngine
import FlowPluginSupport

/// `health.alarms{ names = {...} | prefix = "...", insufficient_data = "inconclusive" }`.
struct AlarmsInput: Decodable, Sendable {
    var names: StringList?
    var prefix: String?
    var insufficient_data: InsufficientDataPolicy?
    var region: String?
}

/// `health.alarm_states{ names = {...} | prefix = "..." }`: the raw read, for Lua gates.
struct AlarmStatesInput: Decodable, Sendable {
    var names: StringList?
    var prefix: String?
    var region: String?
}

enum AlarmsGate {
    static func validate(_ input: AlarmsInput) throws {
        _ = try alarmSelection(names: input.names, prefix: input.prefix)
    }

    static func measure(_ input: AlarmsInput, _ aws: AWSStepEnvironment, _ context: StepContext) async throws -> GateResult {
        let selection = try alarmSelection(names: input.names, prefix: input.prefix)
        let client = try aws.client(region: input.region, context: context)
        let alarms = try await AWSReads.alarms(selection, client: client)
        return AlarmEvaluation.evaluate(alarms, selection: selection, insufficientData: input.insufficient_data ?? .inconclusive)
    }

    static func gate(_ aws: AWSStepEnvironment) -> StepFunction {
        .gate("alarms", summary: "CloudWatch alarms: none in ALARM, and every one named exists.",
              input: AlarmsInput.self, validate: validate) { input, context in
            try await measure(input, aws, context)
        }
    }

    static func raw(_ aws: AWSStepEnvironment) -> StepFunction {
        .make("alarm_states", summary: "The states of CloudWatch alarms by names or prefix.", idempotent: true,
              readOnly: true, input: AlarmStatesInput.self,
              validate: { _ = try alarmSelection(names: $0.names, prefix: $0.prefix) }) { input, context -> StepValue in
            let selection = try alarmSelection(names: input.names, prefix: input.prefix)
            let client = try aws.client(region: input.region, context: context)
            let alarms = try await AWSReads.alarms(selection, client: client)
            return .record(["alarms": .list(alarms.map(\.luaValue))])
        }
    }
}
