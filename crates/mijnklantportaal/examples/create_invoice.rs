//! Creates a customer, uploads an invoice for it with its PDF, marks it paid, reads it
//! back and prints its id and PDF link.
//!
//! ```text
//! MKP_TOKEN=... cargo run -p mijnklantportaal --example create_invoice -- invoice.pdf
//! cargo run -p mijnklantportaal --example create_invoice
//! ```
//!
//! Reads `MKP_TOKEN` and `MKP_BASE_URL` (default: the production API). Without
//! `MKP_TOKEN` it runs against the workspace's mock server, started in-process, and says
//! so on stderr. Without a path it uploads a small built-in sample PDF. Against a real
//! account this creates a real customer and invoice.

use std::process::ExitCode;

use chrono::Utc;
use mijnklantportaal::{Error, FilePart};
use rust_decimal::Decimal;

#[path = "shared/account.rs"]
mod account;

/// A one-page PDF that says "Sample invoice".
const SAMPLE_PDF: &[u8] = b"%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R
  /Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 44 >> stream
BT /F1 24 Tf 72 770 Td (Sample invoice) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Root 1 0 R >>
%%EOF
";

#[tokio::main]
async fn main() -> ExitCode {
    let path = std::env::args().nth(1);
    match run(path).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(path: Option<String>) -> Result<(), String> {
    // Keep the mock alive until the end when we use it.
    let (client, _mock) = account::connect(|mock| mock.invoices(20), "using").await?;

    let customer = client
        .customers()
        .create()
        .company_name("Voorbeeld BV")
        .address("Teststraat 1")
        .zip_code("1234AB")
        .city("Amsterdam")
        .primary_email("facturen@voorbeeld.nl")
        .await
        .map_err(|e| e.report().to_string())?;
    eprintln!(
        "created customer {} ({})",
        customer.id, customer.company_name
    );

    let number = format!("VB-{}", Utc::now().format("%Y%m%d%H%M%S"));
    let upload = client
        .customer_invoices()
        .create()
        .customer_id(customer.id.as_str())
        .invoice_number(&number)
        .issued_at(Utc::now().date_naive())
        .amount(Decimal::new(12_100, 2))
        .send_notification(false);
    let upload = match path {
        Some(path) => upload
            .pdf_file(&path)
            .await
            .map_err(|e| e.report().to_string())?,
        None => upload
            .pdf(FilePart::bytes("sample-invoice.pdf", SAMPLE_PDF).media_type("application/pdf")),
    };
    let invoice = match upload.await {
        Ok(invoice) => invoice,
        Err(e @ Error::MaybeApplied { .. }) => {
            // The answer was lost: never upload twice; look first.
            return match client.customer_invoices().find_by_number(&number).await {
                Ok(Some(found)) => Err(format!("{}; it was: invoice {}", e.report(), found.id)),
                Ok(None) => Err(format!("{}; it was not: run again", e.report())),
                Err(lookup) => Err(format!(
                    "{}; the lookup failed too: {}",
                    e.report(),
                    lookup.report()
                )),
            };
        }
        Err(e) => return Err(e.report().to_string()),
    };
    eprintln!(
        "uploaded invoice {} ({} EUR {})",
        invoice.id, invoice.invoice_number, invoice.amount
    );

    client
        .customer_invoices()
        .mark_paid(&invoice.id)
        .paid_at(Utc::now())
        .await
        .map_err(|e| e.report().to_string())?;
    let invoice = client
        .customer_invoices()
        .get(&invoice.id)
        .await
        .map_err(|e| e.report().to_string())?;
    let paid_at = invoice
        .paid_at
        .ok_or_else(|| format!("invoice {} is not marked paid", invoice.id))?;
    let pdf = client
        .customer_invoices()
        .pdf_link(&invoice.id)
        .await
        .map_err(|e| e.report().to_string())?;

    println!("invoice: {}", invoice.id);
    println!("number: {}", invoice.invoice_number);
    println!("paid at: {}", paid_at.to_rfc3339());
    println!("pdf: {} (until {})", pdf.link, pdf.expires_at.to_rfc3339());
    Ok(())
}
