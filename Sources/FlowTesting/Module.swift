// FlowTesting: what `flow test` runs on. Test files (`*_test.lua`) run workflows under a
// virtual clock with mocked steps and a simulated cloud, test Lua gates alone, and check a
// recorded history against an edited script (docs/TESTING.md).
@_exported import FlowEngine
