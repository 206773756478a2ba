@testable import FlowAWS

/// Creating things flow never creates: test-only operations, sent through the same client.
extension Route53 {
    func createHostedZone(name: String) async throws -> HostedZone {
        var w = XMLWriter()
        w.open("CreateHostedZoneRequest", xmlns: Self.xmlns)
        w.element("Name", name)
        w.element("CallerReference", "flow-test-\(name)")
        w.close("CreateHostedZoneRequest")
        let root = try await client.restXML(.route53, "CreateHostedZone", method: "POST", path: "/2013-04-01/hostedzone", body: w.output)
        let zone = root?.child("HostedZone")
        return HostedZone(id: Self.stripPrefix(zone?.text("Id") ?? ""), name: zone?.text("Name") ?? "")
    }
}

extension ECS {
    func createCluster(_ name: String) async throws {
        struct In: Encodable { var clusterName: String }
        _ = try await client.json(.ecs, "CreateCluster", In(clusterName: name), as: EmptyOutput.self)
    }

    func registerTaskDefinition(family: String, image: String) async throws -> TaskDefinition {
        struct In: Encodable { var family: String; var containerDefinitions: [ContainerDefinition] }
        struct Out: Decodable { var taskDefinition: TaskDefinition }
        return try await client.json(.ecs, "RegisterTaskDefinition",
                                     In(family: family, containerDefinitions: [.init(name: "app", image: image, memory: 256)]),
                                     as: Out.self).taskDefinition
    }

    func createService(cluster: String, name: String, taskDefinition: String, desiredCount: Int) async throws {
        struct In: Encodable { var cluster: String; var serviceName: String; var taskDefinition: String; var desiredCount: Int }
        _ = try await client.json(.ecs, "CreateService", In(cluster: cluster, serviceName: name, taskDefinition: taskDefinition,
                                                            desiredCount: desiredCount), as: EmptyOutput.self)
    }

    /// moto's services never start tasks (DESIGN.md): start them as the service would, in its group.
    func runTask(cluster: String, taskDefinition: String, group: String, count: Int) async throws -> [Task] {
        struct In: Encodable { var cluster: String; var taskDefinition: String; var group: String; var count: Int; var launchType = "FARGATE" }
        struct Out: Decodable { var tasks: [Task]? }
        return try await client.json(.ecs, "RunTask", In(cluster: cluster, taskDefinition: taskDefinition, group: group, count: count),
                                     as: Out.self).tasks ?? []
    }
}
