//! Presenting a [`Report`]: the markdown table and lines printed to stdout, and the
//! serde helpers that give durations in the JSON file as seconds.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serializer;

use crate::{INCREMENTAL_TARGET_S, ListingScenario, Report};

/// Targets from the issue, shown next to the figures.
const RATIO_TARGET: f64 = 1.15;
const SPEEDUP_TARGET: f64 = 3.0;
const DECODE_TARGET: f64 = 1.3;

pub(crate) fn secs<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

pub(crate) fn opt_limit<S: Serializer>(
    limit: &Option<(u32, Duration)>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    match limit {
        None => s.serialize_none(),
        Some((requests, window)) => {
            let mut st = s.serialize_struct("RateLimit", 2)?;
            st.serialize_field("requests", requests)?;
            st.serialize_field("window_s", &window.as_secs_f64())?;
            st.end()
        }
    }
}

fn fmt_time(seconds: f64) -> String {
    if seconds < 1.0 {
        format!("{:.1} ms", seconds * 1e3)
    } else {
        format!("{seconds:.3} s")
    }
}

fn fmt_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.2} MiB", b / (1024.0 * 1024.0))
    } else {
        format!("{:.1} KiB", b / 1024.0)
    }
}

fn mark(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// The report as markdown: the listing table, then speed-up lines, the prefetch sweep
/// table, then memory, decode, generate and target lines.
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Lower bound: max(floor((P-1)/B)*W + L, ceil(P/k)*L), k = wrapper prefetch = {}. Bound + check: the same for P+1 requests, the last after the P-th has arrived (a listing that proves itself complete on a live table).{}\n",
        report.prefetch,
        if report.smoke { " (smoke sizes)" } else { "" }
    );
    let _ = writeln!(
        out,
        "| scenario | contender | pages | time | lower bound | ratio | bound + check | ratio | 429s |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in &report.listings {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.2}x | {} | {:.2}x | {} |",
            r.scenario,
            r.contender,
            r.pages,
            fmt_time(r.time_s),
            fmt_time(r.lower_bound_s),
            r.ratio,
            fmt_time(r.checked_lower_bound_s),
            r.checked_ratio,
            r.served_429
        );
    }
    out.push('\n');
    for s in &report.speedups {
        let _ = writeln!(
            out,
            "speed-up of the wrapper over the sequential loop, {}: {:.2}x",
            s.scenario, s.wrapper_over_sequential
        );
    }
    out.push_str(&render_sweep(report));
    if !report.short_lists.is_empty() {
        let _ = writeln!(
            out,
            "\nRequests per page (the wrapper's defaults, no rate limit; speculation past the end and the completeness check included):\n\n| pages | requests | per page | time |\n|---:|---:|---:|---:|"
        );
        for r in &report.short_lists {
            let _ = writeln!(
                out,
                "| {} | {} | {:.2} | {} |",
                r.pages,
                r.requests,
                r.per_page,
                fmt_time(r.time_s)
            );
        }
        out.push('\n');
    }
    for m in &report.memory {
        let peak = m
            .peak_heap_bytes
            .map_or_else(|| "not measured".to_owned(), fmt_bytes);
        let _ = writeln!(
            out,
            "memory: streaming {} invoices item by item: peak heap {} above baseline ({} items, {})",
            m.invoices,
            peak,
            m.items,
            fmt_time(m.time_s)
        );
    }
    if !report.accounts.is_empty() {
        out.push_str(&render_accounts(report));
    }
    let d = &report.decode;
    let _ = writeln!(
        out,
        "decode: {}-invoice page ({} bytes) x {}: wrapper decode_page {:.1} us/page ({:.0} MiB/s), \
         serde_json typed {:.1} us, serde_json Value {:.1} us; wrapper/typed {:.2}x, wrapper/Value {:.2}x",
        d.page_items,
        d.page_bytes,
        d.iterations,
        d.wrapper_us,
        d.wrapper_mib_per_s,
        d.serde_typed_us,
        d.serde_value_us,
        d.wrapper_vs_typed,
        d.wrapper_vs_value
    );
    match &report.generate {
        Some(g) => {
            let runs: Vec<String> = g.runs_s.iter().map(|s| format!("{s:.2}")).collect();
            let _ = writeln!(
                out,
                "generate: `cargo xtask generate --check` warm, median {:.2} s of [{}] s (includes cargo's startup)",
                g.median_s,
                runs.join(", ")
            );
        }
        None => {
            let _ = writeln!(out, "generate: skipped");
        }
    }
    match &report.build_times {
        Some(b) => {
            let _ = writeln!(
                out,
                "build: cold (empty target dir, dev profile): mijnklantportaal-api {}, mijnklantportaal {}; \
                 after a one-field spec change: regenerate {}, mijnklantportaal-api {}, mijnklantportaal {} more, \
                 spec change to wrapper built {} (generated.rs: {} lines)",
                fmt_time(b.cold_api_s),
                fmt_time(b.cold_wrapper_s),
                fmt_time(b.regenerate_s),
                fmt_time(b.incremental_api_s),
                fmt_time(b.incremental_wrapper_only_s),
                fmt_time(b.incremental_wrapper_s),
                b.generated_lines
            );
        }
        None => {
            let _ = writeln!(out, "build: skipped");
        }
    }
    out.push('\n');
    out.push_str(&render_targets(report));
    out
}

/// The many-accounts table: per account count and contender, the time to make the
/// clients, the whole run, when the accounts were done, peak memory and requests.
fn render_accounts(report: &Report) -> String {
    let mut out = String::from(
        "\n| accounts | clients | clients made | whole run | accounts done: first / median / last | peak RSS | peak heap | requests |\n|---:|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in &report.accounts {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} / {} / {} | {} | {} | {} |",
            r.accounts,
            r.contender.name(),
            fmt_time(r.clients_made_s),
            fmt_time(r.time_s),
            fmt_time(r.first_done_s),
            fmt_time(r.median_done_s),
            fmt_time(r.last_done_s),
            r.peak_rss_bytes.map_or_else(|| "n/a".to_owned(), fmt_bytes),
            r.peak_heap_bytes
                .map_or_else(|| "n/a".to_owned(), fmt_bytes),
            r.requests,
        );
    }
    out.push('\n');
    out
}

/// The short label of a scenario: its name up to the first `:` (`a`, `b`).
fn label(scenario: &ListingScenario) -> &str {
    scenario
        .name
        .split_once(':')
        .map_or(scenario.name.as_str(), |(short, _)| short.trim())
}

/// The prefetch sweep table: per `k`, each scenario's time and requests sent, and its
/// 429s where the scenario has a rate limit. Empty without a sweep.
fn render_sweep(report: &Report) -> String {
    let mut out = String::new();
    if report.prefetch_sweep.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nPrefetch sweep: the wrapper built with `.prefetch(k)`, otherwise as above; \
         requests sent = all the server received (429s and speculative requests past the last page included).\n"
    );
    let mut header = String::from("| k |");
    let mut rule = String::from("|---:|");
    for scenario in &report.scenarios {
        let l = label(scenario);
        let _ = write!(header, " ({l}) time | ({l}) requests sent |");
        rule.push_str("---:|---:|");
        if scenario.rate_limit.is_some() {
            let _ = write!(header, " ({l}) 429s |");
            rule.push_str("---:|");
        }
    }
    let _ = writeln!(out, "{header}\n{rule}");
    for row in &report.prefetch_sweep {
        let mut line = if row.prefetch == report.prefetch {
            format!("| {} (default) |", row.prefetch)
        } else {
            format!("| {} |", row.prefetch)
        };
        for (scenario, r) in report.scenarios.iter().zip(&row.listings) {
            let _ = write!(line, " {} | {} |", fmt_time(r.time_s), r.requests);
            if scenario.rate_limit.is_some() {
                let _ = write!(line, " {} |", r.served_429);
            }
        }
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
    out
}

fn render_targets(report: &Report) -> String {
    let mut out = String::new();
    for r in report.listings.iter().filter(|r| r.contender == "wrapper") {
        let _ = writeln!(
            out,
            "target: wrapper within {RATIO_TARGET}x of the lower bound, {}: {:.2}x ({})",
            r.scenario,
            r.ratio,
            mark(r.ratio <= RATIO_TARGET)
        );
        let _ = writeln!(
            out,
            "target: wrapper within {RATIO_TARGET}x of the lower bound with the completeness check, {}: {:.2}x ({})",
            r.scenario,
            r.checked_ratio,
            mark(r.checked_ratio <= RATIO_TARGET)
        );
        let limited = report
            .scenarios
            .iter()
            .any(|s| s.name == r.scenario && s.rate_limit.is_some());
        if limited {
            let _ = writeln!(
                out,
                "target: wrapper provokes no 429, {}: {} ({})",
                r.scenario,
                r.served_429,
                mark(r.served_429 == 0)
            );
        }
    }
    for s in &report.speedups {
        let unlimited = report
            .scenarios
            .iter()
            .any(|sc| sc.name == s.scenario && sc.rate_limit.is_none());
        if unlimited {
            let _ = writeln!(
                out,
                "target: wrapper >= {SPEEDUP_TARGET}x faster than sequential, {}: {:.2}x ({})",
                s.scenario,
                s.wrapper_over_sequential,
                mark(s.wrapper_over_sequential >= SPEEDUP_TARGET)
            );
        }
    }
    let _ = writeln!(
        out,
        "target: decode within {DECODE_TARGET}x of serde_json typed: {:.2}x ({})",
        report.decode.wrapper_vs_typed,
        mark(report.decode.wrapper_vs_typed <= DECODE_TARGET)
    );
    if let Some(b) = &report.build_times {
        let _ = writeln!(
            out,
            "target: spec change to wrapper built under {INCREMENTAL_TARGET_S} s: {} ({})",
            fmt_time(b.incremental_wrapper_s),
            mark(b.incremental_wrapper_s < INCREMENTAL_TARGET_S)
        );
    }
    out
}
