//! Connecting a third-party app to a portal: OAuth2's authorization-code flow.
//!
//! The vendor forbids apps to ask users for API keys: an app sends the user to the
//! management host's `/oauth/authorize`, gets a `code` back on its redirect URI, and
//! exchanges it at `/oauth/tokens` for an access token (for the API) and a refresh
//! token (for new access tokens). This module is that flow, with the checks apps
//! forget: a random `state` compared on the way back, the redirect's `error` as a
//! typed error, secrets kept out of `Debug` and error messages, and token requests
//! that follow no redirect (a redirected POST would carry the client secret
//! elsewhere). Refreshing while the client runs is in `token_refresh.rs`.
//!
//! Token requests go through the same reqwest set-up as API requests (user agent,
//! timeouts: [`crate::client::http_defaults`]), without redirects; an app behind a
//! proxy or with its own TLS roots gives its own with [`OAuthApp::http_client`]. The
//! management host's rate limit is honoured: a 429 is retried after its
//! `Retry-After` (up to [`MAX_TOKEN_WAIT`]).

use std::fmt;
use std::time::{Duration, SystemTime};

use mijnklantportaal_api::SecretString;
use serde::Deserialize;
use tokio::time::Instant;

use crate::client::{UrlRules, http_defaults, http_url};
use crate::error::{Error, one_line};

/// The management host, where apps are authorized and tokens issued.
pub const DEFAULT_OAUTH_URL: &str = "https://manage.mijnklantportaal.nl";

/// The path of the token endpoint, for errors.
const TOKENS_PATH: &str = "/oauth/tokens";

/// The longest `Retry-After` of the token endpoint that a token request waits out
/// (longer ones are returned as the 429 they are).
pub(crate) const MAX_TOKEN_WAIT: Duration = Duration::from_secs(60);

/// How many times a token request is sent at most (the first and the retries after a
/// 429).
const TOKEN_ATTEMPTS: u32 = 3;

/// What an app may do in a portal, as the management portal names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Scope {
    AgreementsRead,
    AgreementsWrite,
    AppointmentsRead,
    AppointmentsWrite,
    BusinessOperationsRead,
    CustomersRead,
    CustomersWrite,
    FilesRead,
    FilesWrite,
    FileRequestRead,
    FileRequestWrite,
    FileShareRead,
    FileShareWrite,
    OffersRead,
    OffersWrite,
    /// Customer invoices and their PDFs (no `invoices.write` is documented).
    InvoicesRead,
    PaymentLinksRead,
    PaymentLinksWrite,
    SubscriptionRead,
    SubscriptionWrite,
    TicketsRead,
    TicketsWrite,
    WebhooksRead,
    WebhooksWrite,
}

impl Scope {
    /// The scope as sent in `scope` (`invoices.read`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::AgreementsRead => "agreements.read",
            Scope::AgreementsWrite => "agreements.write",
            Scope::AppointmentsRead => "appointments.read",
            Scope::AppointmentsWrite => "appointments.write",
            Scope::BusinessOperationsRead => "businessoperations.read",
            Scope::CustomersRead => "customers.read",
            Scope::CustomersWrite => "customers.write",
            Scope::FilesRead => "files.read",
            Scope::FilesWrite => "files.write",
            Scope::FileRequestRead => "filerequest.read",
            Scope::FileRequestWrite => "filerequest.write",
            Scope::FileShareRead => "fileshare.read",
            Scope::FileShareWrite => "fileshare.write",
            Scope::OffersRead => "offers.read",
            Scope::OffersWrite => "offers.write",
            Scope::InvoicesRead => "invoices.read",
            Scope::PaymentLinksRead => "paymentlinks.read",
            Scope::PaymentLinksWrite => "paymentlinks.write",
            Scope::SubscriptionRead => "subscription.read",
            Scope::SubscriptionWrite => "subscription.write",
            Scope::TicketsRead => "tickets.read",
            Scope::TicketsWrite => "tickets.write",
            Scope::WebhooksRead => "webhooks.read",
            Scope::WebhooksWrite => "webhooks.write",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the management portal shows the user (`prompt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Prompt {
    /// Ask the user to approve the app (the portal's default).
    Consent,
    /// Ask the user to log in again first.
    Login,
}

/// An OAuth2 `error` code, from a redirect or the token endpoint (RFC 6749 §4.1.2.1,
/// §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum OAuthErrorCode {
    /// The user declined.
    AccessDenied,
    InvalidRequest,
    InvalidScope,
    UnauthorizedClient,
    UnsupportedResponseType,
    ServerError,
    TemporarilyUnavailable,
    /// The code or refresh token is invalid, expired or revoked.
    InvalidGrant,
    /// The client id or secret is wrong.
    InvalidClient,
    UnsupportedGrantType,
    /// A code this crate does not know.
    Other(String),
}

impl OAuthErrorCode {
    fn parse(code: &str) -> Self {
        match code {
            "access_denied" => OAuthErrorCode::AccessDenied,
            "invalid_request" => OAuthErrorCode::InvalidRequest,
            "invalid_scope" => OAuthErrorCode::InvalidScope,
            "unauthorized_client" => OAuthErrorCode::UnauthorizedClient,
            "unsupported_response_type" => OAuthErrorCode::UnsupportedResponseType,
            "server_error" => OAuthErrorCode::ServerError,
            "temporarily_unavailable" => OAuthErrorCode::TemporarilyUnavailable,
            "invalid_grant" => OAuthErrorCode::InvalidGrant,
            "invalid_client" => OAuthErrorCode::InvalidClient,
            "unsupported_grant_type" => OAuthErrorCode::UnsupportedGrantType,
            other => OAuthErrorCode::Other(one_line(other, 40)),
        }
    }

    /// The code as sent (`access_denied`).
    pub fn as_str(&self) -> &str {
        match self {
            OAuthErrorCode::AccessDenied => "access_denied",
            OAuthErrorCode::InvalidRequest => "invalid_request",
            OAuthErrorCode::InvalidScope => "invalid_scope",
            OAuthErrorCode::UnauthorizedClient => "unauthorized_client",
            OAuthErrorCode::UnsupportedResponseType => "unsupported_response_type",
            OAuthErrorCode::ServerError => "server_error",
            OAuthErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            OAuthErrorCode::InvalidGrant => "invalid_grant",
            OAuthErrorCode::InvalidClient => "invalid_client",
            OAuthErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            OAuthErrorCode::Other(code) => code,
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A registered app: its id and secret (from the Developer portal), its redirect URI,
/// and the management host. Cheap to clone.
///
/// ```no_run
/// use mijnklantportaal::{OAuthApp, Scope};
///
/// # async fn run(redirected_to: &str) -> Result<(), mijnklantportaal::Error> {
/// let app = OAuthApp::new("app-id", "app-secret", "http://127.0.0.1:8765/callback")?;
/// let authorization = app.authorization(&[Scope::InvoicesRead])?;
/// println!("Open this URL in your browser: {}", authorization.url());
/// // ... the browser comes back to the redirect URI ...
/// let code = authorization.check_redirect(redirected_to)?;
/// let tokens = app.exchange(code).await?;
/// let client = mijnklantportaal::Client::builder().oauth(app, tokens).build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct OAuthApp {
    client_id: String,
    client_secret: SecretString,
    redirect_uri: url::Url,
    oauth_url: url::Url,
    http: reqwest::Client,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("redirect_uri", &self.redirect_uri.as_str())
            .field("oauth_url", &self.oauth_url.as_str())
            .finish_non_exhaustive()
    }
}

impl OAuthApp {
    /// The app `client_id` with `client_secret`, whose registered redirect URI is
    /// `redirect_uri`, on the production management host.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uri: &str,
    ) -> Result<Self, Error> {
        let client_id = client_id.into().trim().to_owned();
        let client_secret = client_secret.into().trim().to_owned();
        if client_id.is_empty() || client_secret.is_empty() {
            return Err(Error::Config(
                "the OAuth app needs its id and secret (Developer portal → your app)".to_owned(),
            ));
        }
        let redirect_uri = http_url(redirect_uri, "redirect URI", UrlRules::Redirect)?;
        Ok(OAuthApp {
            client_id,
            client_secret: SecretString::from(client_secret),
            redirect_uri,
            oauth_url: http_url(DEFAULT_OAUTH_URL, "OAuth URL", UrlRules::Root)?,
            http: token_client(http_defaults(None, None, None))?,
        })
    }

    /// The management host (default [`DEFAULT_OAUTH_URL`]); the client secret and the
    /// refresh token are sent to this origin only.
    pub fn oauth_url(mut self, url: &str) -> Result<Self, Error> {
        self.oauth_url = http_url(url, "OAuth URL", UrlRules::Root)?;
        Ok(self)
    }

    /// Send token requests with a client built from `builder`: a proxy, TLS roots,
    /// timeouts, a user agent. Its redirect policy is replaced by none (a redirected
    /// token request would carry the app's secret and the tokens to another URL).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mijnklantportaal::OAuthApp;
    ///
    /// let app = OAuthApp::new("app-id", "app-secret", "http://127.0.0.1:8765/callback")?
    ///     .http_client(
    ///         reqwest::Client::builder()
    ///             .timeout(Duration::from_secs(10))
    ///             .user_agent("my-app/1.0"),
    ///     )?;
    /// # let _ = app;
    /// # Ok::<(), mijnklantportaal::Error>(())
    /// ```
    pub fn http_client(mut self, builder: reqwest::ClientBuilder) -> Result<Self, Error> {
        self.http = token_client(builder)?;
        Ok(self)
    }

    /// The app's id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Where the user's browser is sent back to.
    pub fn redirect_uri(&self) -> &url::Url {
        &self.redirect_uri
    }

    fn endpoint(&self, path: &str) -> url::Url {
        let mut url = self.oauth_url.clone();
        let base = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base}{path}"));
        url.set_query(None);
        url
    }

    /// A new authorization request for `scopes`, with a fresh random `state`: send the
    /// user to its [`url`](Authorization::url), keep it until the redirect arrives.
    pub fn authorization(&self, scopes: &[Scope]) -> Result<Authorization, Error> {
        if scopes.is_empty() {
            return Err(Error::InvalidInput(
                "an authorization needs at least one scope (e.g. Scope::InvoicesRead)".to_owned(),
            ));
        }
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::Internal(format!("no random numbers for the OAuth state: {e}")))?;
        let state: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let scope = scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let mut url = self.endpoint("/oauth/authorize");
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", self.redirect_uri.as_str())
            .append_pair("state", &state)
            .append_pair("scope", &scope)
            .append_pair("response_type", "code");
        Ok(Authorization {
            url,
            state,
            redirect_uri: self.redirect_uri.clone(),
        })
    }

    /// Exchanges a code from [`Authorization::check_redirect`] for tokens.
    ///
    /// # Errors
    ///
    /// [`Error::TokenEndpoint`] when the code is refused (used, expired, another
    /// redirect URI) or the app's id or secret is wrong; [`Error::Transport`].
    pub async fn exchange(&self, code: AuthorizationCode) -> Result<Tokens, Error> {
        let body = serde_json::json!({
            "grant_type": "authorization_code",
            "client_id": self.client_id,
            "client_secret": self.client_secret.expose_secret(),
            "redirect_uri": code.redirect_uri,
            "code": code.code.expose_secret(),
        });
        let answer = self.token_request(&body).await.map_err(|f| f.error)?;
        let refresh = answer
            .refresh_token
            .clone()
            .ok_or_else(|| Error::TokenEndpoint {
                status: 200,
                error: None,
                description: Some("the answer has no refresh_token".to_owned()),
            })?;
        Ok(Tokens::received(answer, SecretString::from(refresh)))
    }

    /// A new access token for `tokens`' refresh token; a rotated refresh token is
    /// kept, else the old one. A refused refresh token is [`Error::ReconnectRequired`].
    pub(crate) async fn refresh(&self, tokens: &Tokens) -> Result<Tokens, TokenFailure> {
        let body = serde_json::json!({
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self.client_secret.expose_secret(),
            "refresh_token": tokens.refresh_token.expose_secret(),
        });
        match self.token_request(&body).await {
            Ok(answer) => {
                let refresh = match &answer.refresh_token {
                    Some(rotated) => SecretString::from(rotated.as_str()),
                    None => tokens.refresh_token.clone(),
                };
                Ok(Tokens::received(answer, refresh))
            }
            Err(TokenFailure {
                error:
                    Error::TokenEndpoint {
                        error: Some(error @ OAuthErrorCode::InvalidGrant),
                        description,
                        ..
                    },
                ..
            }) => Err(Error::ReconnectRequired { error, description }.into()),
            Err(other) => Err(other),
        }
    }

    /// One POST to the token endpoint, JSON in and out; a 429 is sent again after its
    /// `Retry-After` (1 s without one), up to [`MAX_TOKEN_WAIT`] and
    /// [`TOKEN_ATTEMPTS`] in all (the endpoint's limiter answered before the
    /// application: nothing was done).
    async fn token_request(&self, body: &serde_json::Value) -> Result<TokenAnswer, TokenFailure> {
        let mut attempt = 1;
        let (status, asked, bytes) = loop {
            let response = self
                .http
                .post(self.endpoint(TOKENS_PATH))
                .header(reqwest::header::ACCEPT, "application/json")
                .json(body)
                .send()
                .await
                .map_err(Error::Transport)?;
            let status = response.status();
            let asked = retry_after(response.headers());
            let wait = (status == reqwest::StatusCode::TOO_MANY_REQUESTS)
                .then(|| asked.unwrap_or(Duration::from_secs(1)));
            let bytes = response.bytes().await.map_err(Error::Transport)?;
            match wait {
                Some(wait) if attempt < TOKEN_ATTEMPTS && wait <= MAX_TOKEN_WAIT => {
                    tracing::warn!(
                        ?wait,
                        "mijnklantportaal: the OAuth token endpoint answered 429; waiting"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                _ => break (status, asked, bytes),
            }
        };
        if !status.is_success() {
            #[derive(Deserialize)]
            struct Refusal {
                error: Option<String>,
                error_description: Option<String>,
                message: Option<String>,
            }
            let refusal = serde_json::from_slice::<Refusal>(&bytes).ok();
            let (error, description) = match refusal {
                Some(r) => (
                    r.error.as_deref().map(OAuthErrorCode::parse),
                    r.error_description.or(r.message).map(|d| one_line(&d, 160)),
                ),
                None => (None, None),
            };
            let wait = matches!(status.as_u16(), 429 | 503)
                .then_some(asked)
                .flatten();
            return Err(TokenFailure {
                error: Error::TokenEndpoint {
                    status: status.as_u16(),
                    error,
                    description,
                },
                wait,
            });
        }
        // The body holds the tokens: an error names no part of it.
        serde_json::from_slice::<TokenAnswer>(&bytes).map_err(|source| {
            Error::InvalidResponse {
                path: TOKENS_PATH,
                snippet: "(not shown: a token answer holds secrets)".to_owned(),
                source,
            }
            .into()
        })
    }
}

/// A failed token request, with how long the endpoint asked to wait before the next
/// one (the `Retry-After` of a 429 or 503), which the refresher remembers.
#[derive(Debug)]
pub(crate) struct TokenFailure {
    pub(crate) error: Error,
    pub(crate) wait: Option<Duration>,
}

impl From<Error> for TokenFailure {
    fn from(error: Error) -> Self {
        TokenFailure { error, wait: None }
    }
}

/// The token endpoint's `Retry-After` in seconds, if it sent one (an HTTP date, which
/// a token endpoint has no reason to send, counts as none).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// The client for token requests: `builder` without redirects.
fn token_client(builder: reqwest::ClientBuilder) -> Result<reqwest::Client, Error> {
    builder
        // A redirected POST would carry the secret and the tokens to another URL.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
}

/// The body of a successful token request.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    /// Seconds; not every server sends it.
    expires_in: Option<u64>,
    refresh_token: Option<String>,
}

/// One authorization request: the URL to send the user to and the `state` that must
/// come back. Keep it (or its [`state`](Self::state)) until the redirect arrives.
#[derive(Clone)]
pub struct Authorization {
    url: url::Url,
    state: String,
    redirect_uri: url::Url,
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

impl Authorization {
    /// The management portal's page that asks the user to connect the app.
    pub fn url(&self) -> &url::Url {
        &self.url
    }

    /// The random `state` (32 hex digits) the redirect must carry back.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// Ask the portal to show `prompt` (default: the portal's, consent).
    pub fn prompt(mut self, prompt: Prompt) -> Self {
        let value = match prompt {
            Prompt::Consent => "consent",
            Prompt::Login => "login",
        };
        let pairs: Vec<(String, String)> = self
            .url
            .query_pairs()
            .filter(|(k, _)| k != "prompt")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        self.url
            .query_pairs_mut()
            .clear()
            .extend_pairs(pairs)
            .append_pair("prompt", value);
        self
    }

    /// Checks where the browser was sent back to: the full URL
    /// (`http://127.0.0.1:8765/callback?code=…&state=…`) or the request target an
    /// HTTP server sees (`/callback?code=…&state=…`). The `state` must be this
    /// request's; then an `error` becomes [`Error::AuthorizationRefused`], and the
    /// `code` is returned for [`OAuthApp::exchange`].
    ///
    /// # Errors
    ///
    /// [`Error::StateMismatch`], [`Error::AuthorizationRefused`],
    /// [`Error::InvalidRedirect`].
    pub fn check_redirect(&self, redirected_to: &str) -> Result<AuthorizationCode, Error> {
        let redirected_to = redirected_to.trim();
        let url = if redirected_to.starts_with('/') || redirected_to.starts_with('?') {
            self.redirect_uri.join(redirected_to)
        } else {
            url::Url::parse(redirected_to)
        }
        .map_err(|_| Error::InvalidRedirect {
            reason: "not a URL",
        })?;
        let mut state = None;
        let mut code = None;
        let mut error = None;
        let mut description = None;
        for (key, value) in url.query_pairs() {
            match &*key {
                "state" => state = Some(value.into_owned()),
                "code" => code = Some(value.into_owned()),
                "error" => error = Some(value.into_owned()),
                "error_description" => description = Some(value.into_owned()),
                _ => {}
            }
        }
        let matches = state
            .as_deref()
            .is_some_and(|s| constant_time_eq(s.as_bytes(), self.state.as_bytes()));
        if !matches {
            return Err(Error::StateMismatch);
        }
        if let Some(error) = error {
            return Err(Error::AuthorizationRefused {
                error: OAuthErrorCode::parse(&error),
                description: description.map(|d| one_line(&d, 160)),
            });
        }
        match code {
            Some(code) if !code.is_empty() => Ok(AuthorizationCode {
                code: SecretString::from(code),
                redirect_uri: self.redirect_uri.as_str().to_owned(),
            }),
            _ => Err(Error::InvalidRedirect {
                reason: "it has neither `code` nor `error`",
            }),
        }
    }
}

/// Compares without an early exit on the first differing byte.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A short-lived code from a checked redirect, for [`OAuthApp::exchange`].
#[derive(Debug)]
pub struct AuthorizationCode {
    code: SecretString,
    redirect_uri: String,
}

/// An access token (for the API) and a refresh token (for new access tokens), with
/// the access token's expiry. Store all three (e.g. from the callback of
/// [`ClientBuilder::on_new_tokens`](crate::ClientBuilder::on_new_tokens)) and give
/// them back with [`Tokens::new`]. `Debug` shows neither token.
#[derive(Clone)]
pub struct Tokens {
    access_token: SecretString,
    refresh_token: SecretString,
    expires_at: Option<SystemTime>,
    /// When the access token expires on tokio's clock, and how long it lived then.
    pub(crate) valid_until: Option<(Instant, Duration)>,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl Tokens {
    /// Tokens from storage; `expires_at` is when the access token expires (`None`:
    /// unknown, refreshed when the API answers 401).
    pub fn new(
        access_token: impl Into<String>,
        refresh_token: impl Into<String>,
        expires_at: Option<SystemTime>,
    ) -> Self {
        let valid_until = expires_at.and_then(|at| {
            let left = at
                .duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO);
            // An expiry beyond what the clock can hold: as good as none.
            Some((Instant::now().checked_add(left)?, left))
        });
        Tokens {
            access_token: SecretString::from(access_token.into()),
            refresh_token: SecretString::from(refresh_token.into()),
            expires_at,
            valid_until,
        }
    }

    /// The tokens of an answer; an `expires_in` too large for the clocks (a server's
    /// "never", near 2^63 seconds) counts as no expiry: refreshed after a 401.
    fn received(answer: TokenAnswer, refresh_token: SecretString) -> Self {
        let lifetime = answer.expires_in.map(Duration::from_secs);
        let expires_at = lifetime.and_then(|l| SystemTime::now().checked_add(l));
        let valid_until = lifetime.and_then(|l| Some((Instant::now().checked_add(l)?, l)));
        Tokens {
            access_token: SecretString::from(answer.access_token),
            refresh_token,
            expires_at: expires_at.filter(|_| valid_until.is_some()),
            valid_until: valid_until.filter(|_| expires_at.is_some()),
        }
    }

    /// The access token, sent to the API.
    pub fn access_token(&self) -> &str {
        self.access_token.expose_secret()
    }

    /// The refresh token, sent to the management host only.
    pub fn refresh_token(&self) -> &str {
        self.refresh_token.expose_secret()
    }

    /// When the access token expires, if the server said.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> OAuthApp {
        OAuthApp::new("app-1", "s3cret-app", "http://127.0.0.1:8765/callback").expect("an app")
    }

    fn param(url: &url::Url, name: &str) -> Option<String> {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    #[test]
    fn the_authorize_url_has_every_parameter_and_a_random_state() {
        let app = app();
        let first = app
            .authorization(&[Scope::InvoicesRead, Scope::CustomersWrite])
            .unwrap();
        let second = app.authorization(&[Scope::InvoicesRead]).unwrap();
        let url = first.url();
        assert_eq!(
            url.as_str().split('?').next(),
            Some("https://manage.mijnklantportaal.nl/oauth/authorize")
        );
        assert_eq!(param(url, "client_id").as_deref(), Some("app-1"));
        assert_eq!(
            param(url, "redirect_uri").as_deref(),
            Some("http://127.0.0.1:8765/callback")
        );
        assert_eq!(
            param(url, "scope").as_deref(),
            Some("invoices.read customers.write")
        );
        assert_eq!(param(url, "response_type").as_deref(), Some("code"));
        assert_eq!(param(url, "prompt"), None);
        assert_eq!(param(url, "state").as_deref(), Some(first.state()));
        assert_eq!(first.state().len(), 32);
        assert!(first.state().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(first.state(), second.state());
        assert!(!url.as_str().contains("s3cret-app"), "no secret in the URL");
        let login = first.prompt(Prompt::Login).prompt(Prompt::Login);
        assert_eq!(param(login.url(), "prompt").as_deref(), Some("login"));
        assert_eq!(login.url().query_pairs().count(), 6);
        assert!(matches!(
            app.authorization(&[]),
            Err(Error::InvalidInput(_))
        ));
    }

    #[test]
    fn redirects_are_checked_state_first() {
        let request = app().authorization(&[Scope::InvoicesRead]).unwrap();
        let state = request.state().to_owned();
        let code = request
            .check_redirect(&format!(
                "http://127.0.0.1:8765/callback?code=c0de&state={state}"
            ))
            .expect("accepted");
        assert_eq!(code.code.expose_secret(), "c0de");
        assert!(
            request
                .check_redirect(&format!("/callback?state={state}&code=c0de"))
                .is_ok()
        );

        // The last digit changed (to one it is not).
        let last = if state.ends_with('0') { '1' } else { '0' };
        let tampered = format!("/callback?code=c0de&state={}{last}", &state[..31]);
        assert!(matches!(
            request.check_redirect(&tampered),
            Err(Error::StateMismatch)
        ));
        assert!(matches!(
            request.check_redirect("/callback?code=c0de"),
            Err(Error::StateMismatch)
        ));
        let forged_error = "/callback?error=access_denied&state=other";
        assert!(matches!(
            request.check_redirect(forged_error),
            Err(Error::StateMismatch)
        ));

        let denied = request
            .check_redirect(&format!(
                "/callback?error=access_denied&error_description=The+user+said+no&state={state}"
            ))
            .unwrap_err();
        match &denied {
            Error::AuthorizationRefused { error, description } => {
                assert_eq!(*error, OAuthErrorCode::AccessDenied);
                assert_eq!(description.as_deref(), Some("The user said no"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            denied.to_string(),
            "the portal did not authorize the app (access_denied: The user said no): start the connection again, with the scopes the user accepts"
        );
        assert!(matches!(
            request.check_redirect(&format!("/callback?state={state}")),
            Err(Error::InvalidRedirect { .. })
        ));
    }

    #[test]
    fn nothing_secret_in_debug() {
        let app = app();
        let debug = format!("{app:?}");
        assert!(!debug.contains("s3cret-app"), "{debug}");
        let tokens = Tokens::new("acc-tok", "ref-tok", None);
        let debug = format!("{tokens:?}");
        assert!(
            !debug.contains("acc-tok") && !debug.contains("ref-tok"),
            "{debug}"
        );
    }
}
