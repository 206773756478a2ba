import Foundation
import Testing

/// The OpenAPI document at /openapi.json stays true: it parses, its references resolve, every
/// path and method in it is served, and every route the server registers is in it.
@Suite(.timeLimit(.minutes(5)))
struct ServeOpenAPITests {
    @Test("every documented route is served and every served route is documented")
    func documentMatchesRoutes() async throws {
        let sb = try await Sandbox()
        defer { sb.cleanup() }
        try sb.write("w.lua", execSteps(1))
        #expect(try await sb.flow(["run", "w.lua", "--id", "doc-1"]).code == 0)
        let server = try await Server.start(sb)
        let reply = try await server.get("/openapi.json")
        #expect(reply.status == 200, "\(reply)")
        let doc = reply.json
        #expect(doc["openapi"] as? String == "3.1.0")
        let info = doc["info"] as? [String: Any]
        #expect(info?["title"] is String && info?["version"] is String)
        let paths = doc["paths"] as? [String: [String: Any]] ?? [:]
        #expect(!paths.isEmpty)

        var documented: Set<String> = []
        let methods = ["get", "post", "put", "delete", "patch"]
        for (path, item) in paths {
            for method in methods where item[method] != nil {
                documented.insert("\(method.uppercased()) \(path)")
                let op = item[method] as? [String: Any] ?? [:]
                #expect(op["responses"] is [String: Any], "\(method) \(path) has no responses object")
                let concrete = path.replacingOccurrences(of: "{id}", with: "doc-1")
                let r = try await server.request(method.uppercased(), concrete, body: method == "post" ? "{}" : nil)
                #expect(r.status != 404 && r.status != 405 && r.status < 500, "\(method) \(path) is documented but answers \(r)")
            }
        }
        #expect(documented.contains("GET /metrics") && documented.contains("GET /healthz"))

        // Valid OpenAPI 3.1 by an independent validator (openapi-spec-validator, installed with
        // moto[server] by scripts/prereqs).
        try sb.write("openapi.json", reply.body)
        let validator = try await sb.run("python3", ["-c", """
            import json, sys
            from openapi_spec_validator import validate
            validate(json.load(open(sys.argv[1])))
            print("valid")
            """, sb.path("openapi.json")])
        #expect(validator.code == 0 && validator.stdout.contains("valid"), "\(validator)")

        let routes = try await sb.flow(["serve", "--print-routes"])
        #expect(routes.code == 0, "\(routes)")
        let served = Set(routes.stdout.split(separator: "\n").map(String.init))
        #expect(served.count >= 14, "\(served)")
        #expect(served.subtracting(documented).isEmpty, "routes missing from /openapi.json: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not registered: \(documented.subtracting(served).sorted())")

        // Every local $ref points at something in the document.
        var refs: [String] = []
        func collect(_ v: Any) {
            if let o = v as? [String: Any] {
                if let r = o["$ref"] as? String { refs.append(r) }
                o.values.forEach(collect)
            } else if let a = v as? [Any] { a.forEach(collect) }
        }
        collect(doc)
        #expect(!refs.isEmpty)
        for ref in refs {
            #expect(ref.hasPrefix("#/"), "\(ref)")
            var node: Any? = doc
            for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] }
            #expect(node != nil, "unresolved $ref \(ref)")
        }
        #expect(await server.stop().code == 0)
    }
}
