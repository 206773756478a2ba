import FlowLua

/// The simulated cloud's scenario: the world a `flow test` test case starts in, and what happens
/// to it over virtual time. A Lua table, read key by key: an unknown key or a wrong type is an
/// error naming its path (`cloud.records[1].weights.blue: expected an integer 0-255, got -1`).
///
///     cloud = {
///       region = "us-east-1",            -- optional (default us-east-1): only used in ARNs
///       change_seconds = 0,              -- virtual seconds a Route53 change stays PENDING
///
///       -- Route53 weighted records. zone: the hosted zone's name; its id is made up from the name
///       -- ("Z" + 13 letters and digits) unless zone_id gives one. Two records of one zone name with
///       -- different zone_ids are two zones (a public and a private one: route53 then fails
///       -- AmbiguousHostedZone). type: "A" (default) or "AAAA": alias sets to an ALB; "CNAME": one
///       -- value each, TTL 60.
///       records = {
///         { zone = "example.com", name = "app.example.com", weights = { blue = 100, green = 0 } },
///         { zone = "example.com", zone_id = "Z0123456789ABC", name = "api.example.com", type = "CNAME",
///           weights = { blue = 100, green = 0 } },
///       },
///
///       -- ELBv2 target groups by name (an ARN containing targetgroup/NAME/ finds the group too): one
///       -- state per target, or one state for all of them (2 targets in a new group; as many as the
///       -- group has in a change). States: healthy, unhealthy, initial, draining, unused, unavailable,
///       -- unhealthy.draining, each with AWS's usual reason (unhealthy: Target.FailedHealthChecks,
///       -- initial: Elb.RegistrationInProgress, ...). Targets are 10.G.0.10, 10.G.0.11, ... on port 80
///       -- (G numbers the groups in order of appearance). {} is a group with no targets registered.
///       target_groups = { ["app-green"] = { "healthy", "healthy" }, ["app-blue"] = "healthy" },
///
///       -- CloudWatch alarms: OK | ALARM | INSUFFICIENT_DATA, or { state = "ALARM", reason = "..." }
///       -- (the reason a failing gate quotes; default "set to ALARM by the scenario").
///       alarms = { ["green-5xx"] = "OK" },
///
///       -- ECS services. A service runs `running` tasks RUNNING and `pending` tasks PENDING (ARNs made
///       -- up from cluster, service, task definition and position; one container, named `container`,
///       -- default the task definition's family). desired defaults to running. rollout_state: default
///       -- COMPLETED when running == desired, else IN_PROGRESS; FAILED (with rollout_reason) makes
///       -- ecs.await_stable fail DeploymentFailed. stopped: tasks of the current task definition
///       -- stopped since its deployment began (stopped_reason), which keeps ecs.await_stable waiting,
///       -- as a crash loop does. status: ACTIVE (default) | DRAINING | INACTIVE (ServiceInactive).
///       -- A cluster exists when a service is in it. A new task_definition in a change is a new
///       -- deployment (stopped back to 0, rollout_state derived again).
///       services = {
///         { cluster = "prod", name = "app-green", running = 2, desired = 2, task_definition = "app:2" },
///       },
///
///       -- CloudWatch metrics, matched on namespace, metric and dimensions (and stat when given).
///       -- value: one datapoint per period of the window asked for; values: exactly these datapoints,
///       -- newest last, in the latest whole periods ({} = no data). A metric nobody describes has no
///       -- datapoints (so a metric gate is inconclusive, as for a metric that stopped reporting).
///       metrics = {
///         { namespace = "AWS/ApplicationELB", metric = "HTTPCode_Target_5XX_Count",
///           dimensions = { TargetGroup = "targetgroup/app-green/0123" }, value = 0 },
///         { namespace = "App", metric = "Errors", values = { 0, 0, 7 } },
///       },
///
///       -- HTTP endpoints by exact URL: status (200), latency_ms (10), body (""). A GET takes
///       -- latency_ms of virtual time; slower than the request's timeout is "no response within T s".
///       -- An unknown URL (or one set to false in a change) is "connection refused", after the
///       -- request's whole timeout, as health.http / health.http_get report it.
///       http = { ["http://green.internal/health"] = { status = 200, latency_ms = 12 } },
///
///       -- Timed changes, applied at `at` virtual seconds after the run's start: the sections above,
///       -- partial. What a change names changes, the rest stays: a record's sets named get their
///       -- weights, a service's fields given are set, a metric (same namespace, metric, dimensions,
///       -- stat) is replaced, an http URL set to false stops answering. Changes are checked when the
///       -- run starts, each applied to the state it will meet.
///       changes = {
///         { at = 720, target_groups = { ["app-green"] = "unhealthy" }, alarms = { ["green-5xx"] = "ALARM" } },
///       },
///     }
///
/// Time: Route53 changes are PENDING for change_seconds of the run's clock (set_weights waits
/// for INSYNC as the real one does, polling 0.5 s, x1.5 up to 5 s); ecs.await_task and
/// ecs.await_stable look every `every` seconds until a change makes them true or their
/// `timeout` passes; health.http sleeps `interval` between samples. All of it on the
/// StepContext's clock, never real time. The same text is in docs/TESTING.md ("The simulated cloud scenario").
struct CloudScenario: Sendable {
    var state: CloudState
    var changes: [(at: Double, change: LuaValue)]

    static let defaultRegion = "us-east-1"

    init(_ scenario: LuaValue) throws {
        let root = ScenarioReader(scenario, path: ["cloud"])
        let fields = try root.fields(["region", "changes"] + CloudPatch.sections)
        state = CloudState(region: try fields["region"]?.string() ?? Self.defaultRegion)
        try state.apply(try CloudPatch(fields))

        var timed: [(at: Double, patch: CloudPatch, change: LuaValue)] = []
        for entry in try fields["changes"]?.list() ?? [] {
            let f = try entry.fields(["at"] + CloudPatch.sections)
            guard let at = f["at"] else { throw SimulatedCloudError(path: entry.path + ["at"], problem: "is required (seconds after the start)") }
            guard case .table(var table) = entry.value else { continue }
            table["at"] = nil
            timed.append((try at.number("a number of seconds >= 0", atLeast: 0), try CloudPatch(f), .table(table)))
        }
        // In time order (a stable sort), each applied to a copy now: a change that cannot apply
        // (a new service without its task definition) fails here, with its path.
        timed = timed.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        var trial = state
        for t in timed { try trial.apply(t.patch) }
        changes = timed.map { ($0.at, $0.change) }
    }

    /// A change as `SimulatedCloud.apply` takes it: the sections, `at` ignored.
    static func patch(_ change: LuaValue) throws -> CloudPatch {
        try CloudPatch(ScenarioReader(change, path: ["change"]).fields(["at"] + CloudPatch.sections))
    }
}
