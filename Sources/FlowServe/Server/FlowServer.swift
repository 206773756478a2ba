import FlowEngine
import Hummingbird
import Logging

/// `flow serve`: the router (API, /metrics, /openapi.json, /healthz) and the server around it.
public enum FlowServer {
    /// The router and the routes it serves (the OpenAPI test holds them against the document).
    public static func makeRouter(_ config: ServeConfiguration, logger: Logger) -> (router: Router<BasicRequestContext>, routes: [ServeRoute]) {
        let router = Router()
        router.add(middleware: SecurityMiddleware<BasicRequestContext>(token: config.token))
        var table = RouteTable(router: router)
        let lookup = ExecutionLookup(home: config.home)
        let metrics = MetricsScrape(lookup: lookup)
        table.add(.get, "/healthz") { _, _ in JSONBody.response(["status": "ok"]) }
        table.add(.get, "/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        table.add(.get, "/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        ExecutionsAPI.register(on: &table, lookup: lookup)
        EventStream.register(on: &table, lookup: lookup, config: config)
        ActionsAPI.register(on: &table, lookup: lookup, config: config, logger: logger)
        let index = Index(name: "flow serve", openapi: "/openapi.json", executions: "/api/executions", metrics: "/metrics",
                          health: "/healthz")
        table.add(.get, "/api") { _, _ in JSONBody.response(index) }
        // The dashboard's pages (HTML, behind the same middleware: token, headers, CSP).
        Dashboard.routes(on: router, home: config.home)
        let pages = Dashboard.paths.map { ServeRoute(method: "GET", path: $0) }
        return (router, table.routes + pages)
    }

    struct Index: Encodable, Sendable {
        var name, openapi, executions, metrics, health: String
    }

    /// Serves until SIGTERM or SIGINT. `announce` gets the URL actually bound (port 0 picks one).
    public static func run(_ config: ServeConfiguration, announce: @escaping @Sendable (String) -> Void) async throws {
        var logger = Logger(label: "flow.serve")
        logger.logLevel = .warning
        let (router, _) = makeRouter(config, logger: logger)
        let host = config.host
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: config.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? config.port
                announce("http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
            },
            logger: logger)
        Stopping.shared.watchSignals()
        try await app.runService()
    }
}
