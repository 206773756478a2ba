import Hummingbird

/// A route as the OpenAPI document names it: `GET /api/executions/{id}`.
public struct ServeRoute: Sendable, Hashable, CustomStringConvertible {
    public var method: String
    public var path: String
    public var description: String { "\(method) \(path)" }
}

/// Adds routes to the router and remembers them, so that a test can hold the list against the
/// OpenAPI document (Hummingbird's router does not list its routes).
struct RouteTable {
    let router: Router<BasicRequestContext>
    private(set) var routes: [ServeRoute] = []

    init(router: Router<BasicRequestContext>) { self.router = router }

    /// `path` in OpenAPI form: `{id}` is a path parameter.
    mutating func add(_ method: HTTPRequest.Method, _ path: String,
                      _ handler: @Sendable @escaping (Request, BasicRequestContext) async throws -> Response) {
        let routerPath = path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : Substring(part)
        }.joined(separator: "/")
        router.on(RouterPath(routerPath), method: method, use: handler)
        routes.append(ServeRoute(method: method.rawValue, path: path))
    }
}
