import Foundation
import Testing
@testable import FlowAWS

@Suite struct CredentialsProviderTests {
    @Test func environmentKeys() async throws {
        let provider = EnvironmentCredentialsProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "envtoken"])
        let credentials = try await provider.credentials()
        #expect(credentials.accessKeyID == "AKIDENV" && credentials.secretAccessKey == "envsecret")
        #expect(credentials.sessionToken == "envtoken" && credentials.source == "environment")
    }

    @Test func environmentWithoutKeysDoesNotApply() async {
        await #expect(throws: CredentialsProviderError(provider: "environment", kind: .notConfigured,
                                                       reason: "AWS_ACCESS_KEY_ID not set")) {
            try await EnvironmentCredentialsProvider(environment: [:]).credentials()
        }
    }

    @Test func profileFromCredentialsFileThenConfigFile() async throws {
        let home = try TemporaryHome(
            credentials: "[default]\naws_access_key_id = AKIDCRED\naws_secret_access_key = credsecret\n",
            config: """
                [default]
                aws_access_key_id = AKIDIGNORED
                aws_secret_access_key = ignored
                [profile cfg]
                aws_access_key_id = AKIDCFG
                aws_secret_access_key = cfgsecret
                aws_session_token = cfgtoken
                """)
        defer { home.remove() }
        let fromCredentials = try await ProfileCredentialsProvider(environment: home.environment).credentials()
        #expect(fromCredentials.accessKeyID == "AKIDCRED")
        #expect(fromCredentials.source == "profile default in ~/.aws/credentials")
        var environment = home.environment
        environment["AWS_PROFILE"] = "cfg"
        let fromConfig = try await ProfileCredentialsProvider(environment: environment).credentials()
        #expect(fromConfig.accessKeyID == "AKIDCFG" && fromConfig.sessionToken == "cfgtoken")
        #expect(fromConfig.source == "profile cfg in ~/.aws/config")
    }

    @Test func missingProfileSaysWhy() async throws {
        let home = try TemporaryHome()
        defer { home.remove() }
        await #expect(throws: CredentialsProviderError(provider: "profile default", kind: .notConfigured,
                                                       reason: "no ~/.aws/credentials or ~/.aws/config")) {
            try await ProfileCredentialsProvider(environment: home.environment).credentials()
        }
        try home.write("[other]\naws_access_key_id = A\naws_secret_access_key = s\n", to: ".aws/credentials")
        await #expect(throws: CredentialsProviderError(provider: "profile nope", kind: .notConfigured,
                                                       reason: "profile not found in ~/.aws/credentials")) {
            try await ProfileCredentialsProvider(environment: home.environment, profile: "nope").credentials()
        }
    }

    @Test func credentialProcessSuccess() async throws {
        let json = #"{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "procsecret", "SessionToken": "proctoken", "Expiration": "2099-01-01T00:00:00Z"}"#
        let home = try TemporaryHome(config: "[profile p]\ncredential_process = cat \"$HOME/out.json\"\n")
        defer { home.remove() }
        try home.write(json, to: "out.json")
        let credentials = try await ProfileCredentialsProvider(environment: home.environment, profile: "p").credentials()
        #expect(credentials.accessKeyID == "AKIDPROC" && credentials.sessionToken == "proctoken")
        #expect(credentials.source == "credential_process of profile p")
        let expiration = try #require(credentials.expiration)
        #expect(expiration > ContinuousClock.now.advanced(by: .seconds(86_400 * 365)))
    }

    @Test func credentialProcessNonZeroExitReportsStderr() async throws {
        let home = try TemporaryHome(
            credentials: "[default]\ncredential_process = sh -c 'echo partial-secret; echo \"token expired, run login\" >&2; exit 3'\n")
        defer { home.remove() }
        await #expect {
            try await ProfileCredentialsProvider(environment: home.environment).credentials()
        } throws: { error in
            let text = "\(error)"
            return text.contains("exited with status 3") && text.contains("token expired, run login")
                && !text.contains("partial-secret")
        }
    }

    @Test(arguments: [
        ("echo not json", "did not print a JSON object"),
        (#"echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "topsecret"}'"#, "Version 2"),
        (#"echo '{"Version": 1, "AccessKeyId": "A"}'"#, "no SecretAccessKey"),
        (#"echo '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "topsecret", "Expiration": "soon"}'"#, "not an ISO 8601"),
    ])
    func credentialProcessBadOutput(command: String, message: String) async throws {
        let home = try TemporaryHome(config: "[default]\ncredential_process = \(command)\n")
        defer { home.remove() }
        await #expect {
            try await ProfileCredentialsProvider(environment: home.environment).credentials()
        } throws: { error in
            "\(error)".contains(message) && !"\(error)".contains("topsecret")
        }
    }

    @Test func credentialProcessIsKilledAfterItsTimeout() async throws {
        let home = try TemporaryHome(config: "[default]\ncredential_process = sleep 30\n")
        defer { home.remove() }
        let started = ContinuousClock.now
        await #expect {
            try await ProfileCredentialsProvider(environment: home.environment, processTimeout: .milliseconds(300)).credentials()
        } throws: { error in
            "\(error)".contains("did not finish within")
        }
        // Killed at its timeout; the bound catches a process left to run, not a slow machine.
        #expect(started.duration(to: .now) < .seconds(20))
    }
}
