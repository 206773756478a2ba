import FlowTestSupport
import Testing
@testable import FlowAWS

extension MotoTests {
    @Suite struct ECSTests {
        @Test func serviceTasksAndTaskDefinitions() async throws {
            let moto = try await MotoServer.shared()
            try await moto.freezeECSTasks()
            try await withClient(moto.client()) { client in
                let ecs = ECS(client: client), seed = AWSSeed(client)
                try await seed.cluster("prod")
                let v1 = try await seed.taskDefinition(family: "web", image: "web:1")
                let v2 = try await seed.taskDefinition(family: "web", image: "web:2")
                #expect(v2.revision == v1.revision + 1)
                try await seed.service("web", cluster: "prod", taskDefinition: v1.taskDefinitionArn, desiredCount: 2)

                let described = try await ecs.describeServices(cluster: "prod", services: ["web", "ghost"])
                #expect(described.services.map(\.serviceName) == ["web"])
                #expect(described.services.first?.desiredCount == 2)
                #expect(described.failures.first?.reason == "MISSING")

                let updated = try await ecs.updateService(cluster: "prod", service: "web", taskDefinition: v2.taskDefinitionArn)
                #expect(updated.taskDefinition == v2.taskDefinitionArn)
                let td = try await ecs.describeTaskDefinition("web:2")
                #expect(td.containerDefinitions.first?.image == "web:2" && td.family == "web")
            }
        }

        @Test func listAndDescribeTasks() async throws {
            let moto = try await MotoServer.shared()
            try await moto.freezeECSTasks()
            try await withClient(moto.client(region: "eu-west-3")) { client in
                let ecs = ECS(client: client), seed = AWSSeed(client)
                try await seed.cluster("prod")
                let td = try await seed.taskDefinition(family: "web", image: "web:1")
                let started = try await seed.runTask(cluster: "prod", taskDefinition: td.taskDefinitionArn, group: "service:web", count: 3)
                #expect(started.count == 3)
                let arns = try await ecs.listTasks(cluster: "prod", family: "web")
                #expect(Set(arns) == Set(started.map(\.taskArn)))
                // moto lists no `failures` for unknown tasks, so only found ones are asked about.
                let first = try await ecs.describeTasks(cluster: "prod", tasks: arns)
                #expect(first.tasks.count == 3)
                #expect(first.tasks.allSatisfy { $0.group == "service:web" && $0.taskDefinitionArn == td.taskDefinitionArn })
                // With transitions frozen a second look sees the same states (moto otherwise advances them per call).
                let second = try await ecs.describeTasks(cluster: "prod", tasks: arns)
                #expect(second.tasks.map(\.lastStatus) == first.tasks.map(\.lastStatus))
            }
        }

        @Test func missingClusterIsTypedError() async throws {
            let error = try await MotoTests.awsError { _ = try await ECS(client: $0).listTasks(cluster: "nope") }
            #expect(error?.code == "ClusterNotFoundException" && error?.httpStatus == 400)
        }
    }
}
