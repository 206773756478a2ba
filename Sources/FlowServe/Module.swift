// FlowServe: `flow serve` (HTTP API, dashboard, metrics). See docs/SERVE.md.
import FlowLua
import FlowWAL
