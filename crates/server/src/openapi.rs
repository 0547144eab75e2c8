//! The OpenAPI 3.1 document served at `/api/openapi.json`.

use serde_json::{Value, json};

fn get(summary: &str, params: Value, schema: Value) -> Value {
    json!({
        "get": {
            "summary": summary,
            "security": [{}, {"bearer": []}],
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
                "401": {"$ref": "#/components/responses/Error"},
                "404": {"$ref": "#/components/responses/Error"},
                "422": {"$ref": "#/components/responses/Error"}
            }
        }
    })
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}})
}

fn write(summary: &str, body: Value) -> Value {
    json!({
        "post": {
            "summary": summary,
            "security": [{"bearer": []}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": body}}},
            "responses": {
                "201": {"description": "Recorded", "content": {"application/json": {"schema": {"type": "object"}}}},
                "400": {"$ref": "#/components/responses/Error"},
                "401": {"$ref": "#/components/responses/Error"},
                "403": {"$ref": "#/components/responses/Error"},
                "409": {"$ref": "#/components/responses/Error"},
                "413": {"$ref": "#/components/responses/Error"},
                "415": {"$ref": "#/components/responses/Error"},
                "422": {"$ref": "#/components/responses/Error"}
            }
        }
    })
}

pub fn document() -> Value {
    let object = json!({"type": "object"});
    let list = json!({"type": "array", "items": {"type": "object"}});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "throughline",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The data of every dashboard page, and check-ins and decisions. Read with a token (`Authorization: Bearer TOKEN`), or without one when the server allows public reading; write with an editor token of the key result's team, or an admin token."
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "help"],
                    "properties": {
                        "error": {"type": "string", "description": "what went wrong"},
                        "field": {"type": "string", "description": "the request field it is about"},
                        "help": {"type": "string", "description": "how to fix it"}
                    }
                },
                "CheckIn": {
                    "type": "object",
                    "required": ["key_result"],
                    "additionalProperties": false,
                    "properties": {
                        "key_result": {"type": "string", "description": "TEAM/OBJECTIVE/KR, OBJECTIVE/KR or KR"},
                        "confidence": {"type": "integer", "minimum": 0, "maximum": 10},
                        "note": {"type": "string", "maxLength": 2000},
                        "value": {"description": "manual key results only, in their unit: 12, \"35%\", \"16h\"", "oneOf": [{"type": "number"}, {"type": "string", "maxLength": 40}]}
                    }
                },
                "Decision": {
                    "type": "object",
                    "required": ["text"],
                    "additionalProperties": false,
                    "properties": {
                        "text": {"type": "string", "minLength": 1, "maxLength": 1000},
                        "about": {"type": "string", "description": "a metric, objective or key result"}
                    }
                }
            },
            "responses": {
                "Error": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        },
        "paths": {
            "/api/health": {"get": {"summary": "Liveness", "responses": {"200": {"description": "OK"}}}},
            "/api/overview": get("The North Star, the metric tree and the guardrails", json!([]), object.clone()),
            "/api/alignment": get(
                "Company → team → objective → key result",
                json!([
                    {"name": "team", "in": "query", "schema": {"type": "string"}},
                    {"name": "period", "in": "query", "schema": {"type": "string"}, "description": "e.g. 2026-Q3"}
                ]),
                object.clone()
            ),
            "/api/objectives/{path}": get("An objective with its key results and guardrails", json!([path_param("path", "TEAM/OBJECTIVE")]), object.clone()),
            "/api/key-results/{path}": get("A key result with its series and check-in history", json!([path_param("path", "TEAM/OBJECTIVE/KR")]), object.clone()),
            "/api/metrics": get("The metrics catalog", json!([]), list),
            "/api/metrics/{id}": get("A metric's definition, lineage and stored values", json!([path_param("id", "the metric id")]), object.clone()),
            "/api/review": get("The weekly review", json!([]), object.clone()),
            "/api/experiments": get("Every experiment's decision and analysis", json!([]), object.clone()),
            "/api/checkins": write("Record a check-in", json!({"$ref": "#/components/schemas/CheckIn"})),
            "/api/decisions": write("Record a decision", json!({"$ref": "#/components/schemas/Decision"})),
            "/api/refresh": {"post": {"summary": "Recompute every metric from the data (admin)", "security": [{"bearer": []}], "responses": {"200": {"description": "Recomputed"}, "403": {"$ref": "#/components/responses/Error"}}}}
        }
    })
}
