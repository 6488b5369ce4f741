//! Secrets are never shown (issue 17): a body quoted in an error has the values of
//! secret fields (a webhook's signing `secret`, OAuth tokens) redacted, and the
//! generated `Webhook` does not print its secret in `Debug`.

use crate::common;

use common::http_script::HttpScript;
use common::{client_at, http_response};
use mijnklantportaal::{Error, ListWebhooks, WebhookId, decode_page};

const SECRET: &str = "OUJX2prdBbJxR77BZlGz";

/// A webhook record the spec does not allow (an unknown event type, no `createdAt`),
/// its secret first, as the server might send it.
fn bad_record() -> String {
    format!(
        r#"{{"secret": "{SECRET}", "id": "wbh_abc12345def678", "type": 17, "url": "https://example.nl/hook"}}"#
    )
}

#[test]
fn a_page_that_does_not_decode_is_quoted_without_its_secrets() {
    let page = format!(
        r#"{{"current_page": 1, "data": [{}], "per_page": 15, "from": 1, "to": 1, "next_page_url": null}}"#,
        bad_record()
    );
    let err = decode_page::<ListWebhooks>(1, page.as_bytes()).unwrap_err();
    let Error::Decode { snippet, .. } = &err else {
        panic!("{err:?}");
    };
    assert!(snippet.contains(r#""secret": "<redacted>""#), "{snippet}");
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains(SECRET), "{shown}");
    }

    // Other spellings of a secret, and one cut off by the end of the body.
    let tokens = format!(
        r#"{{"clientSecret":"{SECRET}","refresh_token" : "{SECRET}","data":{{"webhookSecret":"{SECRET}"#
    );
    let err = decode_page::<ListWebhooks>(1, format!("[{tokens}]").as_bytes()).unwrap_err();
    assert!(!err.to_string().contains(&SECRET[..8]), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_response_that_does_not_decode_is_quoted_without_its_secrets() {
    let script = HttpScript::start(vec![http_response(
        "200 OK",
        &[("content-type", "application/json")],
        &bad_record(),
    )])
    .await;
    let client = client_at(script.addr).build().expect("a client");
    let err = client
        .webhooks()
        .get(WebhookId::from("wbh_abc12345def678"))
        .await
        .expect_err("not a webhook record");
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("<redacted>") && !text.contains(SECRET),
        "{text}"
    );
}
