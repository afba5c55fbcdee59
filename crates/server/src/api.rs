//! The workbench's routes, described once: [`crate::routes!`] registers
//! each handler and lists it here, and the OpenAPI document
//! (`/api/openapi.json`) and every page's `Link: rel="alternate"` header
//! are made from that list, so neither can drift from what is served.

use serde_json::{Value, json};

/// What a route answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// An HTML page whose JSON twin is the same path with `.json` (or
    /// `/index.json` for `/`), or `Accept: application/json`.
    Page,
    /// JSON only (a twin's own route, or an API call).
    Json,
    /// A file: a download, an attached file, a preview, an asset.
    File,
    /// A write: a form or a JSON object, answered 303 or in JSON.
    Write,
    /// The JSON twin of a page, registered on its own path
    /// (`/search.json`): documented with its page.
    Twin,
}

/// Registers each route on the router and lists it in `ENDPOINTS`: one
/// line per route, so what is served and what is documented are the same
/// list.
macro_rules! routes {
    ($( $method:ident $path:literal => $handler:path, $answer:ident, $summary:literal, [$($param:expr),* $(,)?]; )*) => {
        fn with_routes(router: axum::Router<AppState>) -> axum::Router<AppState> {
            router $( .route($path, axum::routing::$method($handler)) )*
        }

        /// Every route the workbench serves.
        pub(crate) const ENDPOINTS: &[api::Endpoint] = &[
            $( api::Endpoint {
                method: stringify!($method),
                path: $path,
                answer: api::Answer::$answer,
                summary: $summary,
                params: &[$($param),*],
            }, )*
        ];
    };
}
pub(crate) use routes;

/// A query parameter.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub name: &'static str,
    /// `string`, `integer` or `boolean`.
    pub kind: &'static str,
    pub description: &'static str,
}

/// One route, as the OpenAPI document describes it.
#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    /// `get` or `post`.
    pub method: &'static str,
    /// axum's form: `/m/{id}`.
    pub path: &'static str,
    pub answer: Answer,
    pub summary: &'static str,
    pub params: &'static [Param],
}

pub const TZ: Param = Param {
    name: "tz",
    kind: "string",
    description: "IANA time zone for dates, days, charts and heatmaps (default: the case's)",
};
pub const Q: Param =
    Param { name: "q", kind: "string", description: "A query in the trove query language" };
pub const SORT: Param = Param {
    name: "sort",
    kind: "string",
    description: "`relevance` (default), `newest` or `oldest`",
};
pub const PAGE: Param =
    Param { name: "page", kind: "integer", description: "1-based; results up to the 10,000th" };
pub const SIZE: Param =
    Param { name: "size", kind: "integer", description: "Hits per page: 20 (default), 50 or 100" };
pub const G: Param = Param {
    name: "g",
    kind: "string",
    description: "Chart resolution: `day`, `week` or `month` (default: chosen by the span)",
};
pub const BY: Param = Param {
    name: "by",
    kind: "string",
    description: "Stack chart bars by `person` or `conversation`",
};
pub const SCALE: Param = Param {
    name: "scale",
    kind: "string",
    description: "Chart scale: `linear` (default) or `log`",
};
pub const BEFORE: Param =
    Param { name: "before", kind: "integer", description: "Messages before, at most 1,000" };
pub const AFTER: Param =
    Param { name: "after", kind: "integer", description: "Messages after, at most 1,000" };
pub const DAY: Param = Param { name: "day", kind: "string", description: "`YYYY-MM-DD`" };
pub const SPLIT: Param = Param {
    name: "split",
    kind: "string",
    description: "`YYYY-MM-DD`: compare the hours before and after this day",
};
pub const FILTER: Param =
    Param { name: "q", kind: "string", description: "Part of a name, handle or id" };
pub const PLATFORM: Param = Param { name: "platform", kind: "string", description: "A platform" };
pub const PEOPLE_SORT: Param = Param {
    name: "sort",
    kind: "string",
    description: "`messages` (default), `name`, `first`, `last` or `platform`",
};
pub const STATUS: Param = Param {
    name: "status",
    kind: "string",
    description: "`unread` (default), `relevant`, `not-relevant` or `to-verify`",
};
pub const DELETED: Param =
    Param { name: "deleted", kind: "boolean", description: "Include deleted notes" };
pub const FORMAT: Param =
    Param { name: "format", kind: "string", description: "`csv` (default), `jsonl` or `rsmf`" };
pub const BOM: Param = Param {
    name: "bom",
    kind: "boolean",
    description: "CSV: start with a byte-order mark (Excel)",
};

/// The alternate (JSON) URL of a page at `path`, when it has one: `/` is
/// `/index.json`, any other page its path with `.json`.
pub fn alternate(endpoints: &[Endpoint], path: &str) -> Option<String> {
    if path.ends_with(".json") {
        return None;
    }
    let twin = if path == "/" { "/index.json".to_string() } else { format!("{path}.json") };
    let is_page = endpoints.iter().any(|e| e.answer == Answer::Page && matches(e.path, path));
    is_page.then_some(twin)
}

/// Whether `path` is one `pattern` (`/m/{id}`) serves.
fn matches(pattern: &str, path: &str) -> bool {
    let mut wanted = pattern.split('/');
    let mut given = path.split('/');
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') && !g.is_empty() => {}
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

/// The OpenAPI 3.1 document of `endpoints`.
pub fn openapi(endpoints: &[Endpoint]) -> Value {
    let error = json!({"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}});
    let mut paths = serde_json::Map::new();
    for e in endpoints {
        // A page is documented at its JSON twin, which is what a script
        // calls; a twin's own route is that same entry.
        if e.answer == Answer::Twin {
            continue;
        }
        let shown = match e.answer {
            Answer::Page if e.path == "/" => "/index.json".to_string(),
            Answer::Page => format!("{}.json", e.path),
            _ => e.path.to_string(),
        };
        let mut parameters: Vec<Value> = e
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        parameters.extend(e.params.iter().map(|p| {
            json!({"name": p.name, "in": "query", "schema": {"type": p.kind}, "description": p.description})
        }));
        let responses = match e.answer {
            Answer::Page | Answer::Json | Answer::Twin => json!({
                "200": {"description": "The data as JSON", "content": {"application/json": {"schema": {"type": "object"}}}},
                "400": {"description": "A bad parameter (a query that does not parse, an unknown zone, a bound passed)", "content": error},
                "404": {"description": "Not found", "content": error},
                "503": {"description": "Busy or past the request's time budget; retry after `Retry-After` seconds", "content": error},
            }),
            Answer::File => json!({
                "200": {"description": "The file"},
                "400": {"description": "A bad parameter"},
                "404": {"description": "Not found"},
            }),
            Answer::Write => json!({
                "200": {"description": "Done: `{ok, detail}` (a JSON body, or `Accept: application/json`)"},
                "303": {"description": "Done: back to the page the form came from"},
                "400": {"description": "Refused: `{ok: false, detail}`"},
                "403": {"description": "No or a wrong `csrf` token, or a request from another origin"},
            }),
        };
        let mut operation =
            json!({"summary": e.summary, "parameters": parameters, "responses": responses});
        if e.answer == Answer::Write {
            operation["requestBody"] = json!({
                "required": true,
                "description": "The fields `csrf` (from `/api/session.json` or any page), `action` and its fields, as a form or a JSON object (a list for a repeated field such as `id`)",
                "content": {
                    "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["csrf", "action"]}},
                    "application/json": {"schema": {"type": "object", "required": ["csrf", "action"]}},
                },
            });
        }
        let entry = paths.entry(shown).or_insert_with(|| json!({}));
        entry[e.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "trove workbench",
            "version": "1",
            "description": "Every page of the trove workbench has a JSON twin (documented here at its `.json` path), named in its `Link: rel=\"alternate\"` header. Every response states the case generation it answered from (`Trove-Generation`, `Trove-Search-Generation`). The server binds loopback only and answers only to its loopback Host. Generated from the routes the server registers.",
        },
        "paths": paths,
        "components": {"schemas": {"Error": {
            "type": "object",
            "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
            "required": ["error", "status"],
        }}},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &[Endpoint] = &[
        Endpoint {
            method: "get",
            path: "/",
            answer: Answer::Page,
            summary: "Overview",
            params: &[TZ],
        },
        Endpoint {
            method: "get",
            path: "/m/{id}",
            answer: Answer::Page,
            summary: "A message",
            params: &[Q, TZ],
        },
        Endpoint {
            method: "get",
            path: "/media/{sha256}",
            answer: Answer::File,
            summary: "A file",
            params: &[],
        },
    ];

    #[test]
    fn pages_name_their_json_twin_and_files_none() {
        assert_eq!(alternate(ROUTES, "/").as_deref(), Some("/index.json"));
        assert_eq!(alternate(ROUTES, "/m/abc").as_deref(), Some("/m/abc.json"));
        assert_eq!(alternate(ROUTES, "/m/abc.json"), None);
        assert_eq!(alternate(ROUTES, "/m/"), None);
        assert_eq!(alternate(ROUTES, "/m/a/b"), None);
        assert_eq!(alternate(ROUTES, "/media/abc"), None);
    }

    #[test]
    fn the_document_lists_every_route_with_its_parameters() {
        let doc = openapi(ROUTES);
        assert_eq!(doc["openapi"], "3.1.0");
        let message = &doc["paths"]["/m/{id}.json"]["get"];
        assert_eq!(message["summary"], "A message");
        let names: Vec<&str> = message["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert_eq!(names, ["id", "q", "tz"]);
        assert!(doc["paths"]["/index.json"]["get"].is_object());
        assert!(doc["paths"]["/media/{sha256}"]["get"]["responses"]["200"].is_object());
    }
}
