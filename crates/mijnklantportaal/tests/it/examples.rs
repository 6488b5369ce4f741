//! The examples the README shows, run as a person runs them: against a mock on loopback,
//! with the token from the environment.

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use common::{TOKEN, mock, within};

/// `target/<profile>/examples/<name>`, which `cargo test` builds beside the tests.
fn example_binary(name: &str) -> Option<PathBuf> {
    let deps = std::env::current_exe().ok()?.parent()?.to_path_buf();
    let path = deps
        .parent()?
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    path.exists().then_some(path)
}

async fn run(base_url: String, args: &[&str]) -> Option<(i32, String, String)> {
    run_example("export_invoices", base_url, args).await
}

async fn run_example(name: &str, base_url: String, args: &[&str]) -> Option<(i32, String, String)> {
    let Some(binary) = example_binary(name) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the example {name} was not built beside the tests"
        );
        eprintln!("skipped: build the examples first (`cargo test` does)");
        return None;
    };
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .args(args)
            .env("MKP_TOKEN", TOKEN)
            .env("MKP_BASE_URL", base_url)
            .output()
    })
    .await
    .expect("the process ran")
    .expect("the example starts");
    Some((
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

#[tokio::test]
async fn exports_every_invoice_as_csv_and_json_lines() {
    let server = mock(40, |b| b).await;
    let Some((code, stdout, stderr)) = run(server.base_url(), &[]).await else {
        return;
    };
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    // The invoice's JSON fields, `id` first, nested `links` flattened with dots.
    assert_eq!(
        lines[0],
        "id,amount,createdAt,currency,customerId,invoiceNumber,issuedAt,links.customer.href,links.customer.type,paidAt"
    );
    assert_eq!(lines.len(), 41);
    let first = server.dataset().invoice(0).unwrap();
    assert!(lines[1].starts_with(&format!("{},{},", first.id, first.amount())));
    assert!(lines[1].contains(&format!(",EUR,{},", first.customer_id)));
    assert!(stderr.contains("done: 40 customer-invoices"), "{stderr}");
    assert!(!stderr.contains(TOKEN) && !stdout.contains(TOKEN));

    let (code, stdout, _) = run(server.base_url(), &["--json"]).await.unwrap();
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 40);
    let parsed: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(parsed["id"], first.id.as_str());
    assert_eq!(parsed["amount"], first.amount().as_str());
}

/// `--resource NAME` exports any paginated resource through the same code path: every
/// row the wrapper lists, in its order, as CSV (the item's JSON fields as columns) and
/// as JSON lines.
#[tokio::test]
async fn exports_any_paginated_resource_with_dash_dash_resource() {
    use futures::future::BoxFuture;
    use mijnklantportaal::{Client, Error};

    /// The ids the wrapper lists for a resource, as the export should have them.
    type Ids = for<'c> fn(&'c Client) -> BoxFuture<'c, Result<Vec<String>, Error>>;
    fn ids<T>(items: Vec<T>, id: fn(&T) -> &str) -> Vec<String> {
        items.iter().map(|i| id(i).to_string()).collect()
    }
    let resources: [(&str, Ids); 14] = [
        ("agreements", |c| {
            Box::pin(async { Ok(ids(c.agreements().list().collect_all().await?, |i| &i.id)) })
        }),
        ("customer-invoices", |c| {
            Box::pin(async {
                Ok(ids(
                    c.customer_invoices().list().collect_all().await?,
                    |i| &i.id,
                ))
            })
        }),
        ("customer-groups", |c| {
            Box::pin(async {
                Ok(ids(c.customer_groups().list().collect_all().await?, |i| {
                    &i.id
                }))
            })
        }),
        ("customer-offers", |c| {
            Box::pin(async {
                Ok(ids(c.customer_offers().list().collect_all().await?, |i| {
                    &i.id
                }))
            })
        }),
        ("customer-subscription-packages", |c| {
            Box::pin(async {
                Ok(ids(
                    c.customer_subscription_packages()
                        .list()
                        .collect_all()
                        .await?,
                    |i| &i.id,
                ))
            })
        }),
        ("customer-subscriptions", |c| {
            Box::pin(async {
                Ok(ids(
                    c.customer_subscriptions().list().collect_all().await?,
                    |i| &i.id,
                ))
            })
        }),
        ("customers", |c| {
            Box::pin(async { Ok(ids(c.customers().list().collect_all().await?, |i| &i.id)) })
        }),
        ("file-requests", |c| {
            Box::pin(async {
                Ok(ids(c.file_requests().list().collect_all().await?, |i| {
                    &i.id
                }))
            })
        }),
        ("file-shares", |c| {
            Box::pin(async { Ok(ids(c.file_shares().list().collect_all().await?, |i| &i.id)) })
        }),
        ("mkp-invoices", |c| {
            Box::pin(async { Ok(ids(c.mkp_invoices().list().collect_all().await?, |i| &i.id)) })
        }),
        ("payment-links", |c| {
            Box::pin(async {
                Ok(ids(c.payment_links().list().collect_all().await?, |i| {
                    &i.id
                }))
            })
        }),
        ("punch-cards", |c| {
            Box::pin(async { Ok(ids(c.punch_cards().list().collect_all().await?, |i| &i.id)) })
        }),
        ("tickets", |c| {
            Box::pin(async { Ok(ids(c.tickets().list().collect_all().await?, |i| &i.id)) })
        }),
        ("webhooks", |c| {
            Box::pin(async { Ok(ids(c.webhooks().list().collect_all().await?, |i| &i.id)) })
        }),
    ];
    // 80 invoices: 10 customers; at five a page, most lists span pages.
    let server = mock(80, |b| b.per_page(5)).await;
    let client = common::client_for(&server).build().expect("a client");
    for (name, listed) in resources {
        let expected = within(10, listed(&client)).await.expect("listed");
        assert!(!expected.is_empty(), "{name}: seeded");
        let Some((code, stdout, stderr)) = run(server.base_url(), &["--resource", name]).await
        else {
            return;
        };
        assert_eq!(code, 0, "{name}: {stderr}");
        let mut lines = stdout.lines();
        let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
        assert_eq!(header[0], "id", "{name}");
        let mut sorted = header[1..].to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, header[1..], "{name}: the other columns in order");
        let exported: Vec<String> = lines
            .map(|l| l.split(',').next().unwrap_or_default().to_string())
            .collect();
        assert_eq!(exported, expected, "{name}: every row, once, in order");
        assert!(
            stderr.contains(&format!("done: {} {name}", expected.len())),
            "{stderr}"
        );

        let (code, stdout, _) = run(
            server.base_url(),
            &[&format!("--resource={name}"), "--json"],
        )
        .await
        .expect("built");
        assert_eq!(code, 0, "{name}");
        let exported: Vec<String> = stdout
            .lines()
            .map(|l| {
                let item: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
                item["id"].as_str().expect("an id").to_string()
            })
            .collect();
        assert_eq!(exported, expected, "{name} as JSON lines");
    }

    // The Invoices API's numeric amounts come out exact, as decimal strings.
    let (_, stdout, _) = run(server.base_url(), &["--resource", "mkp-invoices", "--json"])
        .await
        .expect("built");
    let first: serde_json::Value =
        serde_json::from_str(stdout.lines().next().expect("a line")).expect("JSON");
    let total = first["totalAmount"].as_str().expect("a decimal string");
    assert!(
        total
            .split_once('.')
            .is_some_and(|(_, cents)| cents.len() == 2),
        "{total}"
    );

    let (code, stdout, stderr) = run(server.base_url(), &["--resource", "invoices"])
        .await
        .expect("built");
    assert_eq!(
        (code, stdout.as_str()),
        (2, ""),
        "an unknown resource is a usage error"
    );
    assert!(
        stderr.contains("unknown resource `invoices`") && stderr.contains("mkp-invoices"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_failure_half_way_keeps_what_was_exported_and_says_where_to_resume() {
    let server = mock(100, |b| b.token_valid_for(3)).await;
    let Some((code, stdout, stderr)) = run(server.base_url(), &[]).await else {
        return;
    };
    assert_eq!(code, 1, "{stderr}");
    // The server accepts 3 requests; with prefetch they arrive in any order, so the
    // first refused page is one of 2..=4, and every page before it is exported whole.
    let rows = stdout.lines().count() - 1;
    assert!(rows % 15 == 0 && (15..=45).contains(&rows), "{rows} rows");
    let ids: Vec<&str> = stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or_default())
        .collect();
    let expected: Vec<String> = server.dataset().iter().take(rows).map(|i| i.id).collect();
    assert_eq!(ids, expected, "a prefix of the dataset, in order");
    let error_lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(error_lines.len(), 1, "{stderr}");
    assert!(error_lines[0].contains("401"), "{stderr}");
    let resume = format!("resume from page {}", rows / 15 + 1);
    assert!(error_lines[0].contains(&resume), "{stderr}");
    assert!(!stderr.contains(TOKEN));
}

/// `create_invoice`: a customer and a paid invoice with its PDF, on the server.
#[tokio::test]
async fn creates_a_customer_and_a_paid_invoice_with_its_pdf() {
    let server = mock(5, |b| b).await;
    let Some((code, stdout, stderr)) = run_example("create_invoice", server.base_url(), &[]).await
    else {
        return;
    };
    assert_eq!(code, 0, "{stderr}");
    let created = server.invoices_created();
    assert_eq!(created.len(), 1, "one invoice: {stderr}");
    assert_eq!(server.customers_created().len(), 1);
    let invoice = &created[0];
    assert!(invoice.paid_at.is_some(), "marked paid");
    assert!(
        stdout.contains(&format!("invoice: {}", invoice.id)),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("pdf: {}/", server.origin())),
        "{stdout}"
    );
    assert!(!stderr.contains(TOKEN) && !stdout.contains(TOKEN));

    let missing = run_example("create_invoice", server.base_url(), &["/no/such/file.pdf"])
        .await
        .expect("built");
    assert_eq!(missing.0, 1);
    assert!(
        missing.2.contains("cannot use /no/such/file.pdf"),
        "{}",
        missing.2
    );
}

/// `oauth_connect` with no app configured runs the whole flow against the built-in
/// mock: the URL on a line of its own, the redirect caught, invoices counted, no
/// secret printed.
#[tokio::test]
async fn oauth_connect_runs_the_whole_flow_against_the_built_in_mock() {
    let Some(binary) = example_binary("oauth_connect") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "oauth_connect was not built"
        );
        return;
    };
    let output = tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .env_remove("MKP_CLIENT_ID")
            .env_remove("MKP_CLIENT_SECRET")
            .env_remove("MKP_REDIRECT_URI")
            .env_remove("MKP_OAUTH_URL")
            .env_remove("MKP_BASE_URL")
            .output()
    })
    .await
    .expect("the process ran")
    .expect("the example starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let url_line = stdout
        .lines()
        .find(|l| l.starts_with("Open this URL in your browser: "))
        .expect("the URL line");
    let url = url::Url::parse(url_line.trim_start_matches("Open this URL in your browser: "))
        .expect("a URL on its own");
    assert_eq!(url.path(), "/oauth/authorize");
    assert!(stdout.contains("Found 120 customer invoices."), "{stdout}");
    for secret in ["mkp-test-secret", "mkp_at_", "mkp_rt_", "mkp_code_"] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{stdout}\n{stderr}"
        );
    }
}

/// With an app configured, `oauth_connect` waits on the redirect URI for the browser,
/// which this test plays against a mock on loopback.
#[tokio::test]
async fn oauth_connect_waits_for_the_browser_on_the_redirect_uri() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let Some(binary) = example_binary("oauth_connect") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "oauth_connect was not built"
        );
        return;
    };
    let server = mock(30, |b| b.oauth(mijnklantportaal_mock::MockOAuth::new())).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new(binary)
        .env("MKP_CLIENT_ID", "mkp-test-app")
        .env("MKP_CLIENT_SECRET", "mkp-test-secret")
        .env(
            "MKP_REDIRECT_URI",
            format!("http://127.0.0.1:{port}/callback"),
        )
        .env("MKP_OAUTH_URL", server.oauth_url().unwrap())
        .env("MKP_BASE_URL", server.base_url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let url = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        stdout.read_line(&mut line).expect("a line");
        (line, stdout)
    })
    .await
    .expect("read");
    let (line, mut stdout) = url;
    let url = line
        .trim()
        .strip_prefix("Open this URL in your browser: ")
        .expect("the URL line")
        .to_owned();
    // The browser: follows the mock's redirect to the example's listener.
    let page = within(10, reqwest::get(url)).await.expect("redirected");
    assert_eq!(page.status(), 200);
    let output = tokio::task::spawn_blocking(move || {
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).expect("the rest");
        let status = child.wait().expect("exits");
        (status, rest)
    })
    .await
    .expect("joined");
    assert!(output.0.success(), "{}", output.1);
    assert!(
        output.1.contains("Found 30 customer invoices."),
        "{}",
        output.1
    );
    assert_eq!(server.oauth_stats().code_exchanges, 1);
}

/// Issue 21: `sync_accounts` exports every portal in `MKP_TOKENS` at once, each
/// account's invoices its own, with a line per account and a summary on stderr.
#[tokio::test]
async fn sync_accounts_exports_each_portal_named_in_the_environment() {
    use mijnklantportaal_mock::{MockAccount, MockServer};

    let Some(binary) = example_binary("sync_accounts") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the example sync_accounts was not built beside the tests"
        );
        return;
    };
    let tokens = ["portal-x", "portal-y", "portal-z"];
    let server = MockServer::builder()
        .accounts(
            (0u64..)
                .zip(tokens)
                .map(|(i, token)| MockAccount::new(token).invoices(10 + 20 * i)),
        )
        .start()
        .await
        .expect("the mock starts");
    let base_url = server.base_url();
    let output = within(
        60,
        tokio::task::spawn_blocking(move || {
            Command::new(binary)
                .env("MKP_TOKENS", tokens.join(", "))
                .env("MKP_BASE_URL", base_url)
                .output()
        }),
    )
    .await
    .expect("the process ran")
    .expect("the example starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    for (n, token) in tokens.iter().enumerate() {
        let exported: Vec<&str> = lines
            .iter()
            .filter(|line| line["account"] == n)
            .filter_map(|line| line["invoice"]["id"].as_str())
            .collect();
        let dataset = server.account_dataset(token).expect("an account");
        let expected: Vec<String> = dataset.iter().map(|i| i.id).collect();
        assert_eq!(exported, expected, "account {n}");
        let done = format!("account {n}: {} invoices in", expected.len());
        assert!(stderr.contains(&done), "{stderr}");
    }
    assert!(
        stderr.contains("3 accounts, 90 invoices, 0 failed"),
        "{stderr}"
    );
}
