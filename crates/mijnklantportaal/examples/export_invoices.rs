//! Exports every item of a paginated resource as CSV (or JSON lines with `--json`) to
//! stdout: the customer invoices by default, any other listing with `--resource NAME`.
//!
//! ```text
//! MKP_TOKEN=... cargo run -p mijnklantportaal --example export_invoices > invoices.csv
//! cargo run -p mijnklantportaal --example export_invoices -- --json
//! cargo run -p mijnklantportaal --example export_invoices -- --resource payment-links
//! ```
//!
//! Reads `MKP_TOKEN` and `MKP_BASE_URL` (default: the production API). Without
//! `MKP_TOKEN` it starts the workspace's mock server in-process with a sample dataset,
//! and says so on stderr, so that it runs on a fresh machine with no account. Progress
//! goes to stderr; on failure it prints one line, exits with 1, and what was exported so
//! far stays intact on stdout (with the page to resume from in the message).
//!
//! Every resource goes through one code path: the listing's items in their JSON form.
//! A JSON line is that form; a CSV row has one column per field, nested objects
//! flattened with dots (`links.customer.href`), lists as JSON text, `null` as an empty
//! cell. The columns are the fields of the first page's items, `id` first, the others
//! in alphabetical order; a field first seen later (an optional one no item of the
//! first page has) is named on stderr and is in the `--json` output only.

use std::collections::BTreeSet;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use futures::TryStreamExt;
use futures::future::{FutureExt, LocalBoxFuture};
use mijnklantportaal::{Client, ListOperation, Lister};
use serde_json::{Map, Value};

#[path = "shared/account.rs"]
mod account;

/// What `--resource` can name, and its listing. Adding a resource is one line here.
const RESOURCES: &[(&str, Export)] = &[
    ("agreements", |c, f| export(c.agreements().list(), f)),
    ("customer-invoices", |c, f| {
        export(c.customer_invoices().list(), f)
    }),
    ("customer-groups", |c, f| {
        export(c.customer_groups().list(), f)
    }),
    ("customer-offers", |c, f| {
        export(c.customer_offers().list(), f)
    }),
    ("customer-subscription-packages", |c, f| {
        export(c.customer_subscription_packages().list(), f)
    }),
    ("customer-subscriptions", |c, f| {
        export(c.customer_subscriptions().list(), f)
    }),
    ("customers", |c, f| export(c.customers().list(), f)),
    ("file-requests", |c, f| export(c.file_requests().list(), f)),
    ("file-shares", |c, f| export(c.file_shares().list(), f)),
    ("mkp-invoices", |c, f| export(c.mkp_invoices().list(), f)),
    ("payment-links", |c, f| export(c.payment_links().list(), f)),
    ("punch-cards", |c, f| export(c.punch_cards().list(), f)),
    ("tickets", |c, f| export(c.tickets().list(), f)),
    ("webhooks", |c, f| export(c.webhooks().list(), f)),
];

/// The resource exported without `--resource`: the README's main job.
const DEFAULT_RESOURCE: &str = "customer-invoices";

/// Customer invoices in the built-in mock's sample account (its other resources are a
/// seeded handful each).
const SAMPLE_INVOICES: u64 = 1_000;

/// Runs one export; the number of items exported, or the one-line failure.
type Export = fn(&Client, Format) -> LocalBoxFuture<'static, Result<u64, String>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    JsonLines,
}

#[tokio::main]
async fn main() -> ExitCode {
    let (format, name) = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            let names: Vec<&str> = RESOURCES.iter().map(|(name, _)| *name).collect();
            eprintln!(
                "{message}; usage: export_invoices [--json] [--resource NAME], NAME one of {} (default {DEFAULT_RESOURCE})",
                names.join(", ")
            );
            return ExitCode::from(2);
        }
    };
    match run(format, name).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `[--json] [--resource NAME | --resource=NAME]`, in any order.
fn parse_args(args: impl Iterator<Item = String>) -> Result<(Format, &'static str), String> {
    let mut format = Format::Csv;
    let mut name = None;
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "--json" => {
                format = Format::JsonLines;
                continue;
            }
            "--resource" => args.next().ok_or("`--resource` needs a name")?,
            other => match other.strip_prefix("--resource=") {
                Some(value) => value.to_string(),
                None => return Err(format!("unknown argument `{other}`")),
            },
        };
        let known = RESOURCES.iter().find(|(n, _)| *n == value);
        name = Some(known.ok_or(format!("unknown resource `{value}`"))?.0);
    }
    Ok((format, name.unwrap_or(DEFAULT_RESOURCE)))
}

async fn run(format: Format, name: &'static str) -> Result<(), String> {
    // Keep the mock alive for the whole export when we use it.
    let (client, _mock) = account::connect(
        |mock| {
            mock.invoices(SAMPLE_INVOICES)
                // Generous, so the sample finishes in seconds; the client learns it
                // from the X-RateLimit-* headers.
                .rate_limit(1_000, std::time::Duration::from_secs(60))
        },
        &format!("exporting the sample {name} of"),
    )
    .await?;
    let export = RESOURCES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, export)| *export)
        .ok_or(format!("unknown resource `{name}`"))?;
    let exported = export(&client, format).await?;
    eprintln!("done: {exported} {name}");
    Ok(())
}

/// Exports every item of `lister` to stdout: the one code path of every resource.
fn export<Op>(lister: Lister<Op>, format: Format) -> LocalBoxFuture<'static, Result<u64, String>>
where
    Op: ListOperation,
    Op::Item: serde::Serialize,
{
    async move {
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        let write_err = |e: io::Error| format!("cannot write to stdout: {e}");
        let mut csv = (format == Format::Csv).then(Csv::default);

        // One line rewritten in place on a terminal; a line every 10 pages in a log.
        let live = io::stderr().is_terminal();
        let mut pages = lister.pages();
        let mut exported: u64 = 0;
        let mut page_count: u64 = 0;
        let result = loop {
            match pages.try_next().await {
                Ok(Some(page)) => {
                    let items = page
                        .items()
                        .iter()
                        .map(serde_json::to_value)
                        .collect::<Result<Vec<Value>, _>>()
                        .map_err(|e| {
                            format!("cannot encode an item of page {}: {e}", page.number())
                        })?;
                    match csv.as_mut() {
                        Some(csv) => {
                            let mut writer = csv::Writer::from_writer(&mut out);
                            for record in csv.rows(&items) {
                                writer
                                    .write_record(&record)
                                    .map_err(|e| format!("cannot write to stdout: {e}"))?;
                            }
                            writer.flush().map_err(write_err)?;
                        }
                        None => {
                            for item in &items {
                                writeln!(out, "{item}").map_err(write_err)?;
                            }
                        }
                    }
                    // Each page is on stdout before progress says it is done.
                    out.flush().map_err(write_err)?;
                    page_count += 1;
                    exported += items.len() as u64;
                    if live {
                        eprint!("\rexported {exported} items from {page_count} pages");
                    } else if page_count.is_multiple_of(10) {
                        eprintln!("exported {exported} items from {page_count} pages");
                    }
                }
                Ok(None) => break Ok(exported),
                Err(e) => {
                    break Err(format!(
                        "{} (exported {exported} items; resume from page {})",
                        e.report(),
                        pages.resume_page()
                    ));
                }
            }
        };
        out.flush().map_err(write_err)?;
        if live {
            eprintln!();
        }
        result
    }
    .boxed_local()
}

/// CSV records from items in their JSON form; the header comes with the first
/// records. The `csv` crate quotes them (RFC 4180).
#[derive(Default)]
struct Csv {
    /// The columns, once the header is written.
    columns: Option<Vec<String>>,
    /// Fields seen after the header was written (said once each on stderr).
    left_out: BTreeSet<String>,
}

impl Csv {
    /// The records of one page of items: the header first, if not written yet.
    fn rows(&mut self, items: &[Value]) -> Vec<Vec<String>> {
        let cells: Vec<Vec<(String, String)>> = items.iter().map(cells).collect();
        let mut lines = Vec::with_capacity(items.len() + 1);
        if self.columns.is_none() && !cells.is_empty() {
            // Sorted, `id` first: the same columns in the same order whichever items
            // carry an optional field.
            let names: BTreeSet<&String> = cells.iter().flatten().map(|(name, _)| name).collect();
            let mut columns: Vec<String> = names.into_iter().cloned().collect();
            columns.sort_by_key(|c| c != "id");
            lines.push(columns.clone());
            self.columns = Some(columns);
        }
        let Some(columns) = &self.columns else {
            return lines;
        };
        for row in &cells {
            for (name, _) in row {
                if !columns.contains(name) && self.left_out.insert(name.clone()) {
                    eprintln!(
                        "field `{name}` is not a CSV column (it was not on the first page): use --json for it"
                    );
                }
            }
            let record = columns
                .iter()
                .map(|c| {
                    let cell = row.iter().find(|(name, _)| name == c);
                    cell.map(|(_, v)| v.clone()).unwrap_or_default()
                })
                .collect();
            lines.push(record);
        }
        lines
    }
}

/// An item's cells: `(column, text)`, nested objects flattened with dots.
fn cells(item: &Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
        let text = match value {
            Value::Object(fields) => return object(prefix, fields, out),
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.push((prefix.to_string(), text));
    }
    fn object(prefix: &str, fields: &Map<String, Value>, out: &mut Vec<(String, String)>) {
        for (key, value) in fields {
            let name = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            walk(&name, value, out);
        }
    }
    let mut out = Vec::new();
    walk("", item, &mut out);
    out
}
