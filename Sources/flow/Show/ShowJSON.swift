import FlowEngine

/// `flow show --json`: the same data as the text, for machines (built in FlowEngine, which `flow serve` shares).
typealias ShowJSON = ExecutionTimelineJSON
