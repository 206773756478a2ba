// FlowTriggers: see docs/ARCHITECTURE.md
