//! Many portals on one server, told apart by the token, as an app that many portals
//! connect to (a bookkeeping sync) sees them. Each [`MockAccount`] is a complete server
//! state of its own (a `Shared`); requests go to the account whose token they carry
//! (any other token: the builder's default account). Token requests go to the account
//! whose refresh token or code they present, and the tokens answered are routed too.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::auth::{self, Secret};
use crate::dataset::Dataset;
use crate::handler::{Config, Shared};
use crate::oauth;
use crate::server::setters;

/// Largest token-request body routed.
const MAX_ROUTED_BODY_BYTES: usize = 16 * 1024;

/// One more portal on the server: requests with its token see its own invoices, count
/// against its own rate limit, and with [`oauth`](Self::oauth) it has an OAuth grant
/// of its own. Pass it to
/// [`MockServerBuilder::account`](crate::MockServerBuilder::account).
///
/// Defaults: the server's invoice count and rate limit, a seed of its own (the
/// server's seed plus the account's position, from 1), no OAuth grant.
///
/// ```
/// # use mijnklantportaal_mock::{MockAccount, MockServer};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let portal_a = MockAccount::new("portal-a").invoices(3);
/// let server = MockServer::builder().account(portal_a).start().await?;
/// // Requests with the token `portal-a` list these 3 invoices.
/// assert_eq!(server.account_dataset("portal-a").map(|d| d.len()), Some(3));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct MockAccount {
    token: Secret,
    invoices: Option<u64>,
    seed: Option<u64>,
    rate_limit: Option<Option<(u32, Duration)>>,
    oauth: bool,
}

impl MockAccount {
    /// An account whose API key (its name in the server's account methods) is `token`.
    pub fn new(token: impl Into<String>) -> Self {
        MockAccount {
            token: Secret(token.into()),
            invoices: None,
            seed: None,
            rate_limit: None,
            oauth: false,
        }
    }

    setters! {
        /// Number of invoices in the account's dataset.
        fn invoices(count: u64) invoices = Some(count);
        /// Seed of the account's dataset (and of its OAuth tokens).
        fn seed(seed: u64) seed = Some(seed);
        /// The account's own limit: `limit` requests per `window`.
        fn rate_limit(limit: u32, window: Duration) rate_limit = Some(Some((limit, window)));
        /// No rate limit for this account.
        fn no_rate_limit() rate_limit = Some(None);
        /// The account has connected the server's OAuth app (the builder's `oauth`, else the
        /// defaults of [`MockOAuth::new`](crate::MockOAuth::new)): its tokens are those of
        /// [`MockServer::account_grant`](crate::MockServer::account_grant), and refresh like
        /// any grant's (at the API's origin if the builder has no `oauth` of its own).
        fn oauth() oauth = true;
    }
}

/// The tokens of an account's OAuth grant, as an app keeps them after the exchange.
/// `Debug` shows neither token.
#[derive(Clone)]
#[non_exhaustive]
pub struct MockGrant {
    /// The access token, for the API.
    pub access_token: String,
    /// The refresh token, for the token endpoint.
    pub refresh_token: String,
    /// How long the access token is valid from when the server started.
    pub expires_in: Duration,
}

impl fmt::Debug for MockGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockGrant")
            .field("access_token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// The accounts of a server, and which token goes to which.
pub(crate) struct Accounts {
    default: Arc<Shared>,
    /// Each account's state and OAuth grant, by its API key.
    pub(crate) named: HashMap<String, (Arc<Shared>, Option<MockGrant>)>,
    /// Every token routed to an account: API keys, issued access and refresh tokens.
    routes: RwLock<HashMap<String, Arc<Shared>>>,
}

impl Accounts {
    /// The server's accounts: `default` (the builder's), and one state per account in
    /// `accounts`, each from `config` with the account's own settings.
    pub(crate) fn new(
        default: Arc<Shared>,
        accounts: &[MockAccount],
        config: &Config,
        local_addr: std::net::SocketAddr,
    ) -> Self {
        let mut named = HashMap::new();
        let mut routes = HashMap::new();
        for (position, account) in (1u64..).zip(accounts) {
            let (base, oauth) = (&config.dataset, config.oauth.clone().unwrap_or_default());
            let seed = account.seed.unwrap_or(base.seed().wrapping_add(position));
            let config = Config {
                dataset: Dataset::new(seed, account.invoices.unwrap_or(base.len())),
                rate_limit: account.rate_limit.unwrap_or(config.rate_limit),
                oauth: account.oauth.then_some(oauth),
                ..config.clone()
            };
            let token = &account.token.0;
            let shared = Arc::new(Shared::new(config, local_addr, Some(token.clone()), None));
            let grant = shared.new_oauth_grant().and_then(grant_of);
            routes.insert(token.clone(), Arc::clone(&shared));
            if let Some(grant) = &grant {
                routes.insert(grant.access_token.clone(), Arc::clone(&shared));
                routes.insert(grant.refresh_token.clone(), Arc::clone(&shared));
            }
            named.insert(token.clone(), (shared, grant));
        }
        Accounts {
            default,
            named,
            routes: RwLock::new(routes),
        }
    }

    fn route(&self, token: &str) -> Option<Arc<Shared>> {
        let routes = self.routes.read().unwrap_or_else(PoisonError::into_inner);
        routes.get(token).cloned()
    }

    /// A token request, to the account of the token or code it presents; the tokens
    /// answered are routed to that account from now on. `api_origin`: whether it came
    /// to the API's origin (OAuth served under it) rather than an origin of its own.
    async fn token_request(&self, request: Request, api_origin: bool) -> Response {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = to_bytes(body, MAX_ROUTED_BODY_BYTES).await else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        let fields = serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default();
        let presented = fields["refresh_token"].as_str().or(fields["code"].as_str());
        let account = presented.and_then(|token| self.route(token));
        let request = Request::from_parts(parts, Body::from(bytes));
        let Some(account) = account else {
            return self.default.serve(request, !api_origin).await;
        };
        let response = account.serve(request, true).await;
        if response.status() != StatusCode::OK {
            return response;
        }
        let (parts, body) = response.into_parts();
        let Ok(bytes) = to_bytes(body, MAX_ROUTED_BODY_BYTES).await else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let fields = serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default();
        let mut routes = self.routes.write().unwrap_or_else(PoisonError::into_inner);
        for name in ["access_token", "refresh_token"] {
            if let Some(token) = fields[name].as_str() {
                routes.insert(token.to_owned(), Arc::clone(&account));
            }
        }
        Response::from_parts(parts, Body::from(bytes))
    }
}

/// The tokens of a token answer's fields.
fn grant_of(fields: serde_json::Map<String, serde_json::Value>) -> Option<MockGrant> {
    Some(MockGrant {
        access_token: fields.get("access_token")?.as_str()?.to_owned(),
        refresh_token: fields.get("refresh_token")?.as_str()?.to_owned(),
        expires_in: Duration::from_secs(fields.get("expires_in")?.as_u64()?),
    })
}

/// The handler of the API's origin and (`oauth_origin`) the OAuth origin: each request
/// to the account of its bearer token, each token request to the account it is for.
pub(crate) async fn handle(
    accounts: Arc<Accounts>,
    request: Request,
    oauth_origin: bool,
) -> Response {
    if !accounts.named.is_empty() && (oauth_origin || oauth::is_oauth_path(request.uri().path())) {
        return accounts.token_request(request, !oauth_origin).await;
    }
    // Without accounts, no token has a route.
    let account = auth::bearer_token(request.headers()).and_then(|token| accounts.route(token));
    let account = account.unwrap_or_else(|| Arc::clone(&accounts.default));
    account.serve(request, oauth_origin).await
}
