import ArgumentParser
import FlowEngine
import FlowServe
import Foundation
import Logging

/// `flow serve`: the HTTP API (and dashboard, metrics) over a home. docs/SERVE.md.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the JSON API, /metrics and /openapi.json over the home's executions (operator actions included).",
        discussion: """
            Binds 127.0.0.1 unless told otherwise; any other address needs a token (--token or FLOW_TOKEN), \
            which every request then sends as `Authorization: Bearer TOKEN` (all but /healthz). Operator \
            actions post to the execution's inbox as the CLI does, journaled as USER@HOST via flow serve. \
            Prints `flow: serving URL` on stderr once listening (port 0 picks a free port); stops on SIGTERM or SIGINT.

            Examples:
              flow serve --home /var/lib/flow
              FLOW_TOKEN=$(openssl rand -hex 16) flow serve --listen 0.0.0.0:8080
            """)

    @Option(help: ArgumentHelp("HOST:PORT to listen on (port 0: a free one).", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:8080"

    @Option(help: "Bearer token every request must carry (default: $FLOW_TOKEN). Required off loopback.")
    var token: String?

    @Flag(help: .hidden)  // prints "METHOD PATH" per route and exits (the OpenAPI test holds them against the document)
    var printRoutes = false

    @OptionGroup var home: HomeOptions

    func run() async throws {
        let token = token ?? ProcessInfo.processInfo.environment["FLOW_TOKEN"]
        let config: ServeConfiguration
        do {
            config = try ServeConfiguration(listen: listen, home: home.flowHome, token: token,
                                            requester: requester() + " via flow serve")
        } catch {
            Console.info("flow: \(error)")
            throw ExitCode(Exit.usage)
        }
        if printRoutes {
            for r in FlowServer.makeRouter(config, logger: Logger(label: "flow.serve")).routes { Console.out(r.description) }
            return
        }
        do {
            try await FlowServer.run(config) { url in Console.info("flow: serving \(url)") }
        } catch {
            Console.info("flow: cannot serve on \(listen): \(error)")
            throw ExitCode(Exit.internalError)
        }
    }
}
