//! Runs the `--smoke` configuration in debug and checks that every figure is produced
//! and sane. Timing targets are the full run's business (`cargo xtask bench`), not a
//! test's: this only guards the runner against rotting.

use mijnklantportaal_bench::{Config, CountingAlloc, MemoryProbe};

// The same counting allocator as the binary, so the memory figures are exercised too.
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::new();

#[test]
fn smoke_run_produces_sane_figures() {
    let mut config = Config::smoke();
    config.memory_probe = Some(MemoryProbe {
        reset_peak: || ALLOC.reset_peak(),
        peak: || ALLOC.peak(),
    });
    // A nested cargo would contend for the build lock of this very test run.
    config.generate_runs = 0;

    let report = mijnklantportaal_bench::run_all(&config).expect("the smoke run completes");

    assert_eq!(report.listings.len(), config.listings.len() * 2);
    for scenario in &config.listings {
        for contender in ["wrapper", "sequential"] {
            let r = report
                .listings
                .iter()
                .find(|r| r.scenario == scenario.name && r.contender == contender)
                .unwrap_or_else(|| panic!("no row for {} / {contender}", scenario.name));
            assert_eq!(r.items, scenario.invoices, "{r:?}");
            assert_eq!(r.pages, scenario.invoices.div_ceil(15), "{r:?}");
            assert!(r.requests >= r.pages, "{r:?}");
            assert!(r.time_s > 0.0 && r.lower_bound_s > 0.0, "{r:?}");
            assert!(r.ratio.is_finite() && r.ratio >= 0.9, "{r:?}");
            if scenario.rate_limit.is_none() {
                assert_eq!(r.served_429, 0, "no limit, no 429: {r:?}");
            }
        }
    }
    assert_eq!(report.speedups.len(), config.listings.len());
    assert!(
        report
            .speedups
            .iter()
            .all(|s| s.wrapper_over_sequential.is_finite() && s.wrapper_over_sequential > 0.0)
    );

    let sweep: Vec<usize> = report
        .prefetch_sweep
        .iter()
        .map(|row| row.prefetch)
        .collect();
    assert_eq!(sweep, config.prefetch_sweep);
    for row in &report.prefetch_sweep {
        assert_eq!(
            row.listings.len(),
            config.listings.len(),
            "k = {}",
            row.prefetch
        );
        for (scenario, r) in config.listings.iter().zip(&row.listings) {
            assert_eq!(r.scenario, scenario.name, "k = {}: {r:?}", row.prefetch);
            assert_eq!(r.contender, "wrapper", "k = {}: {r:?}", row.prefetch);
            assert_eq!(r.items, scenario.invoices, "k = {}: {r:?}", row.prefetch);
            assert_eq!(
                r.pages,
                scenario.invoices.div_ceil(15),
                "k = {}: {r:?}",
                row.prefetch
            );
            assert!(r.requests >= r.pages, "k = {}: {r:?}", row.prefetch);
            assert!(
                r.time_s > 0.0 && r.own_lower_bound_s > 0.0,
                "k = {}: {r:?}",
                row.prefetch
            );
            if scenario.rate_limit.is_none() {
                assert_eq!(
                    r.served_429, 0,
                    "no limit, no 429: k = {}: {r:?}",
                    row.prefetch
                );
            }
        }
    }

    // Requests per page: counted, and within what the listing promises (a 2-page list
    // costs at most 3; no list more than its pages, those in flight at its end and one).
    let sizes: Vec<u64> = report.short_lists.iter().map(|r| r.pages).collect();
    assert_eq!(sizes, config.short_lists);
    let prefetch = mijnklantportaal::DEFAULT_PREFETCH as u64;
    for r in &report.short_lists {
        assert!(r.requests >= r.pages, "{r:?}");
        assert!(r.requests <= r.pages + prefetch, "{r:?}");
        if r.pages == 1 {
            assert_eq!(r.requests, 1, "{r:?}");
        }
        if r.pages == 2 {
            assert!(r.requests <= 3, "{r:?}");
        }
    }
    assert!(markdown_of(&report).contains("| pages | requests | per page | time |"));

    assert_eq!(report.memory.len(), config.memory_invoices.len());
    for m in &report.memory {
        assert_eq!(m.items, m.invoices, "{m:?}");
        assert!(m.peak_heap_bytes.is_some_and(|b| b > 0), "{m:?}");
    }

    // The many-accounts runs: every account listed, both contenders, per count.
    assert_eq!(report.accounts.len(), config.accounts.len() * 2);
    for r in &report.accounts {
        assert_eq!(r.listed, r.accounts * config.account_invoices, "{r:?}");
        assert!(r.requests >= r.accounts * 3, "three pages each: {r:?}");
        assert!(
            r.first_done_s <= r.median_done_s && r.median_done_s <= r.last_done_s,
            "{r:?}"
        );
        assert!(
            r.last_done_s <= r.time_s && r.clients_made_s <= r.time_s,
            "{r:?}"
        );
        assert!(r.peak_heap_bytes.is_some_and(|b| b > 0), "{r:?}");
    }
    assert!(markdown_of(&report).contains("| accounts | clients | clients made |"));

    let d = &report.decode;
    assert_eq!(d.page_items, 15);
    assert!(d.page_bytes > 0);
    for figure in [d.wrapper_us, d.serde_typed_us, d.serde_value_us] {
        assert!(figure.is_finite() && figure > 0.0, "{d:?}");
    }
    assert!(d.wrapper_vs_typed.is_finite() && d.wrapper_vs_value.is_finite());
    assert!(report.generate.is_none());

    let markdown = mijnklantportaal_bench::render_markdown(&report);
    assert!(
        markdown.contains("| scenario | contender | pages | time | lower bound | ratio | bound + check | ratio | 429s |")
    );
    assert!(markdown.contains(
        "| k | (a) time | (a) requests sent | (b) time | (b) requests sent | (b) 429s |"
    ));
    let json = serde_json::to_value(&report).expect("the report serializes");
    assert_eq!(json["listings"].as_array().map(Vec::len), Some(4));
    let json_sweep = json["prefetch_sweep"]
        .as_array()
        .expect("the sweep is in the JSON");
    assert_eq!(json_sweep.len(), config.prefetch_sweep.len());
    assert!(json_sweep.iter().all(|row| {
        row["prefetch"].is_u64() && row["listings"].as_array().map(Vec::len) == Some(2)
    }));
}

fn markdown_of(report: &mijnklantportaal_bench::Report) -> String {
    mijnklantportaal_bench::render_markdown(report)
}
