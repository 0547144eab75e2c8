//! The OpenAPI 3.1 document served at `/api/openapi.json`: the API's shape, with the
//! workspace's own teams, periods, objectives, key results and metrics as the values its
//! parameters take.

use serde_json::{Value, json};
use throughline_model::Workspace;

/// The workspace's names that requests use.
struct Names {
    /// Key results computed from a metric: they take no value.
    computed: Vec<String>,
    teams: Vec<String>,
    periods: Vec<String>,
    objectives: Vec<String>,
    key_results: Vec<String>,
    metrics: Vec<String>,
}

fn names(ws: &Workspace) -> Names {
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
fn one_of_or_empty(values: &[String]) -> Value {
    let mut all = vec![String::new()];
    all.extend(values.iter().cloned());
    one_of(&all)
}

/// A string that is one of `values` (any string when there are none).
fn one_of(values: &[String]) -> Value {
    if values.is_empty() {
        json!({"type": "string"})
    } else {
        json!({"type": "string", "enum": values})
    }
}

fn get(summary: &str, params: Value, schema: Value) -> Value {
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

fn path_param(name: &str, description: &str, values: &[String]) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": one_of(values)})
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

// Long because it is the OpenAPI document written out, one path after another.
pub fn document(ws: &Workspace) -> Value {
    let n = names(ws);
    let mut about = n.metrics.clone();
    about.extend(n.objectives.iter().cloned());
    about.extend(n.key_results.iter().cloned());
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
                    "description": "At least a confidence, a note that is not blank, or (for manual key results) a value.",
                    "properties": {
                        "key_result": one_of(&n.key_results),
                        "confidence": {"type": ["integer", "null"], "minimum": 0, "maximum": 10},
                        "note": {"type": "string", "maxLength": 2000},
                        "value": {"description": "manual key results only, in their unit: 12, \"35%\", \"16h\"", "oneOf": [{"type": "number"}, {"type": "string", "maxLength": 40}, {"type": "null"}]}
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
                        "text": {"type": "string", "minLength": 1, "maxLength": 1000},
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
            "/api/overview": get("The North Star, the metric tree and the guardrails", json!([]), object.clone()),
            "/api/alignment": get(
                "Company → team → objective → key result",
                json!([
                    {"name": "team", "in": "query", "schema": one_of_or_empty(&n.teams), "description": "empty or absent: every team"},
                    {"name": "period", "in": "query", "schema": one_of_or_empty(&n.periods), "description": "e.g. 2026-Q3; empty or absent: the current one"}
                ]),
                object.clone()
            ),
            "/api/objectives/{path}": get("An objective with its key results and guardrails", json!([path_param("path", "TEAM/OBJECTIVE", &n.objectives)]), object.clone()),
            "/api/key-results/{path}": get("A key result with its series and a page of its check-in history (25 a page, newest first)", json!([path_param("path", "TEAM/OBJECTIVE/KR", &n.key_results), {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}, "description": "the page of check-ins, from 1 (the newest); `pages` in the answer says how many"}]), object.clone()),
            "/api/metrics": get("The metrics catalog", json!([]), list),
            "/api/metrics/{id}": get("A metric's definition, lineage and stored values; its series at another grain with `grain`", json!([
                path_param("id", "the metric id", &n.metrics),
                {"name": "grain", "in": "query", "schema": {"type": "string", "enum": ["day", "week", "month", "quarter"]}, "description": "the series at this grain (measured on the first request after each refresh); absent: the metric's own"},
            ]), object.clone()),
            "/api/review": get("The weekly review of the last complete week, or of the week `week` names (from the stored values as they stood then)", json!([{"name": "week", "in": "query", "schema": {"type": "string"}, "description": "an ISO week (`2026-W30`) or a day in it; absent: the last complete week of data"}]), object.clone()),
            "/api/experiments": get("Every experiment's decision and analysis", json!([]), object.clone()),
            "/api/notifications": get("The notification log, newest first, with the channels and rules", json!([]), object.clone()),
            "/api/checkins": write("Record a check-in", json!({"$ref": "#/components/schemas/CheckIn"})),
            "/api/decisions": write("Record a decision", json!({"$ref": "#/components/schemas/Decision"})),
            "/api/refresh": {"post": {"summary": "Recompute every metric from the data (admin)", "security": [{"bearer": []}], "responses": {"200": {"description": "Recomputed"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "500": {"$ref": "#/components/responses/Error"}}}}
        }
    })
}
