// FlowEventSources: see docs/ARCHITECTURE.md
