// FlowEvents: EventBridge's event-pattern language (docs/EVENTS.md). Pure Swift, no dependencies:
// `JSONValue` (events), `EventPattern` (validated and compiled once), `EventPatternSet` (N patterns).
