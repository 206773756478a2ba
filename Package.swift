// swift-tools-version:6.0
import PackageDescription

// Import rules (docs/ARCHITECTURE.md): FlowWAL knows only bytes; FlowLua knows only Lua;
// FlowEngine gives them meaning and never imports AWS code; plugins import FlowEngine,
// never FlowLua; only the `flow` executable wires everything together.
let package = Package(
    name: "flow",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "flow", targets: ["flow"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        .target(name: "FlowLua", dependencies: ["CLua"]),
        .target(name: "FlowWAL"),
        // The AWS client: imports no engine code (docs/ARCHITECTURE.md).
        .target(
            name: "FlowAWS",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "FlowEngine",
            dependencies: [
                "FlowLua", "FlowWAL",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // EventBridge's event-pattern language: pure Swift, no dependencies.
        .target(name: "FlowEvents"),
        // Where events come from (SQS, ECS polling, HTTP push, files): raw envelopes, acknowledged
        // only after the consumer has recorded them.
        .target(
            name: "FlowEventSources",
            dependencies: ["FlowAWS", .product(name: "Logging", package: "swift-log")]),
        // Exactly-once triggers: the watcher's journal, dedupe by detail.version and revision, policies.
        .target(name: "FlowTriggers", dependencies: ["FlowEvents", "FlowWAL"]),
        // Native step plugins: each imports FlowEngine (+ FlowAWS), never FlowLua.
        .target(
            name: "FlowPluginSupport", dependencies: ["FlowEngine", "FlowAWS"], path: "plugins/support"),
        .target(
            name: "FlowRoute53", dependencies: ["FlowEngine", "FlowAWS", "FlowPluginSupport"], path: "plugins/route53", exclude: ["README.md"]),
        .target(
            name: "FlowECS", dependencies: ["FlowEngine", "FlowAWS", "FlowPluginSupport", "FlowEvents", "FlowEventSources"],
            path: "plugins/ecs", exclude: ["README.md"]),
        .target(
            name: "FlowHealth",
            dependencies: [
                "FlowEngine", "FlowAWS", "FlowPluginSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "plugins/health", exclude: ["README.md"]),
        .target(
            name: "FlowFailback", dependencies: ["FlowEngine", "FlowAWS", "FlowPluginSupport", "FlowRoute53"],
            path: "plugins/failback", exclude: ["README.md"]),
        .target(
            name: "FlowNotify",
            dependencies: ["FlowEngine", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Logging", package: "swift-log")],
            path: "plugins/notify", exclude: ["README.md"]),
        // `flow serve`: the HTTP API, the dashboard and /metrics over a home (read-only but for
        // operator actions, which go through the inbox like the CLI's).
        .target(
            name: "FlowServe",
            dependencies: [
                "FlowEngine", "FlowWAL",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // `flow test`: test files for workflows and gates, virtual time, mocked steps, the
        // simulated cloud, and the replay check.
        .target(
            name: "FlowTesting",
            dependencies: ["FlowEngine", "FlowLua", "FlowWAL", "FlowHealth", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "flow",
            dependencies: [
                "FlowEngine", "FlowWAL", "FlowLua", "FlowAWS",
                "FlowPluginSupport", "FlowRoute53", "FlowECS", "FlowHealth", "FlowFailback", "FlowNotify",
                "FlowEvents", "FlowEventSources", "FlowTriggers", "FlowServe", "FlowTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Servers the tests start on 127.0.0.1: moto, the strict fixture around it, small HTTP
        // servers and a fault-injecting proxy.
        .target(
            name: "FlowTestSupport",
            dependencies: ["FlowAWS", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Tests/Support"),
        .testTarget(name: "FlowLuaTests", dependencies: ["FlowLua"]),
        .testTarget(name: "FlowWALTests", dependencies: ["FlowWAL"]),
        .testTarget(name: "FlowEngineTests", dependencies: ["FlowEngine", "FlowLua", "FlowWAL", "FlowTestSupport"]),
        .testTarget(name: "FlowCLITests", dependencies: ["FlowWAL", "FlowAWS", "FlowTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "FlowAWSTests", dependencies: ["FlowAWS", "FlowTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "FlowEventsTests", dependencies: ["FlowEvents"], exclude: ["Fixtures"]),
        .testTarget(name: "FlowEventSourcesTests", dependencies: ["FlowEventSources", "FlowAWS", "FlowTestSupport"]),
        .testTarget(name: "FlowTriggersTests", dependencies: ["FlowTriggers", "FlowEvents", "FlowWAL"]),
        .testTarget(
            name: "FlowTestingTests",
            dependencies: [
                "FlowTesting", "FlowEngine", "FlowLua", "FlowWAL", "FlowTestSupport", "FlowAWS",
                "FlowPluginSupport", "FlowRoute53", "FlowECS", "FlowHealth", "FlowFailback", "FlowNotify",
            ]),
        .testTarget(
            name: "FlowPluginTests",
            dependencies: [
                "FlowEngine", "FlowLua", "FlowAWS", "FlowTestSupport",
                "FlowPluginSupport", "FlowRoute53", "FlowECS", "FlowHealth", "FlowFailback", "FlowNotify",
            ]),
    ]
)
