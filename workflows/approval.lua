-- Waits for a person: `flow signal ID approve --data '{"by":"alice"}'` from another shell.
-- A signal sent while no process drives the execution is kept and delivered on resume.
local p = flow.params{ timeout = 300 }

flow.exec{ cmd = { "echo", "release candidate built" } }

local approval, err = flow.signal("approve", { timeout = p.timeout })
if not approval then
  flow.fail("no approval within " .. p.timeout .. " s (" .. err .. ")")
end

-- `flow signal ID approve` without --data delivers `true`; with --data '{"by":"alice"}', the table.
local by = type(approval) == "table" and approval.by or "someone"
flow.exec{ cmd = { "echo", "shipping, approved by " .. tostring(by) } }
return approval
