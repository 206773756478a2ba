import FlowEngine
import Hummingbird

/// Wraps every route (and the 404 for paths no route has): checks the bearer token, renders
/// every error as JSON and adds the security headers to every response.
struct SecurityMiddleware<Context: RequestContext>: RouterMiddleware {
    /// SHA-256 of the token, hex; nil when the server runs without one.
    let tokenDigest: String?

    init(token: String?) {
        tokenDigest = token.map { ScriptDigest.of(Array($0.utf8)) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            try authorize(request)
            response = try await next(request, context)
        } catch {
            response = Self.render(error)
        }
        Self.addHeaders(&response)
        return response
    }

    /// Paths open without the token: a load balancer's probe, and the dashboard's script and
    /// style (static, no data), which a browser loads without an Authorization header.
    static var open: Set<String> { ["/healthz", "/dashboard.js", "/dashboard.css"] }

    /// The token comes as `Authorization: Bearer T`, or, for a GET (a page, an EventSource,
    /// which a browser cannot give a header), as `?token=T`.
    func authorize(_ request: Request) throws {
        guard let tokenDigest, !Self.open.contains(request.uri.path) else { return }
        let supplied: Substring
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            supplied = header.dropFirst("Bearer ".count)
        } else if request.method == .get, let query = request.uri.queryParameters["token"] {
            supplied = query
        } else {
            throw APIError(.unauthorized, "unauthorized",
                           "this server needs a token: send the header Authorization: Bearer TOKEN (or ?token=TOKEN on a page)")
        }
        let given = ScriptDigest.of(Array(supplied.utf8))
        guard Self.constantTimeEqual(given, tokenDigest) else {
            throw APIError(.unauthorized, "unauthorized", "the bearer token is not this server's token")
        }
    }

    /// Compares two digests of equal length without stopping at the first difference.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    static func render(_ error: any Error) -> Response {
        var response: Response
        switch error {
        case let e as APIError:
            response = JSONBody.response(["error": e.error, "detail": e.detail], status: e.status)
            if e.status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        case let e as any HTTPResponseError:
            let (name, detail): (String, String) = switch e.status {
            case .notFound: ("not found", "no such route: GET /openapi.json lists the routes of this server")
            case .methodNotAllowed: ("method not allowed", "GET /openapi.json lists the methods of each route")
            case .contentTooLarge: ("request body too large", "request bodies are limited to 64 KiB")
            default: (e.status.reasonPhrase.lowercased(), "the request was refused")
            }
            response = JSONBody.response(["error": name, "detail": detail], status: e.status)
        default:
            response = JSONBody.response(["error": "internal error", "detail": "the server could not answer; its log says why"],
                                         status: .internalServerError)
        }
        return response
    }

    static func addHeaders(_ response: inout Response) {
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] =
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HeaderName("X-Frame-Options")!] = "DENY"
        response.headers[HeaderName("Referrer-Policy")!] = "no-referrer"
        response.headers[HeaderName("Cross-Origin-Resource-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
    }
}

/// A header's name (HTTPTypes' HTTPField.Name, which Hummingbird does not re-export by name).
typealias HeaderName = HTTPFields.Element.Name
