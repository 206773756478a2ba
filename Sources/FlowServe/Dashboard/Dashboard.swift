import FlowEngine
import Hummingbird

/// The web dashboard of `flow serve`: server-rendered HTML (every page a pure function of the
/// home's summaries and timelines, see `listPage`, `executionPage`, `fragment`) and a small
/// script that makes the execution page live and wires the operator buttons to the JSON API.
/// No build step, no CDN, nothing inline: the CSS and the script are served from here.
///
///     GET /                          the executions (?status=failed&workflow=canary)
///     GET /executions/{id}           one execution: steps, gates, weights chart, outcome
///     GET /executions/{id}/fragment  the live part of that page, for dashboard.js
///     GET /dashboard.js, /dashboard.css
public enum Dashboard {
    /// Registers the dashboard's GET routes on `router` (a `Router` or a group of one), reading
    /// `home`. `now` is the clock for "running for" durations.
    /// The paths `routes` registers (GET), for the OpenAPI check.
    public static let paths = ["/", "/executions/{id}", "/executions/{id}/fragment", "/dashboard.js", "/dashboard.css"]

    public static func routes<Routes: RouterMethods>(
        on router: Routes, home: FlowHome, now: @escaping @Sendable () -> Millis = WallClock.now
    ) {
        router.get("/") { request, _ -> Response in
            let query = request.uri.queryParameters
            let filter = ListFilter(status: query["status"].map(String.init), workflow: query["workflow"].map(String.init))
            let (rows, problems) = ExecutionSummary.list(home: home)
            return html(listPage(rows, filter: filter, problems: problems, now: now()))
        }
        router.get("/executions/{id}") { _, context -> Response in
            try load(home: home, id: context.parameters.get("id") ?? "") { t, s in
                html(executionPage(t, summary: s, now: now()))
            }
        }
        router.get("/executions/{id}/fragment") { _, context -> Response in
            try load(home: home, id: context.parameters.get("id") ?? "") { t, s in
                html(fragment(t, summary: s, now: now()))
            }
        }
        router.get("/dashboard.js") { _, _ -> Response in
            asset(script, type: "text/javascript; charset=utf-8")
        }
        router.get("/dashboard.css") { _, _ -> Response in
            asset(style, type: "text/css; charset=utf-8")
        }
    }

    /// Reads an execution's summary and timeline; an unknown id is a 404 page, a damaged
    /// journal a 500 page that says what is wrong with it.
    static func load(home: FlowHome, id: String, _ render: (ExecutionTimeline, ExecutionSummary) -> Response) throws -> Response {
        do {
            try FlowHome.checkExisting(home: home, id: id)
        } catch {
            return html(errorPage(title: "No such execution", message: "\(error)"), status: .notFound)
        }
        do {
            let summary = try ExecutionSummary.load(home: home, id: id)
            let timeline = try ExecutionTimeline.load(home: home, id: id)
            return render(timeline, summary)
        } catch {
            return html(errorPage(title: "Cannot read \(id)", message: "\(error)"), status: .internalServerError)
        }
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
