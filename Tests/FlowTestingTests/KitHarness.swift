import FlowECS
import FlowEngine
import FlowFailback
import FlowHealth
import FlowNotify
import FlowPluginSupport
import FlowRoute53
import FlowTesting
import Foundation

/// Writes workflows and test files into a fresh folder and runs them with the kit in this
/// process, with the registry a real `flow` has (its plugins are only ever called through the
/// kit's stand-ins).
struct Kit {
    let dir: String

    static let aws = AWSStepEnvironment()

    static var registry: StepRegistry {
        var r = StepRegistry.standard
        r.register(Route53Plugin(aws: aws))
        r.register(ECSPlugin(aws: aws))
        r.register(HealthPlugin(aws: aws))
        r.register(FailbackPlugin(aws: aws))
        r.register(NotifyPlugin(notifier: WebhookNotifier(), defaultURLs: []))
        return r
    }

    init(_ files: [String: String]) throws {
        // Short: Lua shortens chunk names past 60 bytes, and failures quote the file's path.
        var template = Array("/tmp/fk-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestSetupError("mkdtemp failed") }
        dir = String(cString: made)
        for (name, text) in files {
            let path = dir + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    var environment: TestEnvironment {
        TestEnvironment(registry: Self.registry, gateSearchPath: { path, extra in
            LuaGatePlugin.defaultSearchPath(workflowPath: path, extra: extra, environment: [:])
        })
    }

    /// Every case of the test file `name`, by case name.
    func run(_ name: String, filter: String? = nil) async -> [String: TestCaseResult] {
        let results = await TestSuite.run(files: [dir + "/" + name], environment: environment, filter: filter) { _ in }
        return Dictionary(results.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: dir)
    }
}
