import FlowTestSupport
import AsyncHTTPClient
import Foundation
import Testing
@testable import FlowAWS

/// Container and IMDS providers against a real HTTP server on 127.0.0.1.
@Suite struct CredentialsHTTPProviderTests {
    static let roleJSON = #"{"Code": "Success", "AccessKeyId": "AKIDHTTP", "SecretAccessKey": "httpsecret", "Token": "httptoken", "Expiration": "2099-01-01T00:00:00Z"}"#

    /// Runs `body` with a server and a client, and always stops both.
    func withServer(_ route: @escaping LocalHTTPServer.Route,
                    _ body: (LocalHTTPServer, HTTPClient) async throws -> Void) async throws {
        let server = try LocalHTTPServer(route: route)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body(server, client)
        } catch {
            try? await client.shutdown()
            server.stop()
            throw error
        }
        try await client.shutdown()
        server.stop()
    }

    @Test func containerRelativeURI() async throws {
        try await withServer({ $0.path == "/v2/credentials/abc" ? .ok(Self.roleJSON) : .notFound }) { server, client in
            let provider = ContainerCredentialsProvider(
                environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"],
                httpClient: client, relativeURIHost: server.baseURL)
            let credentials = try await provider.credentials()
            #expect(credentials.accessKeyID == "AKIDHTTP" && credentials.sessionToken == "httptoken")
            #expect(server.requests.map(\.method) == ["GET"])
            #expect(server.requests.first?.headers["authorization"] == nil)
        }
    }

    @Test func containerFullURIWithAuthorization() async throws {
        try await withServer({ _ in .ok(Self.roleJSON) }) { server, client in
            let tokenFile = NSTemporaryDirectory() + "flow-token-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: tokenFile) }
            var environment = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds",
                               "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer from-variable"]
            _ = try await ContainerCredentialsProvider(environment: environment, httpClient: client).credentials()
            #expect(server.requests.last?.headers["authorization"] == "Bearer from-variable")
            #expect(server.requests.last?.path == "/creds")

            try "from-file\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = tokenFile
            _ = try await ContainerCredentialsProvider(environment: environment, httpClient: client).credentials()
            #expect(server.requests.last?.headers["authorization"] == "from-file")
        }
    }

    @Test func containerErrorsNameStatusAndNoSecrets() async throws {
        try await withServer({ _ in LocalHTTPServer.Response(status: 403, body: "nope") }) { server, client in
            let environment = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds",
                               "AWS_CONTAINER_AUTHORIZATION_TOKEN": "supersecrettoken"]
            await #expect {
                try await ContainerCredentialsProvider(environment: environment, httpClient: client).credentials()
            } throws: { error in
                "\(error)".contains("HTTP 403") && !"\(error)".contains("supersecrettoken")
            }
        }
        #expect(ContainerCredentialsProvider.isAllowed("http://169.254.170.23/v1/credentials"))
        #expect(ContainerCredentialsProvider.isAllowed("https://example.com/creds"))
        #expect(!ContainerCredentialsProvider.isAllowed("http://example.com/creds"))
    }

    static func imdsRoute(_ request: LocalHTTPServer.Request) -> LocalHTTPServer.Response {
        switch (request.method, request.path) {
        case ("PUT", "/latest/api/token"): return .ok("imds-session-token")
        case ("GET", _) where request.headers["x-aws-ec2-metadata-token"] != "imds-session-token":
            return LocalHTTPServer.Response(status: 401, body: "")
        case ("GET", "/latest/meta-data/iam/security-credentials/"): return .ok("flow-role\n")
        case ("GET", "/latest/meta-data/iam/security-credentials/flow-role"): return .ok(roleJSON)
        default: return .notFound
        }
    }

    @Test func imdsV2TokenRoleAndCredentials() async throws {
        try await withServer(Self.imdsRoute) { server, client in
            let provider = IMDSCredentialsProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL + "/"],
                                                   httpClient: client)
            let credentials = try await provider.credentials()
            #expect(credentials.accessKeyID == "AKIDHTTP" && credentials.source == "imds role flow-role")
            let requests = server.requests
            #expect(requests.map(\.method) == ["PUT", "GET", "GET"])
            #expect(requests[0].headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600")
            #expect(requests.dropFirst().allSatisfy { $0.headers["x-aws-ec2-metadata-token"] == "imds-session-token" })
        }
    }

    @Test func imdsFallsBackToV1OnlyWhenAllowed() async throws {
        try await withServer({ request in
            switch (request.method, request.path) {
            case ("PUT", _): return LocalHTTPServer.Response(status: 405, body: "")
            case ("GET", "/latest/meta-data/iam/security-credentials/"): return .ok("old-role")
            case ("GET", "/latest/meta-data/iam/security-credentials/old-role"): return .ok(Self.roleJSON)
            default: return .notFound
            }
        }) { server, client in
            let v1 = try await IMDSCredentialsProvider(environment: [:], httpClient: client, baseURL: server.baseURL).credentials()
            #expect(v1.accessKeyID == "AKIDHTTP")
            #expect(server.requests.dropFirst().allSatisfy { $0.headers["x-aws-ec2-metadata-token"] == nil })
            await #expect {
                try await IMDSCredentialsProvider(environment: ["AWS_EC2_METADATA_V1_DISABLED": "true"],
                                                  httpClient: client, baseURL: server.baseURL).credentials()
            } throws: { error in
                "\(error)".contains("returned HTTP 405")
            }
        }
    }

    @Test func imdsRetriesOnceAfterATimeout() async throws {
        let first = LockedFlag()
        try await withServer({ request in
            if request.path == "/latest/api/token" && first.takeFirst() {
                // Far past the 6 s timeout, so even a loaded machine never accepts this answer.
                return LocalHTTPServer.Response(status: 200, body: "late", delay: .milliseconds(12000))
            }
            return Self.imdsRoute(request)
        }) { server, client in
            // 6 s, not the default's second: the retry must not time out on a busy machine (at
            // load 15 on 2 CPUs, 3 s was not enough).
            let provider = IMDSCredentialsProvider(environment: [:], httpClient: client, baseURL: server.baseURL,
                                                   timeout: .milliseconds(6000))
            let credentials = try await provider.credentials()
            #expect(credentials.accessKeyID == "AKIDHTTP")
            #expect(server.requests.filter { $0.path == "/latest/api/token" }.count == 2)
        }
    }

    @Test func imdsDisabledAndUnreachable() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        await #expect(throws: CredentialsProviderError(provider: "instance metadata", kind: .notConfigured,
                                                       reason: "disabled by AWS_EC2_METADATA_DISABLED")) {
            try await IMDSCredentialsProvider(environment: ["AWS_EC2_METADATA_DISABLED": "true"], httpClient: client).credentials()
        }
        // A port nothing listens on: the error says what was tried, quickly.
        let server = try LocalHTTPServer(route: { _ in .notFound })
        let deadURL = server.baseURL
        server.stop()
        let started = ContinuousClock.now
        await #expect {
            try await IMDSCredentialsProvider(environment: [:], httpClient: client, baseURL: deadURL,
                                              timeout: .milliseconds(300)).credentials()
        } throws: { error in
            "\(error)".contains("PUT \(deadURL)/latest/api/token failed")
        }
        // Refused at once; the bound only catches a hang (a loaded machine needs a few seconds).
        #expect(started.duration(to: .now) < .seconds(20))
        try await client.shutdown()
    }
}

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var taken = false
    func takeFirst() -> Bool { lock.withLock { defer { taken = true }; return !taken } }
}
