//! `cargo xtask semver` over pairs of spec revisions: each typical change of the real
//! spec, generated with the real generator, gets its report snapshotted and its verdict
//! asserted. Two pairs are also run without the generator's evolution pass, to show
//! what `#[non_exhaustive]` response models and the enum fallback buy.

use mijnklantportaal_tests::spec_revisions::{self as rev, real_spec};
use xtask::semver::{Level, Report, Side, Verdict, compare};

const BASE: &str = "base:spec/mijnklantportaal.yaml";
const NOW: &str = "spec/mijnklantportaal.yaml";

fn report(base: &str, now: &str) -> Report {
    match compare(&Side::from_spec(BASE, base), &Side::from_spec(NOW, now)) {
        Ok(report) => report,
        Err(e) => panic!("comparison failed: {e}"),
    }
}

/// The comparison as if the generator had no evolution pass.
fn report_without_evolution(base: &str, now: &str) -> Report {
    let side = |name: &str, spec: &str| {
        Side::from_spec(name, spec).with_code(
            xtask::codegen::generate_from_str_without_evolution(spec, name)
                .unwrap_or_else(|e| panic!("{e}")),
        )
    };
    match compare(&side(BASE, base), &side(NOW, now)) {
        Ok(report) => report,
        Err(e) => panic!("comparison failed: {e}"),
    }
}

fn check(name: &str, base: &str, now: &str, verdict: Verdict) -> Report {
    let report = report(base, now);
    let markdown = report.markdown();
    let deployed = if report.breaks_deployed_clients() {
        "breaking"
    } else {
        "unaffected"
    };
    assert!(
        markdown.ends_with(&format!(
            "\ndeployed clients: {deployed}\nverdict: {verdict}\n"
        )),
        "{name}: the report ends in what deployed clients see and its verdict:\n{markdown}"
    );
    assert_eq!(report.verdict, verdict, "{name}:\n{markdown}");
    insta::assert_snapshot!(name, markdown);
    report
}

const MAJOR: Verdict = Verdict::Level(Level::Major);
const MINOR: Verdict = Verdict::Level(Level::Minor);
const PATCH: Verdict = Verdict::Level(Level::Patch);

#[test]
fn same_spec_is_none() {
    let spec = real_spec();
    let report = check("same_spec", &spec, &spec, Verdict::None);
    assert!(report.changes.is_empty() && report.http.is_empty());
}

#[test]
fn response_field_added_is_minor() {
    let spec = real_spec();
    check(
        "response_field_added",
        &spec,
        &rev::response_field_added(&spec),
        MINOR,
    );
}

#[test]
fn response_field_removed_is_major_and_breaks_deployed_clients() {
    let spec = real_spec();
    let report = check(
        "response_field_removed",
        &spec,
        &rev::response_field_removed(&spec),
        MAJOR,
    );
    assert!(
        report
            .http
            .iter()
            .any(|f| f.place == "CustomerInvoice.paidAt"
                && f.severity == xtask::contract::Severity::Breaking),
        "{:?}",
        report.http
    );
}

#[test]
fn response_field_made_nullable_is_major_and_breaks_deployed_clients() {
    let spec = real_spec();
    let report = check(
        "response_field_made_nullable",
        &spec,
        &rev::response_field_made_nullable(&spec),
        MAJOR,
    );
    assert!(
        report
            .http
            .iter()
            .any(|f| f.place == "CustomerInvoice.currency" && f.what.contains("null"))
    );
}

#[test]
fn request_field_made_required_is_major_and_breaks_deployed_clients() {
    let spec = real_spec();
    let report = check(
        "request_field_made_required",
        &rev::with_request_body(&spec),
        &rev::request_field_made_required(&spec),
        MAJOR,
    );
    assert!(
        report
            .http
            .iter()
            .any(|f| f.place == "NewCustomerInvoiceDraft.reference"
                && f.severity == xtask::contract::Severity::Breaking)
    );
}

/// A multipart operation is compared like any other: its request type and builder on
/// the Rust side, its parts in the HTTP contract.
#[test]
fn multipart_part_made_required_is_major_and_breaks_deployed_clients() {
    let spec = real_spec();
    let report = check(
        "multipart_part_made_required",
        &spec,
        &rev::multipart_part_made_required(&spec),
        MAJOR,
    );
    assert!(
        report
            .http
            .iter()
            .any(|f| f.place.ends_with("sendNotification")
                && f.severity == xtask::contract::Severity::Breaking),
        "{}",
        report.markdown()
    );
}

#[test]
fn field_type_changed_is_major() {
    let spec = real_spec();
    check(
        "field_type_changed",
        &spec,
        &rev::field_type_changed(&spec),
        MAJOR,
    );
}

#[test]
fn operation_added_is_minor() {
    let spec = real_spec();
    check(
        "operation_added",
        &spec,
        &rev::operation_added(&spec),
        MINOR,
    );
}

#[test]
fn operation_removed_is_major_and_breaks_deployed_clients() {
    let spec = real_spec();
    // The reverse of `operation_added`.
    let report = check(
        "operation_removed",
        &rev::operation_added(&spec),
        &spec,
        MAJOR,
    );
    assert!(
        report
            .http
            .iter()
            .any(|f| f.what.contains("`get-customer-invoice-by-number` removed"))
    );
}

#[test]
fn optional_parameter_added_is_minor() {
    let spec = real_spec();
    check(
        "optional_parameter_added",
        &spec,
        &rev::optional_parameter_added(&spec),
        MINOR,
    );
}

#[test]
fn parameter_made_required_is_major() {
    let spec = real_spec();
    check(
        "parameter_made_required",
        &spec,
        &rev::parameter_made_required(&spec),
        MAJOR,
    );
}

#[test]
fn enum_value_added_is_minor() {
    let spec = real_spec();
    check(
        "enum_value_added",
        &rev::with_status_enum(&spec),
        &rev::enum_value_added(&spec),
        MINOR,
    );
}

#[test]
fn description_changed_is_patch() {
    let spec = real_spec();
    let report = check(
        "description_changed",
        &spec,
        &rev::description_changed(&spec),
        PATCH,
    );
    assert!(report.changes[0].why.contains("documentation"));
}

/// Without `#[non_exhaustive]`, the field the server adds breaks every struct literal.
#[test]
fn non_exhaustive_makes_an_added_response_field_minor() {
    let spec = real_spec();
    let now = rev::response_field_added(&spec);
    let without = report_without_evolution(&spec, &now);
    assert_eq!(without.verdict, MAJOR, "{}", without.markdown());
    assert!(
        without.changes[0].why.contains("not `#[non_exhaustive]`"),
        "{}",
        without.markdown()
    );
    assert_eq!(report(&spec, &now).verdict, MINOR);
}

/// Without the fallback, a new enum value is a new variant of an exhaustive enum (major)
/// and a response that deployed clients cannot decode.
#[test]
fn the_enum_fallback_makes_a_new_value_minor_and_decodable() {
    let spec = real_spec();
    let (base, now) = (rev::with_status_enum(&spec), rev::enum_value_added(&spec));
    let without = report_without_evolution(&base, &now);
    assert_eq!(without.verdict, MAJOR, "{}", without.markdown());
    assert!(
        without
            .http
            .iter()
            .any(|f| f.severity == xtask::contract::Severity::Breaking
                && f.what.contains("`cancelled`")),
        "{}",
        without.markdown()
    );
    let with = report(&base, &now);
    assert_eq!(with.verdict, MINOR);
    assert!(
        with.http
            .iter()
            .all(|f| f.severity == xtask::contract::Severity::Caution),
        "{}",
        with.markdown()
    );
}

fn assert_deployed(report: &Report, breaking: bool) {
    let markdown = report.markdown();
    let line = if breaking {
        "\ndeployed clients: breaking\n"
    } else {
        "\ndeployed clients: unaffected\n"
    };
    assert!(
        markdown.contains(line),
        "expected `{}`:\n{markdown}",
        line.trim()
    );
}

/// `/customers/{customerId}` → `/customers/{id}` is the same URL on the wire: the
/// builder's setter is renamed (a major change of the Rust API), and nothing changes for
/// clients already deployed.
#[test]
fn path_parameter_renamed_leaves_deployed_clients_unaffected() {
    let spec = real_spec();
    let report = check(
        "path_parameter_renamed",
        &spec,
        &rev::path_parameter_renamed(&spec),
        MAJOR,
    );
    assert_deployed(&report, false);
    assert!(
        report
            .changes
            .iter()
            .any(|c| c.what.contains("customer_id")),
        "{}",
        report.markdown()
    );
}

/// progenitor's `send()` accepts exactly the documented success statuses: a `200` that
/// becomes `201` is an error in every deployed client, though the Rust API is the same.
#[test]
fn success_status_changed_breaks_deployed_clients() {
    let spec = real_spec();
    let report = check(
        "success_status_changed",
        &spec,
        &rev::success_status_changed(&spec),
        PATCH,
    );
    assert_deployed(&report, true);
    assert!(
        report
            .http
            .iter()
            .any(|f| f.operation == "GET /customers/{customerId}"
                && f.what.contains("`200` changed to `201`")),
        "{}",
        report.markdown()
    );
}

/// A value added to an enum that only requests carry: the enum is `#[non_exhaustive]`
/// (minor), and the server still accepts every value deployed clients send.
#[test]
fn request_enum_value_added_is_minor_and_leaves_deployed_clients_unaffected() {
    let spec = real_spec();
    let report = check(
        "request_enum_value_added",
        &rev::with_request_enum(&spec),
        &rev::request_enum_value_added(&spec),
        MINOR,
    );
    assert_deployed(&report, false);
}

/// integer → number in a request: what deployed clients send is still accepted.
#[test]
fn request_field_widened_leaves_deployed_clients_unaffected() {
    let spec = real_spec();
    let report = check(
        "request_field_widened",
        &rev::with_request_enum(&spec),
        &rev::request_field_widened(&spec),
        MAJOR,
    );
    assert_deployed(&report, false);
    assert!(
        report
            .http
            .iter()
            .any(|f| f.place == "NewCustomerInvoiceDraft.copies" && f.what.contains("widened")),
        "{}",
        report.markdown()
    );
}

/// The reverse, number → integer in a request, is narrowing: deployed clients may send
/// a fraction the server now rejects.
#[test]
fn request_field_narrowed_breaks_deployed_clients() {
    let spec = real_spec();
    let report = report(
        &rev::request_field_widened(&spec),
        &rev::with_request_enum(&spec),
    );
    assert_deployed(&report, true);
}

/// The issue's own check: a paginated GET and a create added to a tag file are, after
/// generation alone, new methods of `client.customers()` (the list a `Lister`, the
/// create a builder with a setter per field, sent once), and `semver` names both in the
/// wrapper's API with the verdict minor.
#[test]
fn operations_added_to_a_tag_are_new_wrapper_methods_and_minor() {
    let root = xtask::workspace_root();
    let copy = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wrapper-semver");
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(copy.join("spec/tags")).expect("a directory");
    std::fs::copy(root.join(xtask::SPEC_PATH), copy.join(xtask::SPEC_PATH)).expect("copied");
    for entry in std::fs::read_dir(root.join("spec/tags")).expect("the tag files") {
        let path = entry.expect("a tag file").path();
        let mut text = std::fs::read_to_string(&path).expect("a tag file");
        if path.ends_with("customers.yaml") {
            text = text.replacen(
                "paths:\n",
                "paths:\n  /customer-archive:\n    get:\n      operationId: list-archived-customers\n      tags:\n        - Customers API\n      parameters:\n        - $ref: \"#/components/parameters/Page\"\n      responses:\n        \"200\":\n          description: archived customers\n          content:\n            application/json:\n              schema:\n                $ref: \"#/components/schemas/CustomerPage\"\n        \"4XX\":\n          $ref: \"#/components/responses/ClientError\"\n    post:\n      operationId: archive-customer\n      x-mkp-retry: once\n      tags:\n        - Customers API\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              $ref: \"#/components/schemas/NewCustomer\"\n      responses:\n        \"201\":\n          description: the archived customer\n          content:\n            application/json:\n              schema:\n                $ref: \"#/components/schemas/Customer\"\n        \"4XX\":\n          $ref: \"#/components/responses/ClientError\"\n",
                1,
            );
        }
        let name = path.file_name().expect("a file name");
        std::fs::write(copy.join("spec/tags").join(name), text).expect("written");
    }
    let bundle = xtask::workspace_spec(&copy).unwrap_or_else(|e| panic!("{e}"));
    let checked = xtask::spec::parse_bundle(&bundle).unwrap_or_else(|e| panic!("{e}"));

    // The same operation without the API's error responses is refused at its line: the
    // wrapper maps the one error body.
    let tag = copy.join("spec/tags/customers.yaml");
    let text = std::fs::read_to_string(&tag).expect("read");
    let without = text.replacen(
        "        \"4XX\":\n          $ref: \"#/components/responses/ClientError\"\n    post:",
        "    post:",
        1,
    );
    assert_ne!(without, text);
    std::fs::write(&tag, &without).expect("written");
    let broken = xtask::workspace_spec(&copy).unwrap_or_else(|e| panic!("{e}"));
    let broken_checked = xtask::spec::parse_bundle(&broken).unwrap_or_else(|e| panic!("{e}"));
    let broken_code = xtask::codegen::generate_checked(&broken_checked, &broken.name, true)
        .unwrap_or_else(|e| panic!("{e}"));
    let message = xtask::resources::render(&broken_checked, &broken, &broken_code)
        .expect_err("an operation without error responses is refused")
        .to_string();
    assert!(
        message.starts_with("spec/tags/customers.yaml:6: the wrapper's method for `list-archived-customers` has no error responses"),
        "{message}"
    );
    std::fs::write(&tag, &text).expect("written");
    let code = xtask::codegen::generate_checked(&checked, &bundle.name, true)
        .unwrap_or_else(|e| panic!("{e}"));
    let layer =
        xtask::resources::render(&checked, &bundle, &code).unwrap_or_else(|e| panic!("{e}"));
    let table = xtask::operations::render(&checked, &bundle).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        table.contains("id: \"archive-customer\",\n    method: \"POST\",\n    path: \"/customer-archive\",\n    retry: Retry::Once,"),
        "the create is sent once:\n{table}"
    );
    assert!(layer.contains("let call = Call::of(operations::ARCHIVE_CUSTOMER);"));

    // Both sides with the wrapper's sources: today's, and today's with the new layer.
    let sources = xtask::wrapper_sources(&root).expect("the wrapper's sources");
    let is_layer = |s: &String| s.contains("//! The resource layer: every operation of the spec");
    assert_eq!(sources.iter().filter(|s| is_layer(s)).count(), 1);
    let now_sources: Vec<String> = sources
        .iter()
        .map(|s| {
            if is_layer(s) {
                layer.clone()
            } else {
                s.clone()
            }
        })
        .collect();
    let generated = std::fs::read_to_string(root.join(xtask::GENERATED_PATH)).expect("read");
    let base = Side::from_bundle(BASE, xtask::workspace_spec(&root).expect("the spec"))
        .with_code(generated)
        .with_wrapper(sources);
    let surface = xtask::surface::sources_surface(now_sources.iter().map(String::as_str))
        .expect("the new layer parses");
    for setter in [
        "pub fn ArchiveCustomer<'c>::company_name(mut self, value: impl Into<String>) -> Self",
        "pub async fn ArchiveCustomer<'c>::send(self) -> ::std::result::Result<::mijnklantportaal_api::types::Customer, Error>",
    ] {
        assert!(surface.lines().any(|l| l == setter), "missing `{setter}`");
    }
    let now = Side::from_bundle(NOW, bundle)
        .with_code(code)
        .with_wrapper(now_sources);
    let report = compare(&base, &now).unwrap_or_else(|e| panic!("{e}"));
    let markdown = report.markdown();
    assert_eq!(report.verdict, MINOR, "{markdown}");
    let wrapper = report
        .wrapper_changes
        .as_ref()
        .expect("the wrapper is compared");
    for expected in [
        "pub fn Customers<'c>::list_archived_customers(&self) -> Lister<ListArchivedCustomers>",
        "pub fn Customers<'c>::archive_customer(&self) -> ArchiveCustomer<'c>",
        "pub struct ArchiveCustomer<'c>",
        "pub struct ListArchivedCustomers",
    ] {
        assert!(
            wrapper
                .iter()
                .any(|c| c.level == Level::Minor && c.what.contains(expected)),
            "`{expected}` is a minor addition of the wrapper:\n{markdown}"
        );
    }
}
