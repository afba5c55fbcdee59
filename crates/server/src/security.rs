//! Headers every response carries, and the `Host` check.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// No inline script or style, nothing from elsewhere, no framing, no
/// forms posting away, no referrer: hostile message content cannot run
/// or leak.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                       connect-src 'self'; form-action 'self'; base-uri 'none'; \
                       frame-ancestors 'none'";

/// A publication preview: the published page's own inline style, nothing
/// else (no script at all).
pub const PUBLICATION_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    // A handler may set a stricter policy of its own (the publication preview).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // `same-origin`, not `no-referrer`: nothing leaves for other sites
    // either way, and under `no-referrer` browsers send `Origin: null` on
    // the workbench's own form posts, which would have to be trusted.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    response
}

/// The `Host` values this server answers to.
#[derive(Clone)]
pub struct Hosts(Arc<[String]>);

impl Hosts {
    /// Loopback names with `port`.
    pub fn loopback(port: u16) -> Hosts {
        Hosts(
            ["127.0.0.1", "localhost", "[::1]"]
                .iter()
                .map(|h| format!("{h}:{port}"))
                .collect::<Vec<_>>()
                .into(),
        )
    }
}

/// Refuses requests for any other host (DNS rebinding: a page on
/// `evil.example` resolving to 127.0.0.1 sends `Host: evil.example`).
pub async fn host(State(hosts): State<Hosts>, request: Request, next: Next) -> Response {
    let given = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if hosts.0.iter().any(|h| h.eq_ignore_ascii_case(given)) {
        next.run(request).await
    } else {
        (StatusCode::MISDIRECTED_REQUEST, "this server only answers to its loopback address\n")
            .into_response()
    }
}

/// Refuses what a browser marks as sent by another site (`Sec-Fetch-Site:
/// cross-site` or `same-site`): a page elsewhere can make the browser GET
/// a search here (a `no-cors` fetch, an image), to burden the workbench or
/// time its answers. The workbench's own pages send `same-origin`, a typed
/// address or a bookmark `none`; clients that send no such header (curl,
/// scripts) are not browsers acting for a page, and pass.
pub async fn same_origin_only(request: Request, next: Next) -> Response {
    let site = request.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(site, Some("cross-site" | "same-site")) {
        return (
            StatusCode::FORBIDDEN,
            "requests from other sites are refused: open the workbench from its own address\n",
        )
            .into_response();
    }
    next.run(request).await
}
