//! `ClientAddr`: the one extractor of the client's address, for per-address limits, login
//! throttling and the access log. Behind a trusted reverse proxy it is the forwarded client
//! (`motcua_app::client_addr::resolve`); otherwise the connection's peer.

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_app::AppContext;
use motcua_app::client_addr::{TrustedNet, resolve};
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client of a request (None when the server did not record the connection's peer).
pub fn client_addr(extensions: &Extensions, headers: &HeaderMap, trusted: &[TrustedNet]) -> Option<IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
    Some(resolve(peer, forwarded, trusted))
}

impl<S> FromRequestParts<S> for ClientAddr
where
    AppContext: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = AppContext::from_ref(state);
        match client_addr(&parts.extensions, &parts.headers, &ctx.config.http.trusted_proxies) {
            Some(ip) => Ok(ClientAddr(ip)),
            // A router served without `ConnectInfo` (never by `motcua_web::serve`).
            None => Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        }
    }
}
