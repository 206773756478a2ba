import FlowTestSupport
import Foundation
import Testing

/// `--profile` and `--region` reach the AWS steps as the AWS CLI would use them, and are
/// journaled so a resume acts on the same account and region.
@Suite(.serialized) struct AWSSettingsTests {
    static let workflow = """
        local P = flow.params{ cluster = "flow-demo" }
        local ecs = require "flow.ecs"
        flow.sleep(0)
        return ecs.describe_service{ cluster = P.cluster, service = "green" }.desired
        """

    /// A config file whose `staging` profile has eu-west-1 and a credential_process that leaves a
    /// mark each time it runs; the default profile points elsewhere.
    func profiles(_ w: RolloutWorld) throws -> [String: String] {
        let mark = w.sandbox.path("process-ran")
        try w.sandbox.write("aws-config", """
            [default]
            region = ap-southeast-2

            [profile staging]
            region = eu-west-1
            credential_process = /bin/sh -c 'echo ran >> \(mark); echo "{\\"Version\\": 1, \\"AccessKeyId\\": \\"AKIDSTAGING\\", \\"SecretAccessKey\\": \\"staging-secret\\"}"'
            """)
        var env = w.env
        env["AWS_CONFIG_FILE"] = w.sandbox.path("aws-config")
        env["AWS_REGION"] = nil
        return env
    }

    @Test func aProfileGivesTheRegionAndTheCredentialsAndAResumeKeepsIt() async throws {
        try await RolloutWorld.with(fixture: "rollouts-settings", region: "eu-west-1") { w in
            let env = try profiles(w)
            try w.sandbox.write("w.lua", Self.workflow)
            // The environment's keys lose to an explicit profile, as in the AWS CLI.
            let r = try await w.sandbox.flow(["run", "w.lua", "--id", "p", "--profile", "staging"], env: env)
            #expect(r.code == 0, "\(r)")
            #expect(r.stdout.contains("2"), "green's desired count from eu-west-1: \(r)")
            #expect(!w.sandbox.lines("process-ran").isEmpty, "the profile's credential_process supplied the keys")
            let regions = Set(try await w.fixture.requests(service: "ecs").map(\.region))
            #expect(regions == ["eu-west-1"])

            // Journaled: resuming with another profile is refused, naming the one it started with.
            try w.sandbox.write("w2.lua", "flow.sleep(30)\n" + Self.workflow)
            let run = try w.sandbox.start(["run", "w2.lua", "--id", "q", "--profile", "staging"], env: env)
            try await w.sandbox.waitForStatus("q", ["waiting"], kind: "sleep")
            run.send(SIGKILL)
            _ = await run.wait()
            let other = try await w.sandbox.flow(["resume", "q", "--profile", "default"], env: env)
            #expect(other.code == 2, "\(other)")
            #expect(other.stderr.contains("was started with --profile staging"))
        }
    }

    @Test func withoutAnyRegionTheStepSaysWhereToSetOne() async throws {
        try await RolloutWorld.with(fixture: "rollouts-settings") { w in
            var env = w.env
            env["AWS_REGION"] = nil
            try w.sandbox.write("w.lua", Self.workflow)
            let r = try await w.sandbox.flow(["run", "w.lua", "--id", "n"], env: env)
            #expect(r.code == 1, "\(r)")
            #expect(r.stderr.contains("MissingRegion"))
            #expect(r.stderr.contains("--region"))
        }
    }
}
