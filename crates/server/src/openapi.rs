//! The pieces of the OpenAPI 3.1 document served at `/api/openapi.json`: the workspace's
//! names its parameters take, the helpers each page's paths are written with, and the
//! document's frame. The document is put together in `pages` from every page's paths.

use serde_json::{Value, json};
use throughline_model::Workspace;

/// The workspace's names that requests use.
pub(crate) struct Names {
    /// Key results computed from a metric: they take no value.
    pub computed: Vec<String>,
    pub teams: Vec<String>,
    pub periods: Vec<String>,
    pub objectives: Vec<String>,
    pub key_results: Vec<String>,
    pub metrics: Vec<String>,
}

pub(crate) fn names(ws: &Workspace) -> Names {
    let mut teams: Vec<String> = ws
        .objectives
        .iter()
        .filter_map(|o| o.team.as_ref().map(|t| t.value.clone()))
        .collect();
    teams.sort();
    teams.dedup();
    let mut periods: Vec<String> = ws
        .objectives
        .iter()
        .filter_map(|o| o.period.as_ref().map(|p| p.value.to_string()))
        .collect();
    periods.sort();
    periods.dedup();
    Names {
        computed: ws
            .key_results()
            .filter(|(_, k)| k.metric.is_some())
            .map(|(o, k)| format!("{}/{}", o.path(), k.id.value))
            .collect(),
        teams,
        periods,
        objectives: ws.objectives.iter().map(|o| o.path()).collect(),
        key_results: ws
            .key_results()
            .map(|(o, k)| format!("{}/{}", o.path(), k.id.value))
            .collect(),
        metrics: ws.metrics.iter().map(|m| m.id.value.clone()).collect(),
    }
}

/// A string that is one of `values` or empty (empty: no filter).
pub(crate) fn one_of_or_empty(values: &[String]) -> Value {
    let mut all = vec![String::new()];
    all.extend(values.iter().cloned());
    one_of(&all)
}

/// A string that is one of `values` (any string when there are none).
pub(crate) fn one_of(values: &[String]) -> Value {
    if values.is_empty() {
        json!({"type": "string"})
    } else {
        json!({"type": "string", "enum": values})
    }
}

pub(crate) fn get(summary: &str, params: Value, schema: Value) -> Value {
    json!({
        "get": {
            "summary": summary,
            "security": [{}, {"bearer": []}],
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
                "400": {"$ref": "#/components/responses/Error"},
                "401": {"$ref": "#/components/responses/Error"},
                "404": {"$ref": "#/components/responses/Error"},
                "422": {"$ref": "#/components/responses/Error"}
            }
        }
    })
}

pub(crate) fn path_param(name: &str, description: &str, values: &[String]) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": one_of(values)})
}

pub(crate) fn write(summary: &str, body: Value) -> Value {
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

/// The answer of a read that returns an object.
pub(crate) fn object() -> Value {
    json!({"type": "object"})
}

/// The OpenAPI document's frame: its description, the schemas of its requests, and the
/// paths no page owns (each page's are its `Resource`'s: `pages::openapi_document`).
// Long because it is the frame written out.
pub(crate) fn frame(n: &Names) -> Value {
    let mut about = n.metrics.clone();
    about.extend(n.objectives.iter().cloned());
    about.extend(n.key_results.iter().cloned());
    let checkin = throughline_app::checkin::CONFIDENCE;
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
                    "description": "At least a confidence, a note that is not blank, or (for manual key results) a value.",
                    "properties": {
                        "key_result": one_of(&n.key_results),
                        "confidence": {"type": ["integer", "null"], "minimum": checkin.start(), "maximum": checkin.end()},
                        "note": {"type": "string", "maxLength": throughline_app::checkin::MAX_NOTE},
                        "value": {"description": "manual key results only, in their unit: 12, \"35%\", \"16h\"", "oneOf": [{"type": "number"}, {"type": "string", "maxLength": throughline_app::checkin::MAX_VALUE}, {"type": "null"}]}
                    },
                    "if": {"properties": {"key_result": {"enum": n.computed}}},
                    "then": {"properties": {"value": {"type": "null"}}},
                    "anyOf": [
                        {"required": ["confidence"], "properties": {"confidence": {"type": "integer"}}},
                        {"required": ["note"], "properties": {"note": {"pattern": "\\S"}}},
                        {"required": ["value"], "properties": {"value": {"not": {"type": "null"}}}}
                    ]
                },
                "Decision": {
                    "type": "object",
                    "required": ["text"],
                    "additionalProperties": false,
                    "properties": {
                        "text": {"type": "string", "minLength": 1, "maxLength": throughline_app::decision::MAX_TEXT},
                        "about": {"anyOf": [one_of(&about), {"type": "null"}]}
                    }
                }
            },
            "responses": {
                "Error": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        },
        "paths": {
            "/api/health": {"get": {"summary": "Liveness", "responses": {"200": {"description": "OK"}}}},
            "/api/refresh": {"post": {"summary": "Recompute every metric from the data (admin)", "security": [{"bearer": []}], "responses": {"200": {"description": "Recomputed"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "500": {"$ref": "#/components/responses/Error"}}}}
        }
    })
}
