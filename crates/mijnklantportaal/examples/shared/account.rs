//! The account an example works on: the one `MKP_TOKEN` (and `MKP_BASE_URL`, default the
//! production API) name, or, without a token, the workspace's mock server started
//! in-process, so that every example runs on a fresh machine with no account.

use mijnklantportaal::Client;
use mijnklantportaal_mock::{MockServer, MockServerBuilder};

/// The token the built-in mock accepts.
const SAMPLE_TOKEN: &str = "sample-token";

/// A client for the account, and the mock behind it when there is one (keep it alive
/// while the client is used). `sample` configures the mock; `what` says on stderr what
/// the example does with it.
pub async fn connect(
    sample: impl FnOnce(MockServerBuilder) -> MockServerBuilder,
    what: &str,
) -> Result<(Client, Option<MockServer>), String> {
    let (mock, token, base_url) = match std::env::var("MKP_TOKEN") {
        Ok(token) if !token.trim().is_empty() => {
            let base = std::env::var("MKP_BASE_URL")
                .unwrap_or_else(|_| mijnklantportaal::DEFAULT_BASE_URL.to_string());
            (None, token, base)
        }
        _ => {
            let mock = sample(MockServer::builder().token(SAMPLE_TOKEN))
                .start()
                .await
                .map_err(|e| format!("cannot start the built-in mock API: {e}"))?;
            eprintln!(
                "MKP_TOKEN is not set: {what} the built-in mock API at {}",
                mock.base_url()
            );
            let base = mock.base_url();
            (Some(mock), SAMPLE_TOKEN.to_string(), base)
        }
    };
    let client = Client::builder()
        .token(token)
        .base_url(base_url)
        .build()
        .map_err(|e| e.to_string())?;
    Ok((client, mock))
}
