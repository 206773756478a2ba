import FlowEngine

extension SimulatedCloud {
    /// The state for a test's assertions, as a Lua-friendly table:
    ///
    ///     { weights = { ["app.example.com"] = { blue = 100, green = 0 } },   -- by record name, no trailing dot
    ///       targets = { ["app-green"] = { "healthy", "healthy" } },
    ///       alarms = { ["green-5xx"] = "OK" },
    ///       services = { ["app-green"] = { cluster = "prod", running = 2, desired = 2, pending = 0, stopped = 0,
    ///                                      task_definition = "app:2", status = "ACTIVE", rollout_state = "COMPLETED" } },
    ///       calls = { { at = 12.5, name = "route53.set_weights", args = {...}, error = "..." }, ... },  -- in order
    ///       notifications = { { at = 30, text = "...", event = "...", url = "...", fields = {...} } } }
    ///
    /// `at`: seconds since `startedAt`. A service name found in several clusters is keyed
    /// `CLUSTER/NAME`. `error` is there only for a call that failed.
    public func snapshot(startedAt: Millis) -> StepValue {
        let s = state.withLock { $0 }
        func seconds(_ at: Millis) -> StepValue { .double(Double(at - startedAt) / 1000) }

        var weights: [String: StepValue] = [:]
        for r in s.records { weights[CloudNames.withoutDot(r.name)] = .weights(r.weights) }
        let targets = s.targetGroups.mapValues { StepValue.list($0.targets.map { .string($0.state) }) }
        let alarms = s.alarms.mapValues { StepValue.string($0.state) }

        var services: [String: StepValue] = [:]
        for v in s.services {
            let shared = s.services.filter { $0.name == v.name }.count > 1
            services[shared ? "\(v.cluster)/\(v.name)" : v.name] = .record([
                "cluster": .string(v.cluster), "running": .int(v.running), "desired": .int(v.desired), "pending": .int(v.pending),
                "stopped": .int(v.stopped), "task_definition": .string(v.taskDefinition), "status": .string(v.status),
                "rollout_state": .string(v.effectiveRolloutState),
            ])
        }
        let calls = s.calls.entries.map { c in
            StepValue.record(["at": seconds(c.at), "name": .string(c.name), "args": c.args, "error": .string(c.error)])
        }
        let notifications = s.notifications.map { n in
            StepValue.record(["at": seconds(n.at), "text": n.args["text"], "event": n.args["event"], "url": n.args["url"],
                              "fields": n.args["fields"]])
        }
        return .record([
            "weights": .table(weights), "targets": .table(targets), "alarms": .table(alarms), "services": .table(services),
            "calls": .list(calls), "calls_total": .int(s.calls.total), "notifications": .list(notifications),
        ])
    }
}
