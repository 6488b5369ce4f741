//! The management host's OAuth2 authorization-code flow, served for real as Laravel
//! Passport answers it (clients get the races and the expiry wrong): codes and refresh
//! tokens for access tokens that expire on tokio's clock, grants revoked or rotated on
//! demand. Tokens are drawn from the seed, kept only while valid, and never logged.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{Method, StatusCode, header};
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use crate::auth::{Secret, constant_time_eq};
use crate::responses;
use crate::rng::draw;
use crate::server::setters;
use crate::store::lock;

const TOKEN_DOMAIN: u64 = 0x0A07_0001;
const MAX_TOKEN_BODY_BYTES: usize = 16 * 1024;
/// How long an authorization code can be exchanged (Passport: 10 minutes).
const CODE_LIFETIME: Duration = Duration::from_secs(600);
/// The scopes the management portal knows (reference §5.1).
const SCOPES: &str = "agreements.read agreements.write appointments.read appointments.write \
    businessoperations.read customers.read customers.write files.read files.write \
    filerequest.read filerequest.write fileshare.read fileshare.write offers.read offers.write \
    invoices.read paymentlinks.read paymentlinks.write subscription.read subscription.write \
    tickets.read tickets.write webhooks.read webhooks.write";
const MALFORMED: &str = "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.";
const GRANT_INVALID: &str = "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";
const RESPONSE_TYPE: &str =
    "The authorization server does not support obtaining an authorization code using this method.";
const GRANT_TYPE: &str =
    "The authorization grant type is not supported by the authorization server.";
const SCOPE_INVALID: &str = "The requested scope is invalid, unknown, or malformed";

/// A refused request: Passport's `error` and `error_description`.
type Refusal = (&'static str, &'static str);
const BAD_CLIENT: Refusal = ("invalid_client", "Client authentication failed");
const BAD_REQUEST: Refusal = ("invalid_request", MALFORMED);
const BAD_GRANT: Refusal = ("invalid_grant", GRANT_INVALID);
const BAD_REFRESH: Refusal = ("invalid_grant", "The refresh token is invalid.");
const BAD_GRANT_TYPE: Refusal = ("unsupported_grant_type", GRANT_TYPE);
const BAD_SCOPE: Refusal = ("invalid_scope", SCOPE_INVALID);
const BAD_RESPONSE_TYPE: Refusal = ("unsupported_response_type", RESPONSE_TYPE);

/// The OAuth2 side of the mock: one registered app and its token lifetimes; pass it
/// to [`MockServerBuilder::oauth`](crate::MockServerBuilder::oauth).
///
/// Defaults: client id `mkp-test-app`, secret `mkp-test-secret`, access tokens valid
/// for one hour, refresh tokens not rotated, served on an origin of its own (a second
/// loopback port, like the management host beside the API host).
#[derive(Clone, Debug)]
#[must_use]
pub struct MockOAuth {
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) access_token_lifetime: Duration,
    pub(crate) rotate_refresh_tokens: bool,
    pub(crate) own_origin: bool,
}

impl Default for MockOAuth {
    fn default() -> Self {
        MockOAuth {
            client_id: "mkp-test-app".to_owned(),
            client_secret: Secret("mkp-test-secret".to_owned()),
            access_token_lifetime: Duration::from_secs(3600),
            rotate_refresh_tokens: false,
            own_origin: true,
        }
    }
}

impl MockOAuth {
    /// The defaults listed above.
    pub fn new() -> Self {
        MockOAuth::default()
    }

    /// The registered app's id and secret.
    pub fn client(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.client_id = id.into();
        self.client_secret = Secret(secret.into());
        self
    }

    setters! {
        /// How long an access token is accepted (`expires_in`, whole seconds, at least 1).
        fn access_token_lifetime(lifetime: Duration)
            access_token_lifetime = lifetime.max(Duration::from_secs(1));
        /// Answer every refresh with a new refresh token and stop accepting the old one
        /// (not documented by the vendor; Passport does it).
        fn rotate_refresh_tokens(rotate: bool) rotate_refresh_tokens = rotate;
        /// Serve `/oauth/*` on the API's own origin instead of an origin of its own.
        fn same_origin() own_origin = false;
    }
}

/// Counters of the OAuth endpoints, since the server started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthStats {
    /// Authorization requests approved (redirected with a code).
    pub authorizations: u64,
    /// Codes exchanged for tokens.
    pub code_exchanges: u64,
    /// Refresh tokens exchanged for new access tokens.
    pub refreshes: u64,
    /// Token requests refused (bad client, code, refresh token or body).
    pub refused: u64,
    /// API requests refused because their access token had expired.
    pub expired_access_tokens: u64,
    /// Token requests answered 503 on purpose (see
    /// [`MockServer::fail_next_token_requests`](crate::MockServer::fail_next_token_requests)).
    pub failed_on_purpose: u64,
}

/// Issued tokens (codes: with their redirect URI and expiry), and counters.
#[derive(Default)]
pub(crate) struct OAuthState {
    config: MockOAuth,
    seed: u64,
    issued: u64,
    codes: HashMap<String, (String, Instant)>,
    refresh_tokens: HashSet<String>,
    access_tokens: HashMap<String, Instant>,
    stats: OAuthStats,
    /// Token requests still to be answered 503.
    fail_next: u64,
}

/// What an access token presented to the API is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccessCheck {
    Valid,
    Expired,
    Unknown,
}

impl OAuthState {
    pub(crate) fn new(config: MockOAuth, seed: u64) -> Self {
        OAuthState {
            config,
            seed,
            ..OAuthState::default()
        }
    }

    pub(crate) fn own_origin(&self) -> bool {
        self.config.own_origin
    }

    pub(crate) fn stats(&self) -> OAuthStats {
        self.stats
    }

    /// Answer the next `count` token requests with 503, processing nothing.
    pub(crate) fn fail_next_token_requests(&mut self, count: u64) {
        self.fail_next = count;
    }

    /// Every refresh token stops working; access tokens run out as usual.
    pub(crate) fn revoke_grants(&mut self) {
        self.refresh_tokens.clear();
    }

    pub(crate) fn check_access(&mut self, presented: &str, now: Instant) -> AccessCheck {
        match self.access_tokens.get(presented) {
            Some(expires) if now < *expires => AccessCheck::Valid,
            Some(_) => {
                self.stats.expired_access_tokens += 1;
                AccessCheck::Expired
            }
            None => AccessCheck::Unknown,
        }
    }

    /// A new unguessable-looking token with `prefix`.
    fn token(&mut self, prefix: &str) -> String {
        self.issued += 1;
        let draw = |n| draw(self.seed, TOKEN_DOMAIN, n);
        let n = 2 * self.issued;
        format!("{prefix}{:016x}{:016x}", draw(n), draw(n + 1))
    }

    /// A token answer's fields: an access token valid from `now`, and a new refresh token
    /// if `refresh`.
    fn token_fields(&mut self, now: Instant, refresh: bool) -> Map<String, Value> {
        let token = self.token("mkp_at_");
        let lifetime = self.config.access_token_lifetime;
        self.access_tokens.insert(token.clone(), now + lifetime);
        // Forget tokens long expired, so a long test does not grow the map without end.
        self.access_tokens
            .retain(|_, expires| *expires + lifetime * 4 > now);
        let mut fields = Map::new();
        fields.insert("token_type".into(), "Bearer".into());
        fields.insert("expires_in".into(), lifetime.as_secs().into());
        fields.insert("access_token".into(), token.into());
        if refresh {
            let refresh = self.token("mkp_rt_");
            self.refresh_tokens.insert(refresh.clone());
            fields.insert("refresh_token".into(), refresh.into());
        }
        fields
    }

    /// A new grant (access and refresh token, valid from `now`), as a token answer's fields.
    pub(crate) fn new_grant(&mut self, now: Instant) -> Map<String, Value> {
        self.token_fields(now, true)
    }

    /// `GET /oauth/authorize`: approve at once and redirect with a code, or explain.
    fn authorize(&mut self, query: Option<&str>, now: Instant) -> Response {
        let pairs = url::form_urlencoded::parse(query.unwrap_or("").as_bytes());
        let params: HashMap<String, String> = pairs.into_owned().collect();
        let get = |name: &str| params.get(name).map_or("", String::as_str);
        if get("client_id") != self.config.client_id {
            return oauth_error(BAD_CLIENT);
        }
        let Ok(mut redirect) = url::Url::parse(get("redirect_uri")) else {
            let description = format!("{MALFORMED} Check the `redirect_uri` parameter.");
            return oauth_error(("invalid_request", &description));
        };
        let state = get("state");
        let known_scope = |scope| SCOPES.split(' ').any(|known| known == scope);
        let refusal = if get("response_type") != "code" {
            Some(BAD_RESPONSE_TYPE)
        } else if state.is_empty() {
            Some(("invalid_request", "Check the `state` parameter."))
        } else if !get("scope").split(' ').all(known_scope) {
            Some(BAD_SCOPE)
        } else if !matches!(get("prompt"), "" | "consent" | "login") {
            Some(("invalid_request", "Check the `prompt` parameter."))
        } else {
            None
        };
        let mut query = redirect.query_pairs_mut();
        if let Some((error, description)) = refusal {
            query.append_pair("error", error);
            query.append_pair("error_description", description);
        } else {
            let code = self.token("mkp_code_");
            let grant = (get("redirect_uri").to_owned(), now + CODE_LIFETIME);
            self.codes.insert(code.clone(), grant);
            self.stats.authorizations += 1;
            query.append_pair("code", &code);
        }
        if !state.is_empty() {
            query.append_pair("state", state);
        }
        let location = [(header::LOCATION, query.finish().as_str())];
        (StatusCode::FOUND, location).into_response()
    }

    /// `POST /oauth/tokens`: a code or a refresh token for tokens.
    fn tokens(&mut self, body: &[u8], now: Instant) -> Response {
        if self.fail_next > 0 {
            self.fail_next -= 1;
            self.stats.failed_on_purpose += 1;
            return responses::message(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable");
        }
        match self.grant(body, now) {
            Ok(fields) => {
                let body = serde_json::to_vec(&fields).unwrap_or_default();
                let no_store = [(header::CACHE_CONTROL, "no-store")];
                (no_store, responses::json(StatusCode::OK, body)).into_response()
            }
            Err(refusal) => {
                self.stats.refused += 1;
                oauth_error(refusal)
            }
        }
    }

    /// The fields of a token answer, or Passport's refusal.
    fn grant(&mut self, body: &[u8], now: Instant) -> Result<Map<String, Value>, Refusal> {
        let fields: HashMap<String, Value> =
            serde_json::from_slice(body).map_err(|_| BAD_REQUEST)?;
        let get = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or("");
        let secret = get("client_secret").as_bytes();
        if get("client_id") != self.config.client_id
            || !constant_time_eq(secret, self.config.client_secret.0.as_bytes())
        {
            return Err(BAD_CLIENT);
        }
        match get("grant_type") {
            "authorization_code" => {
                let code = self.codes.remove(get("code"));
                code.filter(|(uri, expires)| *expires > now && uri == get("redirect_uri"))
                    .ok_or(BAD_GRANT)?;
                self.stats.code_exchanges += 1;
                Ok(self.new_grant(now))
            }
            "refresh_token" => {
                let presented = get("refresh_token");
                if !self.refresh_tokens.contains(presented) {
                    return Err(BAD_REFRESH);
                }
                let rotate = self.config.rotate_refresh_tokens;
                if rotate {
                    self.refresh_tokens.remove(presented);
                }
                self.stats.refreshes += 1;
                Ok(self.token_fields(now, rotate))
            }
            "" => Err(BAD_REQUEST),
            _ => Err(BAD_GRANT_TYPE),
        }
    }
}

/// Passport's error body, `{error, error_description, message}`: 401 for a bad client, else 400.
fn oauth_error((error, description): (&str, &str)) -> Response {
    let body = json!({"error": error, "error_description": description, "message": description});
    let status = if error == BAD_CLIENT.0 {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    responses::json(status, serde_json::to_vec(&body).unwrap_or_default())
}

pub(crate) fn is_oauth_path(path: &str) -> bool {
    path.trim_end_matches('/').starts_with("/oauth/")
}

/// Answers a request for `/oauth/*`.
pub(crate) async fn respond(state: &Mutex<OAuthState>, parts: &Parts, body: Body) -> Response {
    let path = parts.uri.path().trim_end_matches('/');
    let (method, now) = (&parts.method, Instant::now());
    match (path, method) {
        ("/oauth/authorize", &Method::GET) => lock(state).authorize(parts.uri.query(), now),
        ("/oauth/tokens", &Method::POST) => {
            let Ok(bytes) = axum::body::to_bytes(body, MAX_TOKEN_BODY_BYTES).await else {
                lock(state).stats.refused += 1;
                return responses::message(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large");
            };
            lock(state).tokens(&bytes, Instant::now())
        }
        ("/oauth/authorize", _) => responses::method_not_allowed(method, &path[1..], "GET, HEAD"),
        ("/oauth/tokens", _) => responses::method_not_allowed(method, &path[1..], "POST"),
        _ => responses::route_not_found(responses::laravel_path(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(config: MockOAuth) -> OAuthState {
        OAuthState::new(config, 7)
    }

    fn location(response: &Response) -> url::Url {
        let location = response.headers()[header::LOCATION].to_str().unwrap();
        url::Url::parse(location).unwrap()
    }

    fn param(url: &url::Url, name: &str) -> Option<String> {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    const AUTHORIZE: &str = "client_id=mkp-test-app&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&state=xyz&scope=invoices.read+customers.read&response_type=code";

    #[tokio::test(start_paused = true)]
    async fn code_then_refresh_then_expiry() {
        let mut oauth = state(MockOAuth::new().access_token_lifetime(Duration::from_secs(60)));
        let now = Instant::now();
        let redirect = oauth.authorize(Some(AUTHORIZE), now);
        assert_eq!(redirect.status(), StatusCode::FOUND);
        let url = location(&redirect);
        assert_eq!(url.path(), "/callback");
        assert_eq!(param(&url, "state").as_deref(), Some("xyz"));
        let code = param(&url, "code").unwrap();

        let exchange = serde_json::json!({
            "grant_type": "authorization_code", "client_id": "mkp-test-app",
            "client_secret": "mkp-test-secret", "redirect_uri": "http://127.0.0.1:8765/callback",
            "code": code,
        });
        let fields = oauth
            .grant(exchange.to_string().as_bytes(), now)
            .expect("exchanged");
        assert_eq!(fields["expires_in"], 60);
        let access = fields["access_token"].as_str().unwrap().to_owned();
        let refresh = fields["refresh_token"].as_str().unwrap().to_owned();
        assert!(
            oauth.grant(exchange.to_string().as_bytes(), now).is_err(),
            "a code is single-use"
        );
        assert_eq!(oauth.check_access(&access, now), AccessCheck::Valid);
        let later = now + Duration::from_secs(60);
        assert_eq!(oauth.check_access(&access, later), AccessCheck::Expired);
        assert_eq!(
            oauth.check_access("mkp_at_nope", later),
            AccessCheck::Unknown
        );

        let refresh_body = serde_json::json!({
            "grant_type": "refresh_token", "client_id": "mkp-test-app",
            "client_secret": "mkp-test-secret", "refresh_token": refresh,
        })
        .to_string();
        let fields = oauth
            .grant(refresh_body.as_bytes(), later)
            .expect("refreshed");
        assert!(
            fields.get("refresh_token").is_none(),
            "not rotated by default"
        );
        let renewed = fields["access_token"].as_str().unwrap();
        assert_ne!(renewed, access);
        assert_eq!(oauth.check_access(renewed, later), AccessCheck::Valid);

        oauth.revoke_grants();
        let refused = oauth.tokens(refresh_body.as_bytes(), later);
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let stats = oauth.stats();
        assert_eq!(
            (
                stats.authorizations,
                stats.code_exchanges,
                stats.refreshes,
                stats.refused
            ),
            (1, 1, 1, 1)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn rotation_invalidates_the_old_refresh_token() {
        let mut oauth = state(MockOAuth::new().rotate_refresh_tokens(true));
        let now = Instant::now();
        let code = param(&location(&oauth.authorize(Some(AUTHORIZE), now)), "code").unwrap();
        let exchange = serde_json::json!({
            "grant_type": "authorization_code", "client_id": "mkp-test-app",
            "client_secret": "mkp-test-secret", "redirect_uri": "http://127.0.0.1:8765/callback",
            "code": code,
        });
        let first = oauth.grant(exchange.to_string().as_bytes(), now).unwrap();
        let refresh = |token: &serde_json::Value| {
            serde_json::json!({
                "grant_type": "refresh_token", "client_id": "mkp-test-app",
                "client_secret": "mkp-test-secret", "refresh_token": token,
            })
            .to_string()
        };
        let second = oauth
            .grant(refresh(&first["refresh_token"]).as_bytes(), now)
            .unwrap();
        assert_ne!(second["refresh_token"], first["refresh_token"]);
        assert!(
            oauth
                .grant(refresh(&first["refresh_token"]).as_bytes(), now)
                .is_err()
        );
        assert!(
            oauth
                .grant(refresh(&second["refresh_token"]).as_bytes(), now)
                .is_ok()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn refusals_redirect_with_an_error_or_answer_json() {
        let mut oauth = state(MockOAuth::new());
        let now = Instant::now();
        let bad_scope = AUTHORIZE.replace("customers.read", "customer.write");
        let url = location(&oauth.authorize(Some(&bad_scope), now));
        assert_eq!(param(&url, "error").as_deref(), Some("invalid_scope"));
        assert_eq!(param(&url, "state").as_deref(), Some("xyz"));
        assert!(param(&url, "code").is_none());

        let unknown_client = AUTHORIZE.replace("mkp-test-app", "other");
        let response = oauth.authorize(Some(&unknown_client), now);
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "never redirected"
        );

        let wrong_secret = serde_json::json!({
            "grant_type": "refresh_token", "client_id": "mkp-test-app",
            "client_secret": "guess", "refresh_token": "x",
        });
        let response = oauth.tokens(wrong_secret.to_string().as_bytes(), now);
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let response = oauth.tokens(b"grant_type=refresh_token", now);
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "JSON only");
    }
}
