import FlowEngine

/// The RESULT cell of a step (worded by FlowEngine's `StepResultText`, shared with the
/// dashboard), painted for the terminal: what is still going on in yellow, failures in red.
enum ResultText {
    static func weights(_ w: [String: Int]) -> String { StepResultText.weights(w) }

    static func error(_ e: StepError) -> String { "\(e.name): \(e.message)" }

    /// `stop`: why the body stopped, for a step it stopped during.
    static func step(_ s: ExecutionTimeline.Step, stop: CompensationReason? = nil) -> TextTable.Cell {
        let (text, tone) = StepResultText.of(s, stop: stop, render: ValueText.render)
        switch tone {
        case .bad: return TextTable.Cell(text, .red)
        case .live: return TextTable.Cell(text, .yellow)
        case .warn: return s.status == .succeeded ? TextTable.Cell(text) : TextTable.Cell(text, .yellow)
        case .ok, .plain: return TextTable.Cell(text)
        }
    }
}
