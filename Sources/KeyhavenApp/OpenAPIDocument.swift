/// The OpenAPI 3.1 description served at `/openapi.json`. Every route the router registers must
/// appear here (a test checks), and every feature adds its paths when it lands.
enum OpenAPIDocument {
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Keyhaven",
            "version": "1.0.0",
            "description": "Self-hosted password manager server with a GitHub secret scanner. Errors are RFC 9457 problem+json with a stable `code`. Every response carries X-Request-Id and Cache-Control: no-store unless stated."
          },
          "servers": [{"url": "https://localhost:8443"}],
          "paths": {
            "/healthz": {
              "get": {
                "summary": "Liveness: the process is up.",
                "operationId": "healthz",
                "responses": {
                  "200": {"description": "Alive.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}
                }
              }
            },
            "/readyz": {
              "get": {
                "summary": "Readiness: the database answers.",
                "operationId": "readyz",
                "responses": {
                  "200": {"description": "Ready.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
                  "503": {"$ref": "#/components/responses/Problem"}
                }
              }
            },
            "/metrics": {
              "get": {
                "summary": "Prometheus metrics (text exposition format 0.0.4).",
                "operationId": "metrics",
                "responses": {
                  "200": {"description": "Metrics.", "content": {"text/plain": {"schema": {"type": "string"}}}}
                }
              }
            },
            "/openapi.json": {
              "get": {
                "summary": "This document.",
                "operationId": "openapi",
                "responses": {
                  "200": {"description": "The OpenAPI document.", "content": {"application/json": {"schema": {"type": "object"}}}}
                }
              }
            }
          },
          "components": {
            "schemas": {
              "Status": {
                "type": "object",
                "required": ["status"],
                "properties": {"status": {"type": "string"}}
              },
              "Problem": {
                "type": "object",
                "required": ["type", "title", "status", "detail", "code"],
                "properties": {
                  "type": {"type": "string"},
                  "title": {"type": "string"},
                  "status": {"type": "integer"},
                  "detail": {"type": "string"},
                  "code": {"type": "string", "description": "Stable machine-readable error code."},
                  "request_id": {"type": "string"},
                  "errors": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": ["field", "message"],
                      "properties": {"field": {"type": "string"}, "message": {"type": "string"}}
                    }
                  }
                }
              }
            },
            "responses": {
              "Problem": {
                "description": "An error (RFC 9457).",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              }
            }
          }
        }
        """#
}
