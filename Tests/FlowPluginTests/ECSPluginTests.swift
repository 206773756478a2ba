import FlowAWS
import FlowEngine
import FlowLua
import FlowPluginSupport
import FlowTestSupport
import Foundation
import Testing
@testable import FlowECS

/// Seeding cluster "prod" in moto with this suite's names (family and service `web`) over `AWSSeed`; answers ARNs.
private struct ProdCluster {
    let seed: AWSSeed

    /// A new revision of family `web`, whose one container is `app`: its ARN.
    func taskDefinition(image: String = "web:1") async throws -> String {
        try await seed.taskDefinition(family: "web", image: image).taskDefinitionArn
    }

    func service(taskDefinition: String, desired: Int) async throws {
        try await seed.service("web", cluster: "prod", taskDefinition: taskDefinition, desiredCount: desired)
    }

    func run(_ taskDefinition: String, group: String = "service:web", count: Int = 1) async throws -> [String] {
        try await seed.runTask(cluster: "prod", taskDefinition: taskDefinition, group: group, count: count).map(\.taskArn)
    }

    /// Service web with a finished deployment of `desired` tasks, and `tasks` tasks started in its
    /// group. moto marks a deployment COMPLETED only when created at full strength (desired 0), and
    /// UpdateService's desiredCount sets runningCount to match. The task definition's and tasks' ARNs.
    func settledService(desired: Int, tasks: Int) async throws -> (taskDefinition: String, tasks: [String]) {
        let td = try await taskDefinition()
        try await service(taskDefinition: td, desired: 0)
        try await ECS(client: seed.client).updateService(cluster: "prod", service: "web", desiredCount: desired)
        return (td, try await run(td, count: tasks))
    }
}

/// `ecs.describe_service`, `ecs.await_task` and `ecs.await_stable`: the pure parts, then against
/// moto (its own server, "plugins-ecs"), then against literal answers where moto cannot say it.
@Suite(.serialized) struct ECSPluginTests {
    static func task(_ id: String, group: String? = "service:web", td: String = "arn:aws:ecs:us-east-1:1:task-definition/web:3",
                     last: String = "RUNNING", desired: String = "RUNNING", container: String = "app", startedAt: Double? = nil,
                     stoppedAt: Double? = nil) -> TaskRecord {
        TaskRecord(taskArn: "arn:aws:ecs:us-east-1:1:task/prod/\(id)", taskDefinitionArn: td, lastStatus: last, desiredStatus: desired,
                   group: group, containers: [ContainerRecord(name: container, lastStatus: last)], startedAt: EpochSeconds(startedAt),
                   stoppedAt: EpochSeconds(stoppedAt))
    }

    static func service(running: Int = 2, desired: Int = 2, rollout: String? = "COMPLETED", deployments: Int = 1,
                        status: String = "ACTIVE", createdAt: Double? = 1000) -> ServiceRecord {
        var ds = [DeploymentRecord(id: "ecs-svc/1", status: "PRIMARY", taskDefinition: "arn:aws:ecs:us-east-1:1:task-definition/web:3",
                                   desiredCount: desired, runningCount: running, pendingCount: 0, failedTasks: 0, rolloutState: rollout,
                                   rolloutStateReason: rollout == "FAILED" ? "circuit breaker tripped" : nil,
                                   createdAt: EpochSeconds(createdAt))]
        for i in 1..<max(deployments, 1) {
            ds.append(DeploymentRecord(id: "ecs-svc/old\(i)", status: "ACTIVE", taskDefinition: "web:2", desiredCount: 0, runningCount: 1))
        }
        return ServiceRecord(serviceName: "web", status: status, taskDefinition: "web:3", desiredCount: desired, runningCount: running,
                             pendingCount: 0, deployments: ds)
    }

    // MARK: which task is awaited

    @Test func serviceTasksAreTheirGroupOnly() {
        let match = TaskMatch(selector: .service("web"), taskDefinition: nil, status: "RUNNING")
        #expect(match.isReady(Self.task("a")))
        // moto's ListTasks ignores serviceName: another service's task must not trigger.
        #expect(!match.isReady(Self.task("b", group: "service:api")))
        #expect(!match.isReady(Self.task("c", group: nil)))
        #expect(!match.isReady(Self.task("d", last: "PENDING")))
        #expect(!match.isReady(Self.task("e", desired: "STOPPED")))
        let byArn = TaskMatch(selector: .service("arn:aws:ecs:us-east-1:1:service/prod/web"), taskDefinition: nil, status: "RUNNING")
        #expect(byArn.isReady(Self.task("a")))
    }

    @Test func containerTasksAndTaskDefinitions() {
        let match = TaskMatch(selector: .container("app"), taskDefinition: "web:3", status: "PENDING")
        #expect(match.isReady(Self.task("a", group: nil, last: "PENDING")))
        #expect(!match.isReady(Self.task("b", last: "PENDING", container: "sidecar")))
        #expect(!match.isReady(Self.task("c", td: "arn:aws:ecs:us-east-1:1:task-definition/web:2", last: "PENDING")))
        let arn = "arn:aws:ecs:us-east-1:1:task-definition/web:3"
        #expect(TaskMatch.taskDefinition(arn, matches: arn))
        #expect(TaskMatch.taskDefinition(arn, matches: "web:3") && !TaskMatch.taskDefinition(arn, matches: "web:30"))
        #expect(TaskMatch.taskDefinition(arn, matches: "web") && !TaskMatch.taskDefinition(arn, matches: "we"))
        #expect(!TaskMatch.taskDefinition(nil, matches: "web"))
    }

    @Test func theNewestReadyTaskIsPicked() {
        let match = TaskMatch(selector: .service("web"), taskDefinition: nil, status: "RUNNING")
        let picked = match.pick([Self.task("old", startedAt: 100), Self.task("new", startedAt: 200), Self.task("pending", last: "PENDING", startedAt: 300)])
        #expect(picked?.shortID == "new")
        #expect(match.pick([Self.task("x", group: "service:api")]) == nil)
        #expect(match.describe([Self.task("p", last: "PENDING")]) == "1 task: p PENDING/RUNNING (web:3)")
        #expect(match.describe([Self.task("x", group: "service:api")]) == "no tasks of service web")
    }

    // MARK: when a service is stable

    @Test func stabilityFromTheServiceAlone() {
        #expect(Stability.judge(Self.service()) == .stable)
        #expect(Stability.judge(Self.service(running: 1)) == .waiting("running 1 of 2, primary deployment (web:3) COMPLETED, 1 deployment"))
        #expect(Stability.judge(Self.service(rollout: "IN_PROGRESS", deployments: 2))
                == .waiting("running 2 of 2, primary deployment (web:3) IN_PROGRESS, 2 deployments"))
        #expect(Stability.judge(Self.service(rollout: "FAILED"))
                == .failed(name: "DeploymentFailed", message: "deployment ecs-svc/1 of web:3 FAILED: circuit breaker tripped"))
        #expect(Stability.judge(Self.service(status: "INACTIVE")) == .failed(name: "ServiceInactive", message: "service web is INACTIVE"))
        // Without a rollout state, one deployment at full strength is a finished rollout; two are not.
        #expect(Stability.judge(Self.service(rollout: nil)) == .stable)
        #expect(Stability.judge(Self.service(rollout: nil, deployments: 2)) != .stable)
        var none = Self.service()
        none.deployments = []
        #expect(Stability.judge(none) == .waiting("running 2 of 2, no PRIMARY deployment"))
    }

    @Test func onlyTasksStoppedSinceTheDeploymentCount() {
        let s = Self.service(createdAt: 1000)
        let stopped = Stability.stoppedSinceDeployment([
            Self.task("crashed", last: "STOPPED", desired: "STOPPED", stoppedAt: 1500),
            Self.task("before", last: "STOPPED", desired: "STOPPED", stoppedAt: 900),
            Self.task("other-td", td: "arn:aws:ecs:us-east-1:1:task-definition/web:2", last: "STOPPED", desired: "STOPPED", stoppedAt: 1500),
            Self.task("other-service", group: "service:api", last: "STOPPED", desired: "STOPPED", stoppedAt: 1500),
            Self.task("unknown-time", last: "STOPPED", desired: "STOPPED"),
        ], service: s)
        #expect(stopped.map(\.shortID) == ["crashed", "unknown-time"])
        var why = Self.task("c", last: "STOPPED", desired: "STOPPED")
        why.stoppedReason = "Essential container in task exited"
        why.stopCode = "EssentialContainerExited"
        #expect(Stability.describeStopped([why])
                == "1 task of web:3 stopped since the deployment began: c (EssentialContainerExited: Essential container in task exited)")
    }

    // MARK: arguments

    @Test func argumentsAreCheckedBeforeAnythingRuns() async throws {
        try await HealthTest.with(endpoint: "http://127.0.0.1:9") { aws in
            let ecs = ECSPlugin(aws: aws)
            let both = PluginTest.argumentError(ecs, "await_task", ["cluster": "prod", "service": "web", "container": "app"])
            #expect(both?.problem == "give service or container, not both")
            #expect(PluginTest.argumentError(ecs, "await_task", ["cluster": "prod"])?.problem == "service or container is required")
            #expect(PluginTest.argumentError(ecs, "await_task", ["cluster": "prod", "service": "web", "status": "STOPPED"])?.path == ["status"])
            #expect(PluginTest.argumentError(ecs, "await_task", ["cluster": "prod", "service": "web", "timeout": 0])?.path == ["timeout"])
            #expect(PluginTest.argumentError(ecs, "await_task", ["cluster": "prod", "service": "web", "every": -1])?.path == ["every"])
            #expect(PluginTest.argumentError(ecs, "await_task", ["cluster": "prod", "service": "web", "servce": "x"]) != nil)
            #expect(PluginTest.argumentError(ecs, "await_stable", ["cluster": "prod", "service": ""])?.path == ["service"])
            #expect(PluginTest.argumentError(ecs, "describe_service", ["cluster": "prod"])?.path == ["service"])
            #expect(PluginTest.argumentError(ecs, "await_task", ["cluster": "prod", "container": "app", "status": "PENDING"]) == nil)
            let describe = try PluginTest.function(ecs, "describe_service")
            #expect(describe.readOnly && describe.idempotent && !describe.isGate)
        }
    }

    // MARK: against moto

    /// Runs `body` against moto (its own server, tasks frozen) with cluster "prod" made.
    private static func withProd(_ body: (AWSStepEnvironment, ProdCluster) async throws -> Void) async throws {
        let moto = try await MotoServer.shared("plugins-ecs")
        try await moto.freezeECSTasks()
        try await HealthTest.with(endpoint: moto.endpoint) { aws in
            let prod = ProdCluster(seed: AWSSeed(try PluginTest.client(aws)))
            try await prod.seed.cluster("prod")
            try await body(aws, prod)
        }
    }

    /// What `ecs.await_stable` on service web in cluster prod failed with, polling every 0.1 s for `timeout` s.
    static func awaitStableFailure(_ aws: AWSStepEnvironment, timeout: StepValue) async -> StepFailure? {
        await PluginTest.failure {
            _ = try await PluginTest.call(ECSPlugin(aws: aws), "await_stable",
                                          ["cluster": "prod", "service": "web", "timeout": timeout, "every": 0.1])
        }
    }

    @Test func describeServiceShape() async throws {
        try await Self.withProd { aws, prod in
            let td = try await prod.taskDefinition()
            try await prod.service(taskDefinition: td, desired: 2)
            let s = try await PluginTest.call(ECSPlugin(aws: aws), "describe_service", ["cluster": "prod", "service": "web"])
            #expect(s["status"] == "ACTIVE" && s["desired"] == 2 && s["running"] == 0 && s["pending"] == 2)
            #expect(s["task_definition"] == .string(td))
            guard case .array(let deployments) = s["deployments"], let primary = deployments.first else {
                Issue.record("no deployments in \(s)"); return
            }
            #expect(primary["status"] == "PRIMARY" && primary["rollout_state"] == "IN_PROGRESS" && primary["task_definition"] == .string(td))
            #expect(primary["desired"] == 2 && primary["failed"] == 0)
            #expect(primary["id"].stringValue?.hasPrefix("ecs-svc/") == true)
        }
    }

    @Test func unknownServiceAndClusterAreNotRetried() async throws {
        try await Self.withProd { aws, _ in
            let ecs = ECSPlugin(aws: aws)
            let missing = await PluginTest.failure { _ = try await PluginTest.call(ecs, "describe_service", ["cluster": "prod", "service": "ghost"]) }
            #expect(missing?.name == "ServiceNotFound" && missing?.retryable == false)
            #expect(missing?.message == "no service ghost in cluster prod (MISSING)")
            let cluster = await PluginTest.failure { _ = try await PluginTest.call(ecs, "describe_service", ["cluster": "nope", "service": "web"]) }
            #expect(cluster?.name == "ClusterNotFoundException" && cluster?.retryable == false)
        }
    }

    @Test func awaitTaskFindsTheServicesTaskNotAnothers() async throws {
        try await Self.withProd { aws, prod in
            let td = try await prod.taskDefinition()
            _ = try await prod.run(td, group: "service:api", count: 2)
            let mine = try await prod.run(td)
            let ecs = ECSPlugin(aws: aws)
            let task = try await PluginTest.call(ecs, "await_task", ["cluster": "prod", "service": "web", "timeout": 5, "every": 0.05])
            #expect(task["task_arn"] == .string(mine[0]))
            #expect(task["group"] == "service:web" && task["last_status"] == "RUNNING" && task["desired_status"] == "RUNNING")
            #expect(task["task_definition"] == .string(td))
            guard case .array(let containers) = task["containers"] else { Issue.record("no containers in \(task)"); return }
            #expect(containers.first?["name"] == "app")
            // By container, and pinned to a task definition by family:revision.
            let byContainer = try await PluginTest.call(ecs, "await_task", ["cluster": "prod", "container": "app", "task_definition": "web:1",
                                                                             "timeout": 5, "every": 0.05])
            #expect(byContainer["task_definition"] == .string(td))
        }
    }

    @Test func awaitTaskTimesOutSayingWhatItSaw() async throws {
        try await Self.withProd { aws, prod in
            let v1 = try await prod.taskDefinition()
            _ = try await prod.taskDefinition(image: "web:2")
            _ = try await prod.run(v1)
            let started = ContinuousClock.now
            let failure = await PluginTest.failure {
                _ = try await PluginTest.call(ECSPlugin(aws: aws), "await_task",
                                              ["cluster": "prod", "service": "web", "task_definition": "web:2", "timeout": 0.5, "every": 0.1])
            }
            #expect(ContinuousClock.now - started < .seconds(15))
            #expect(failure?.name == "Timeout" && failure?.retryable == false)
            #expect(failure?.message.hasPrefix("no task of service web (web:2) in cluster prod reached RUNNING within 0.5 s; last seen: no tasks of") == true)
            let anyRevision = await PluginTest.failure {
                _ = try await PluginTest.call(ECSPlugin(aws: aws), "await_task",
                                              ["cluster": "prod", "service": "web", "status": "PENDING", "timeout": 0.3, "every": 0.1])
            }
            #expect(anyRevision?.message.contains("last seen: 1 task: ") == true)
            #expect(anyRevision?.message.contains(" RUNNING/RUNNING (web:1)") == true)
        }
    }

    @Test func awaitTaskStopsAtOnceWhenCancelled() async throws {
        try await Self.withProd { aws, _ in
            let fn = try PluginTest.function(ECSPlugin(aws: aws), "await_task")
            let waiting = Task {
                try await fn.call(["cluster": "prod", "service": "web", "timeout": 600, "every": 30], context: PluginTest.context())
            }
            try await PluginTest.expectPromptCancellation(waiting, after: .milliseconds(300))
        }
    }

    @Test func awaitStableOnASettledService() async throws {
        try await Self.withProd { aws, prod in
            _ = try await prod.settledService(desired: 2, tasks: 2)
            let s = try await PluginTest.call(ECSPlugin(aws: aws), "await_stable", ["cluster": "prod", "service": "web", "timeout": 5, "every": 0.05])
            #expect(s["running"] == 2 && s["desired"] == 2 && s["status"] == "ACTIVE")
            guard case .array(let deployments) = s["deployments"] else { Issue.record("no deployments in \(s)"); return }
            #expect(deployments.first?["rollout_state"] == "COMPLETED")
        }
    }

    @Test func awaitStableWaitsOutARolloutInProgress() async throws {
        try await Self.withProd { aws, prod in
            try await prod.service(taskDefinition: try await prod.taskDefinition(), desired: 2)
            let failure = await Self.awaitStableFailure(aws, timeout: 0.3)
            #expect(failure?.name == "Timeout" && failure?.retryable == false)
            #expect(failure?.message == "service web in cluster prod was not stable within 0.3 s; last seen: running 0 of 2, "
                    + "primary deployment (web:1) IN_PROGRESS, 1 deployment")
            let ghost = await PluginTest.failure {
                _ = try await PluginTest.call(ECSPlugin(aws: aws), "await_stable", ["cluster": "prod", "service": "ghost", "timeout": 5])
            }
            #expect(ghost?.name == "ServiceNotFound")
        }
    }

    @Test func aStoppedTaskOfTheNewRevisionIsNotStable() async throws {
        try await Self.withProd { aws, prod in
            let tasks = try await prod.settledService(desired: 1, tasks: 2).tasks
            try await prod.seed.stopTask(cluster: "prod", task: tasks[0], reason: "Essential container in task exited")
            let failure = await Self.awaitStableFailure(aws, timeout: 0.3)
            #expect(failure?.name == "Timeout")
            let id = tasks[0].split(separator: "/").last.map(String.init) ?? ""
            #expect(failure?.message.hasSuffix("last seen: 1 task of web:1 stopped since the deployment began: \(id) (Essential container in task exited)") == true,
                    "\(failure?.message ?? "")")
        }
    }

    // MARK: through the strict fixture (tasks that change state while a step waits)

    @Test func awaitTaskWaitsForTheGreenTaskToComeUp() async throws {
        let fixture = try await FixtureServer.shared("ECSPluginTests")
        let seed = try await fixture.seed()
        for task in seed.green.taskArns { try await fixture.setTaskStatus(task: task, lastStatus: "PENDING") }
        let late = seed.green.taskArns[1]
        try await fixture.setTaskStatus(task: late, lastStatus: "RUNNING", afterSeconds: 0.6)
        try await HealthTest.with(endpoint: fixture.endpoint) { aws in
            let started = ContinuousClock.now
            let task = try await PluginTest.call(ECSPlugin(aws: aws), "await_task", [
                "cluster": .string(seed.cluster), "service": .string(seed.green.service),
                "task_definition": .string(seed.green.taskDefinition), "timeout": 30, "every": 0.1,
            ])
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(500) && waited < .seconds(20), "\(waited)")
            #expect(task["task_arn"] == .string(late) && task["last_status"] == "RUNNING")
            #expect(task["group"] == .string("service:\(seed.green.service)"))
        }
    }

    // MARK: literal answers (what moto never says)

    /// An ECS endpoint answering DescribeServices / ListTasks / DescribeTasks with fixed JSON.
    static func literalECS(services: String, tasks: String = #"{"tasks": []}"#, taskArns: [String] = []) throws -> LocalHTTPServer {
        try LocalHTTPServer { request in
            switch request.headers["x-amz-target"] ?? "" {
            case "AmazonEC2ContainerServiceV20141113.DescribeServices": return .ok(services)
            case "AmazonEC2ContainerServiceV20141113.ListTasks":
                return .ok(#"{"taskArns": [\#(taskArns.map { "\"\($0)\"" }.joined(separator: ","))]}"#)
            case "AmazonEC2ContainerServiceV20141113.DescribeTasks": return .ok(tasks)
            default: return LocalHTTPServer.Response(status: 400, body: #"{"__type": "InvalidAction", "message": "no"}"#)
            }
        }
    }

    @Test func aFailedRolloutEndsTheWaitAtOnce() async throws {
        let server = try Self.literalECS(services: #"""
            {"services": [{"serviceName": "web", "status": "ACTIVE", "desiredCount": 2, "runningCount": 1, "pendingCount": 0,
              "taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/web:3",
              "deployments": [{"id": "ecs-svc/9", "status": "PRIMARY", "taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/web:3",
                "desiredCount": 2, "runningCount": 1, "pendingCount": 0, "failedTasks": 3, "rolloutState": "FAILED",
                "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start.", "createdAt": 1700000000.5}]}],
             "failures": []}
            """#)
        defer { server.stop() }
        try await HealthTest.with(endpoint: server.baseURL) { aws in
            let started = ContinuousClock.now
            let failure = await Self.awaitStableFailure(aws, timeout: 30)
            #expect(ContinuousClock.now - started < .seconds(15))
            #expect(failure?.name == "DeploymentFailed" && failure?.retryable == false)
            #expect(failure?.message == "deployment ecs-svc/9 of web:3 FAILED: ECS deployment circuit breaker: tasks failed to start.")
            let s = try await PluginTest.call(ECSPlugin(aws: aws), "describe_service", ["cluster": "prod", "service": "web"])
            guard case .array(let deployments) = s["deployments"] else { Issue.record("no deployments"); return }
            #expect(deployments.first?["failed"] == 3 && deployments.first?["rollout_state"] == "FAILED")
        }
    }

    @Test func awaitTaskReportsWhenTheTaskStarted() async throws {
        let arn = "arn:aws:ecs:us-east-1:1:task/prod/abc"
        let server = try Self.literalECS(services: #"{"services": []}"#, tasks: #"""
            {"tasks": [{"taskArn": "\#(arn)", "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/web:3",
              "lastStatus": "RUNNING", "desiredStatus": "RUNNING", "group": "service:web", "startedAt": 1700000123.25,
              "containers": [{"name": "app", "lastStatus": "RUNNING"}]}], "failures": []}
            """#, taskArns: [arn])
        defer { server.stop() }
        try await HealthTest.with(endpoint: server.baseURL) { aws in
            let task = try await PluginTest.call(ECSPlugin(aws: aws), "await_task", ["cluster": "prod", "service": "web", "timeout": 5])
            #expect(task["task_arn"] == .string(arn) && task["started_at"] == 1700000123.25)
            #expect(task["containers"] == [["name": "app", "last_status": "RUNNING"]])
            // The service filter went to AWS too, not only to the client-side group check.
            #expect(server.requests.contains { $0.body.contains(#""serviceName":"web""#) && $0.body.contains(#""desiredStatus":"RUNNING""#) })
        }
    }
}
