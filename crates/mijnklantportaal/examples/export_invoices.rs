//! Exports every customer invoice as CSV (or JSON lines with `--json`) to stdout.
//!
//! ```text
//! MKP_TOKEN=... cargo run -p mijnklantportaal --example export_invoices > invoices.csv
//! cargo run -p mijnklantportaal --example export_invoices -- --json
//! ```
//!
//! Reads `MKP_TOKEN` and `MKP_BASE_URL` (default: the production API). Without
//! `MKP_TOKEN` it starts the workspace's mock server in-process with a sample dataset,
//! and says so on stderr, so that it runs on a fresh machine with no account. Progress
//! goes to stderr; on failure it prints one line, exits with 1, and what was exported so
//! far stays intact on stdout (with the page to resume from in the message).

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use futures::TryStreamExt;
use mijnklantportaal::CustomerInvoice;

#[path = "shared/account.rs"]
mod account;

const HEADER: &str = "id,customerId,invoiceNumber,issuedAt,currency,amount,paidAt,createdAt";
const SAMPLE_INVOICES: u64 = 1_000;

#[tokio::main]
async fn main() -> ExitCode {
    let json = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--json") => true,
        Some(other) => {
            eprintln!("unknown argument `{other}`; usage: export_invoices [--json]");
            return ExitCode::from(2);
        }
    };
    match run(json).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(json: bool) -> Result<(), String> {
    // Keep the mock alive for the whole export when we use it.
    let (client, _mock) = account::connect(
        |mock| {
            mock.invoices(SAMPLE_INVOICES)
                // Generous, so the sample finishes in seconds; the client learns it
                // from the X-RateLimit-* headers.
                .rate_limit(1_000, std::time::Duration::from_secs(60))
        },
        &format!("exporting {SAMPLE_INVOICES} sample invoices from"),
    )
    .await?;

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let write_err = |e: io::Error| format!("cannot write to stdout: {e}");
    if !json {
        writeln!(out, "{HEADER}").map_err(write_err)?;
    }

    // One line rewritten in place on a terminal; a line every 10 pages in a log.
    let live = io::stderr().is_terminal();
    let mut pages = client.customer_invoices().list().pages();
    let mut exported: u64 = 0;
    let mut page_count: u64 = 0;
    let result = loop {
        match pages.try_next().await {
            Ok(Some(page)) => {
                for invoice in page.items() {
                    if json {
                        let line = serde_json::to_string(invoice)
                            .map_err(|e| format!("cannot encode invoice {}: {e}", invoice.id))?;
                        writeln!(out, "{line}").map_err(write_err)?;
                    } else {
                        writeln!(out, "{}", csv_row(invoice)).map_err(write_err)?;
                    }
                }
                // Each page is on stdout before progress says it is done.
                out.flush().map_err(write_err)?;
                page_count += 1;
                exported += page.items().len() as u64;
                if live {
                    eprint!("\rexported {exported} invoices from {page_count} pages");
                } else if page_count.is_multiple_of(10) {
                    eprintln!("exported {exported} invoices from {page_count} pages");
                }
            }
            Ok(None) => break Ok(()),
            Err(e) => {
                break Err(format!(
                    "{e} (exported {exported} invoices; resume from page {})",
                    pages.resume_page()
                ));
            }
        }
    };
    out.flush().map_err(write_err)?;
    if live {
        eprintln!();
    }
    if result.is_ok() {
        eprintln!("done: {exported} invoices");
    }
    result
}

fn csv_row(invoice: &CustomerInvoice) -> String {
    let fields = [
        invoice.id.clone(),
        invoice.customer_id.clone(),
        invoice.invoice_number.clone(),
        invoice.issued_at.to_string(),
        invoice.currency.clone(),
        invoice.amount.to_string(),
        invoice.paid_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        invoice.created_at.to_rfc3339(),
    ];
    fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",")
}

/// RFC 4180 quoting, for the text fields that come from the server.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}
