//! Cross-origin access for the playground's page (`--cors-origin`).
//!
//! A page served from another origin (the playground on `http://localhost:8080`,
//! or its hosted copy) may read `/events`, `/status` and `/req` when its
//! origin is allowed. An allowed origin is exact (`https://example.org`), has
//! a port wildcard (`http://localhost:*`), or is `*` (any). The default
//! allows pages served from this machine: `http://localhost:*`,
//! `http://127.0.0.1:*` and `http://[::1]:*`. `POST /pbft` is for peers and
//! never answers a browser's cross-origin request.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use super::wire::PBFT_PATH;

/// The origins allowed to read this node from a browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cors {
    origins: Vec<String>,
}

/// The origins allowed when none is given.
pub const DEFAULT_ORIGINS: [&str; 3] = ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];

impl Default for Cors {
    fn default() -> Cors {
        Cors { origins: DEFAULT_ORIGINS.iter().map(|s| s.to_string()).collect() }
    }
}

impl Cors {
    /// Allows exactly `origins` (none: no cross-origin access at all).
    pub fn new(origins: Vec<String>) -> Result<Cors, String> {
        for o in &origins {
            let base = o.strip_suffix(":*").unwrap_or(o);
            let ok = o == "*" || ((base.starts_with("http://") || base.starts_with("https://")) && !base.ends_with('/'));
            if !ok {
                return Err(format!("bad origin {o:?}: use scheme://host[:port], scheme://host:* (any port) or *"));
            }
        }
        Ok(Cors { origins })
    }

    /// The allowed origins as given.
    pub fn origins(&self) -> &[String] {
        &self.origins
    }

    /// Whether a page from `origin` may read this node.
    pub fn allows(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| {
            if o == "*" || o == origin {
                return true;
            }
            match o.strip_suffix(":*") {
                Some(base) => origin
                    .strip_prefix(base)
                    .is_some_and(|rest| rest.is_empty() || rest.strip_prefix(':').is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))),
                None => false,
            }
        })
    }
}

/// The middleware: answers preflight requests and marks allowed responses.
pub async fn layer(State(cors): State<Arc<Cors>>, req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_string);
    let allowed = origin.filter(|o| req.uri().path() != PBFT_PATH && cors.allows(o));
    if req.method() == Method::OPTIONS {
        let mut r = StatusCode::NO_CONTENT.into_response();
        if let Some(o) = &allowed {
            let h = r.headers_mut();
            mark(h, o);
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, OPTIONS"));
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("accept, cache-control, last-event-id"));
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
        return r;
    }
    let mut r = next.run(req).await;
    if let Some(o) = &allowed {
        mark(r.headers_mut(), o);
    }
    r
}

fn mark(h: &mut axum::http::HeaderMap, origin: &str) {
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.append(header::VARY, HeaderValue::from_static("origin"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_match_exactly_or_by_port() {
        let c = Cors::default();
        assert!(c.allows("http://localhost:8080"));
        assert!(c.allows("http://localhost"));
        assert!(c.allows("http://127.0.0.1:5173"));
        assert!(c.allows("http://[::1]:3000"));
        assert!(!c.allows("http://localhost.evil.example"));
        assert!(!c.allows("http://localhost:80x"));
        assert!(!c.allows("https://localhost:8080"));
        assert!(!c.allows("http://example.org"));
        let c = Cors::new(vec!["https://pbft.example".into()]).unwrap();
        assert!(c.allows("https://pbft.example"));
        assert!(!c.allows("https://pbft.example:444"));
        assert!(Cors::new(vec!["*".into()]).unwrap().allows("https://anything.example"));
        assert!(!Cors::new(vec![]).unwrap().allows("http://localhost:1"));
        assert!(Cors::new(vec!["localhost".into()]).is_err());
        assert!(Cors::new(vec!["http://x/".into()]).is_err());
    }
}
