//! Connects an app to a portal with OAuth2 and lists the portal's customer invoices.
//!
//! ```text
//! MKP_CLIENT_ID=... MKP_CLIENT_SECRET=... cargo run -p mijnklantportaal --example oauth_connect
//! cargo run -p mijnklantportaal --example oauth_connect   # the whole flow against the built-in mock
//! ```
//!
//! Reads `MKP_CLIENT_ID`, `MKP_CLIENT_SECRET`, `MKP_REDIRECT_URI` (default
//! `http://127.0.0.1:8765/callback`, which must be registered for the app),
//! `MKP_OAUTH_URL` (default the management host) and `MKP_BASE_URL` (default the
//! production API). It prints the URL to open, listens on the redirect URI's address
//! for the browser to come back, checks the redirect, exchanges the code, lists the
//! customer invoices and prints how many it found. Without `MKP_CLIENT_ID` it starts
//! the workspace's mock (API and OAuth endpoints) in-process and plays the browser
//! itself. No token or secret is printed.

use std::process::ExitCode;

use mijnklantportaal::{Client, OAuthApp, Scope};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";
const SAMPLE_INVOICES: u64 = 120;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

async fn run() -> Result<(), String> {
    let mock_mode = env("MKP_CLIENT_ID").is_none();
    // In mock mode without a redirect URI of its own, any free port will do.
    let redirect_uri = env("MKP_REDIRECT_URI").unwrap_or_else(|| {
        if mock_mode {
            "http://127.0.0.1:0/callback".to_owned()
        } else {
            DEFAULT_REDIRECT_URI.to_owned()
        }
    });
    let mut redirect_url = url::Url::parse(&redirect_uri)
        .map_err(|e| format!("MKP_REDIRECT_URI `{redirect_uri}` does not parse: {e}"))?;
    let host = redirect_url.host_str().unwrap_or("127.0.0.1").to_owned();
    let port = redirect_url.port_or_known_default().unwrap_or(80);
    let listener = TcpListener::bind((host.as_str(), port))
        .await
        .map_err(|e| format!("cannot listen on {host}:{port} for the redirect: {e}"))?;
    if port == 0 {
        let bound = listener.local_addr().map_err(|e| e.to_string())?.port();
        let _ = redirect_url.set_port(Some(bound));
    }

    // Keep the mock alive for the whole run when we use it.
    let (_mock, app, base_url) = if mock_mode {
        let mock = mijnklantportaal_mock::MockServer::builder()
            .invoices(SAMPLE_INVOICES)
            .oauth(mijnklantportaal_mock::MockOAuth::new())
            .start()
            .await
            .map_err(|e| format!("cannot start the built-in mock API: {e}"))?;
        let oauth_url = mock.oauth_url().unwrap_or_default();
        eprintln!(
            "MKP_CLIENT_ID is not set: connecting to the built-in mock (OAuth at {oauth_url}, API at {})",
            mock.base_url()
        );
        let app = OAuthApp::new("mkp-test-app", "mkp-test-secret", redirect_url.as_str())
            .and_then(|app| app.oauth_url(&oauth_url))
            .map_err(|e| e.report().to_string())?;
        let base = mock.base_url();
        (Some(mock), app, base)
    } else {
        let id = env("MKP_CLIENT_ID").unwrap_or_default();
        let secret = env("MKP_CLIENT_SECRET")
            .ok_or("MKP_CLIENT_SECRET is not set (the app's secret from the Developer portal)")?;
        let oauth_url =
            env("MKP_OAUTH_URL").unwrap_or_else(|| mijnklantportaal::DEFAULT_OAUTH_URL.to_owned());
        let app = OAuthApp::new(id, secret, redirect_url.as_str())
            .and_then(|app| app.oauth_url(&oauth_url))
            .map_err(|e| e.report().to_string())?;
        let base =
            env("MKP_BASE_URL").unwrap_or_else(|| mijnklantportaal::DEFAULT_BASE_URL.to_owned());
        (None, app, base)
    };

    let authorization = app
        .authorization(&[Scope::InvoicesRead])
        .map_err(|e| e.report().to_string())?;
    println!("Open this URL in your browser: {}", authorization.url());
    if mock_mode {
        // Play the browser: the mock approves at once and redirects to our listener.
        let url = authorization.url().clone();
        tokio::spawn(async move {
            if let Err(e) = reqwest::get(url).await {
                eprintln!("the built-in browser failed: {e}");
            }
        });
    }

    let target = wait_for_redirect(&listener, redirect_url.path()).await?;
    let code = authorization
        .check_redirect(&target)
        .map_err(|e| e.report().to_string())?;
    let tokens = app
        .exchange(code)
        .await
        .map_err(|e| e.report().to_string())?;
    eprintln!("connected; tokens received (store them to skip this step next time)");

    let client = Client::builder()
        .oauth(app, tokens)
        .base_url(base_url)
        .on_new_tokens(|_| eprintln!("the access token was refreshed"))
        .build()
        .map_err(|e| e.report().to_string())?;
    let invoices = client
        .customer_invoices()
        .list()
        .collect_all()
        .await
        .map_err(|e| e.report().to_string())?;
    println!("Found {} customer invoices.", invoices.len());
    Ok(())
}

/// Serves the redirect URI until the browser comes back to `path`; returns the
/// request target (`/callback?code=…&state=…`).
async fn wait_for_redirect(listener: &TcpListener, path: &str) -> Result<String, String> {
    loop {
        let (mut stream, _) = listener
            .accept()
            .await
            .map_err(|e| format!("waiting for the redirect: {e}"))?;
        let mut head = Vec::new();
        let mut buf = [0u8; 2048];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let head = String::from_utf8_lossy(&head);
        let target = head
            .lines()
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .unwrap_or("")
            .to_owned();
        let ours = target.split('?').next() == Some(path);
        let (status, body) = if ours {
            ("200 OK", "Connected. You can close this tab.")
        } else {
            ("404 Not Found", "Not found.")
        };
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
        if ours {
            return Ok(target);
        }
    }
}
