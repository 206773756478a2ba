// FlowEvents: see docs/ARCHITECTURE.md
