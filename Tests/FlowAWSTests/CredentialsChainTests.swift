import AsyncHTTPClient
import Foundation
import Testing
@testable import FlowAWS

@Suite struct CredentialsChainTests {
    static func keys(_ id: String, expiration: ContinuousClock.Instant? = nil) -> AWSCredentials {
        AWSCredentials(accessKeyID: id, secretAccessKey: "secret-\(id)", sessionToken: "token-\(id)",
                       expiration: expiration, source: "test")
    }

    @Test func firstProviderThatYieldsWins() async throws {
        let skipped = ScriptedProvider { _ in
            throw CredentialsProviderError(provider: "first", kind: .notConfigured, reason: "not here")
        }
        let winner = ScriptedProvider { _ in Self.keys("WIN") }
        let never = ScriptedProvider { _ in Self.keys("LATER") }
        let chain = CredentialsChain(providers: [skipped, winner, never])
        #expect(try await chain.credentials().accessKeyID == "WIN")
        #expect(try await chain.credentials().accessKeyID == "WIN")
        #expect(skipped.calls == 1 && winner.calls == 1 && never.calls == 0)
    }

    @Test func environmentBeatsProfileInTheDefaultChain() async throws {
        let home = try TemporaryHome(credentials: "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = p\n")
        defer { home.remove() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var environment = home.environment
        environment["AWS_ACCESS_KEY_ID"] = "AKIDENV"
        environment["AWS_SECRET_ACCESS_KEY"] = "e"
        let fromEnvironment = try await CredentialsChain.defaultChain(environment: environment, httpClient: client).credentials()
        let fromProfile = try await CredentialsChain.defaultChain(environment: home.environment, httpClient: client).credentials()
        // An explicit --profile skips the environment, as the AWS CLI does.
        let explicit = try await CredentialsChain.defaultChain(environment: environment, httpClient: client,
                                                               profile: "default").credentials()
        try await client.shutdown()
        #expect(fromEnvironment.accessKeyID == "AKIDENV")
        #expect(fromProfile.accessKeyID == "AKIDPROFILE")
        #expect(explicit.accessKeyID == "AKIDPROFILE")
    }

    @Test func oneErrorNamesEveryProviderAndNoSecret() async throws {
        let home = try TemporaryHome()
        defer { home.remove() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var environment = home.environment
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["AWS_SECRET_ACCESS_KEY"] = "lonelysecret"
        environment["AWS_SESSION_TOKEN"] = "lonelytoken"
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "containertoken"
        let chain = CredentialsChain.defaultChain(environment: environment, httpClient: client)
        var caught: Error?
        do { _ = try await chain.credentials() } catch { caught = error }
        try await client.shutdown()
        let error = try #require(caught as? NoCredentialsError)
        #expect("\(error)" == "no AWS credentials found; tried: environment (AWS_ACCESS_KEY_ID not set), "
            + "profile default (no ~/.aws/credentials or ~/.aws/config), container (AWS_CONTAINER_CREDENTIALS_* not set), "
            + "instance metadata (disabled by AWS_EC2_METADATA_DISABLED)")
        for secret in ["lonelysecret", "lonelytoken", "containertoken"] { #expect(!"\(error)".contains(secret)) }
    }

    @Test func failuresAreListedAndDoNotLeakSecrets() async throws {
        let home = try TemporaryHome(config: "[default]\ncredential_process = sh -c 'echo boom >&2; exit 1'\n")
        defer { home.remove() }
        let environment = home.environment.merging(["AWS_ACCESS_KEY_ID": "AKIDHALF", "AWS_EC2_METADATA_DISABLED": "true"]) { $1 }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var caught: Error?
        do { _ = try await CredentialsChain.defaultChain(environment: environment, httpClient: client).credentials() } catch { caught = error }
        try await client.shutdown()
        let text = "\(try #require(caught as? NoCredentialsError))"
        #expect(text.contains("environment (AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not)"))
        #expect(text.contains("profile default (credential_process exited with status 1: boom"))
        #expect(text.contains("container (") && text.contains("instance metadata ("))
    }

    @Test func temporaryCredentialsRefreshFiveMinutesBeforeExpiry() async throws {
        let clock = ManualClock()
        let start = clock.now
        let provider = ScriptedProvider { n in Self.keys("GEN\(n)", expiration: start.advanced(by: .seconds(3600))) }
        let chain = CredentialsChain(providers: [provider], now: { clock.now })
        #expect(try await chain.credentials().accessKeyID == "GEN1")
        clock.advance(by: .seconds(3600 - 301))
        #expect(try await chain.credentials().accessKeyID == "GEN1")
        clock.advance(by: .seconds(2))
        #expect(try await chain.credentials().accessKeyID == "GEN2")
        #expect(provider.calls == 2)
    }

    @Test func longTermCredentialsAreNeverRefreshed() async throws {
        let provider = ScriptedProvider { n in Self.keys("STATIC\(n)") }
        let chain = CredentialsChain(providers: [provider])
        for _ in 0..<5 { #expect(try await chain.credentials().accessKeyID == "STATIC1") }
        #expect(provider.calls == 1)
    }

    @Test func concurrentCallersShareOneRefresh() async throws {
        let provider = ScriptedProvider(delay: .milliseconds(100)) { n in
            Self.keys("SHARED\(n)", expiration: .now.advanced(by: .seconds(3600)))
        }
        let chain = CredentialsChain(providers: [provider])
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await chain.credentials().accessKeyID } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids == ["SHARED1"] && provider.calls == 1)
    }

    @Test func failedEarlyRefreshKeepsStillValidCredentials() async throws {
        let clock = ManualClock()
        let start = clock.now
        let provider = ScriptedProvider { n in
            if n > 1 { throw CredentialsProviderError(provider: "p", kind: .failed, reason: "down") }
            return Self.keys("OLD", expiration: start.advanced(by: .seconds(600)))
        }
        let chain = CredentialsChain(providers: [provider], now: { clock.now })
        _ = try await chain.credentials()
        clock.advance(by: .seconds(400))
        #expect(try await chain.credentials().accessKeyID == "OLD")
        clock.advance(by: .seconds(300))
        await #expect(throws: CredentialsProviderError.self) { try await chain.credentials() }
    }
}
