/// `failback.arm`, written in Lua because `flow.on_failure` takes a Lua function. Called as
/// `chunk(module, flow)` (StepPlugin.luaSource); `module.capture` and `module.restore` are the
/// native steps, so both are journaled like any other step.
enum FailbackLua {
    static let source = #"""
    local module, flow = ...

    -- failback.arm{ zone, record, type?, region? } -> the captured weights (as failback.capture).
    -- From here on a failure, cancel or abort of the workflow restores these weights.
    function module.arm(args)
      if type(args) ~= "table" then
        error(("bad argument #1 to 'flow.failback.arm' (table expected, got %s)"):format(type(args)), 2)
      end
      local original = module.capture(args)
      -- A copy, and the zone by id: whatever the script later does with `original`, or whatever
      -- zone of the same name appears, restore puts back exactly what was captured.
      local weights = {}
      for set, weight in pairs(original.weights) do weights[set] = weight end
      local restore = {
        zone = original.zone_id, record = original.record, type = original.type,
        weights = weights, region = args.region,
      }
      flow.on_failure(function() module.restore(restore) end)
      return original
    end

    return module
    """#
}
