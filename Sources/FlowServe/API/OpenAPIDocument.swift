/// The OpenAPI 3.1 document served at /openapi.json, written by hand. ServeOpenAPITests keeps it
/// true: every path and method in it is served, and every route of the router is in it.
enum OpenAPIDocument {
    /// The answers of every operator action (OpenAPI has no $ref for a whole responses object).
    static let actionResponses = #"""
{
      "202": {"description": "Posted to the execution's inbox", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
      "400": {"$ref": "#/components/responses/BadRequest"},
      "401": {"$ref": "#/components/responses/Unauthorized"},
      "404": {"$ref": "#/components/responses/NotFound"},
      "409": {"description": "The execution already finished", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "413": {"description": "Body larger than 64 KiB", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }
"""#

    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "flow serve",
    "version": "0.1.0",
    "description": "Executions of a flow home: list, summary, journal records, timeline, live events (Server-Sent Events) and the operator actions of the CLI. With a token (--token or FLOW_TOKEN) every request but /healthz needs `Authorization: Bearer TOKEN`. Every error is a JSON object {error, detail}."
  },
  "security": [{"bearer": []}, {}],
  "paths": {
    "/api": {
      "get": {"summary": "Index of the API", "operationId": "index",
        "responses": {"200": {"description": "Where things are", "content": {"application/json": {"schema": {"type": "object"}}}},
                      "401": {"$ref": "#/components/responses/Unauthorized"}}}
    },
    "/": {
      "get": {"summary": "Dashboard: the executions (HTML; filters status and workflow)", "operationId": "dashboardList",
        "parameters": [{"name": "status", "in": "query", "schema": {"type": "string"}}, {"name": "workflow", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}},
                      "401": {"$ref": "#/components/responses/Unauthorized"}}}
    },
    "/executions/{id}": {
      "get": {"summary": "Dashboard: one execution (HTML: timeline, gates, weights chart, outcome, actions)", "operationId": "dashboardExecution",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}},
                      "404": {"description": "No such execution (an HTML page)"}}}
    },
    "/executions/{id}/fragment": {
      "get": {"summary": "Dashboard: the live part of an execution's page (HTML fragment)", "operationId": "dashboardFragment",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The fragment", "content": {"text/html": {"schema": {"type": "string"}}}},
                      "404": {"description": "No such execution"}}}
    },
    "/dashboard.js": {
      "get": {"summary": "Dashboard script (no token needed)", "operationId": "dashboardScript", "security": [{}],
        "responses": {"200": {"description": "JavaScript", "content": {"text/javascript": {"schema": {"type": "string"}}}}}}
    },
    "/dashboard.css": {
      "get": {"summary": "Dashboard style (no token needed)", "operationId": "dashboardStyle", "security": [{}],
        "responses": {"200": {"description": "CSS", "content": {"text/css": {"schema": {"type": "string"}}}}}}
    },
    "/healthz": {
      "get": {"summary": "Liveness (no token needed)", "operationId": "healthz", "security": [{}],
        "responses": {"200": {"description": "The server runs", "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"const": "ok"}}}}}}}}
    },
    "/openapi.json": {
      "get": {"summary": "This document", "operationId": "openapi",
        "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}},
                      "401": {"$ref": "#/components/responses/Unauthorized"}}}
    },
    "/metrics": {
      "get": {"summary": "Prometheus metrics", "operationId": "metrics",
        "description": "flow_executions{status}, flow_step_duration_seconds{kind} (histogram), flow_gate_outcomes_total{status}, computed from the home at each scrape; flow_wal_fsync_seconds, a probe (write + fdatasync of HOME/.probe), not the WAL's own fsyncs.",
        "responses": {"200": {"description": "Prometheus text exposition format", "content": {"text/plain": {"schema": {"type": "string"}}}},
                      "401": {"$ref": "#/components/responses/Unauthorized"}}}
    },
    "/api/executions": {
      "get": {"summary": "List executions", "operationId": "listExecutions",
        "parameters": [
          {"name": "status", "in": "query", "required": false, "schema": {"$ref": "#/components/schemas/Status"}},
          {"name": "workflow", "in": "query", "required": false, "description": "The workflow path, its file name, or its name without .lua", "schema": {"type": "string", "minLength": 1}}
        ],
        "responses": {
          "200": {"description": "The executions, oldest id first", "content": {"application/json": {"schema": {
            "type": "object", "required": ["executions", "problems"],
            "properties": {"executions": {"type": "array", "items": {"$ref": "#/components/schemas/Summary"}},
                           "problems": {"type": "array", "items": {"type": "string"}, "description": "Executions that could not be read, as 'ID: why'"}}}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"}}}
    },
    "/api/executions/{id}": {
      "parameters": [{"$ref": "#/components/parameters/ID"}],
      "get": {"summary": "One execution's summary (as flow status --json)", "operationId": "getExecution",
        "responses": {"200": {"description": "The summary", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Summary"}}}},
                      "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
                      "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/executions/{id}/history": {
      "parameters": [{"$ref": "#/components/parameters/ID"}],
      "get": {"summary": "Every journal record (as flow history --json)", "operationId": "getHistory",
        "responses": {"200": {"description": "One object per record", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/HistoryEntry"}}}}},
                      "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
                      "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/executions/{id}/timeline": {
      "parameters": [{"$ref": "#/components/parameters/ID"}],
      "get": {"summary": "Steps, attempts, operator actions, weights over time, outcome, fail-back (as flow show --json)", "operationId": "getTimeline",
        "responses": {"200": {"description": "The timeline", "content": {"application/json": {"schema": {
            "type": "object", "required": ["execution", "steps", "operator_actions", "resumes", "weights", "outcome", "failback"],
            "properties": {"execution": {"$ref": "#/components/schemas/Summary"}, "steps": {"type": "array", "items": {"type": "object"}},
                           "operator_actions": {"type": "array", "items": {"type": "object"}}, "resumes": {"type": "array", "items": {"type": "object"}},
                           "weights": {"type": "array", "items": {"type": "object"}}, "outcome": {"type": "object"},
                           "failback": {"type": ["object", "null"]}}}}}},
                      "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
                      "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/executions/{id}/events": {
      "parameters": [{"$ref": "#/components/parameters/ID"},
                     {"name": "Last-Event-ID", "in": "header", "required": false, "description": "Resume after this record index", "schema": {"type": "integer", "minimum": 0}}],
      "get": {"summary": "Live journal records (Server-Sent Events)", "operationId": "followEvents",
        "description": "One event per journal record: `id:` its index, `data:` the HistoryEntry JSON; the records already journaled first, then each as it is appended. A `: heartbeat` comment every 15 s. After the `finished` record an `event: end` closes the stream.",
        "responses": {"200": {"description": "An event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                      "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
                      "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/executions/{id}/promote": {
      "parameters": [{"$ref": "#/components/parameters/ID"}],
      "post": {"summary": "Promote (as flow promote [--full [--force]])", "operationId": "promote",
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false,
          "properties": {"full": {"type": "boolean"}, "force": {"type": "boolean", "description": "Only with full"}, "reason": {"type": "string", "maxLength": 1000}}}}}},
        "responses": \#(actionResponses)}
    },
    "/api/executions/{id}/abort": {
      "parameters": [{"$ref": "#/components/parameters/ID"}],
      "post": {"summary": "Abort: stop and fail back (as flow abort)", "operationId": "abort",
        "description": "With no process driving the execution the request is only posted: the next `flow resume` applies it (the response says so).",
        "requestBody": {"$ref": "#/components/requestBodies/Reason"},
        "responses": \#(actionResponses)}
    },
    "/api/executions/{id}/pause": {
      "parameters": [{"$ref": "#/components/parameters/ID"}],
      "post": {"summary": "Pause before the next step (as flow pause)", "operationId": "pause",
        "requestBody": {"$ref": "#/components/requestBodies/Reason"},
        "responses": \#(actionResponses)}
    },
    "/api/executions/{id}/unpause": {
      "parameters": [{"$ref": "#/components/parameters/ID"}],
      "post": {"summary": "Lift a pause (as flow unpause)", "operationId": "unpause",
        "requestBody": {"$ref": "#/components/requestBodies/Reason"},
        "responses": \#(actionResponses)}
    },
    "/api/executions/{id}/signal": {
      "parameters": [{"$ref": "#/components/parameters/ID"}],
      "post": {"summary": "Send a signal (as flow signal ID NAME --data JSON)", "operationId": "signal",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["name"],
          "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200}, "data": {"description": "Any JSON, handed to flow.signal"}}}}}},
        "responses": \#(actionResponses)}
    }
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "parameters": {
      "ID": {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$"}}
    },
    "requestBodies": {
      "Reason": {"required": false, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false,
        "properties": {"reason": {"type": "string", "maxLength": 1000, "description": "Why, for the journal"}}}}}}
    },
    "responses": {
      "BadRequest": {"description": "Bad input", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthorized": {"description": "Token missing or wrong", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "NotFound": {"description": "No such execution", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Error": {"type": "object", "required": ["error", "detail"], "properties": {"error": {"type": "string"}, "detail": {"type": "string"}}},
      "Status": {"type": "string", "enum": ["running", "waiting", "paused", "interrupted", "succeeded", "failed", "cancelled", "aborted"]},
      "Summary": {"type": "object",
        "required": ["id", "workflow", "status", "started_at", "finished_at", "updated_at", "steps", "current_step", "compensating", "error", "result", "driver", "journal_warning", "paused", "last_operator_action"],
        "properties": {"id": {"type": "string"}, "workflow": {"type": "string"}, "status": {"$ref": "#/components/schemas/Status"},
          "started_at": {"type": "string", "format": "date-time"}, "finished_at": {"type": ["string", "null"]}, "updated_at": {"type": "string"},
          "steps": {"type": "integer"}, "current_step": {"type": ["object", "null"]}, "compensating": {"type": "boolean"},
          "error": {"type": ["object", "null"]}, "result": {}, "driver": {"type": ["string", "null"]},
          "journal_warning": {"type": ["string", "null"]}, "paused": {"type": "boolean"}, "last_operator_action": {"type": ["string", "null"]}}},
      "HistoryEntry": {"type": "object", "required": ["index", "kind", "time"],
        "properties": {"index": {"type": "integer"}, "seq": {"type": "integer"}, "kind": {"type": "string"}, "name": {"type": "string"},
          "time": {"type": "string"}, "attempt": {"type": "integer"}, "location": {"type": "string"}, "args": {}, "result": {},
          "error": {"type": "object", "properties": {"name": {"type": "string"}, "message": {"type": "string"}}}, "retry_at": {"type": "string"}, "deadline": {"type": "string"}, "detail": {"type": "string"}}},
      "Accepted": {"type": "object", "required": ["id", "requested", "driver", "applied", "note"],
        "properties": {"id": {"type": "string"}, "requested": {"type": "string", "description": "pause, unpause, abort, promote, promote_full or signal"},
          "driver": {"type": ["string", "null"], "description": "The process driving the execution, if any"},
          "applied": {"type": "boolean", "description": "true: a live process takes it within a second; false: it waits in the inbox for the next resume"},
          "note": {"type": "string"}}}
    }
  }
}
"""#
}
