"""Impact, Compare and Scenario in a real browser: charts drawn (bands included), a comparison opened
in Japanese by a deep link as the first request to a fresh server, the scenario's CSV downloaded."""

from __future__ import annotations

import csv
import io

from regen import i18n

from .helpers import error_boxes, goto


def plots(page) -> list[dict]:
    """What each drawn plotly chart holds: its trace types, fills and number of drawn paths."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullData).map(g => ({
            traces: g._fullData.map(t => ({type: t.type, fill: t.fill || '', n: (t.y || t.lat || []).length,
                                           name: t.name || ''})),
            paths: g.querySelectorAll('path.js-fill, path.js-line, g.point path, .bars path').length,
            height: g.getBoundingClientRect().height,
        }))""")


def test_compare_deep_link_in_japanese_on_a_fresh_server(page, fresh_server):
    from playwright.sync_api import expect

    goto(page, fresh_server, "compare", "lang=ja&compare=E08000024,15205")
    expect(page.locator("h1").first).to_have_text(i18n.t("compare.title", "ja"), timeout=30_000)
    body = page.locator('[data-testid="stMain"]')
    expect(body).to_contain_text("サンダーランド", timeout=30_000)
    expect(body).to_contain_text("柏崎市")
    expect(body).to_contain_text(i18n.t("compare.jobs_per_10k", "ja", year=2025))
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullData).length >= 4",
                           timeout=60_000)
    drawn = plots(page)
    assert all(p["height"] > 100 and p["paths"] > 0 for p in drawn), drawn
    assert error_boxes(page) == 0
    assert page.blocked == []


def test_impact_draws_flows_and_survival_band(page, server):
    goto(page, server, "impact")
    # charts finish drawing after the script run (slowly under load): wait for the flows' bars and a band
    page.wait_for_function(
        """() => {
            const data = [...document.querySelectorAll('.js-plotly-plot')].flatMap(g => g._fullData || []);
            return data.some(t => t.type === 'bar' && (t.y || []).length > 10) && data.some(t => t.fill === 'toself');
        }""", timeout=60_000)
    drawn = plots(page)
    survival = [p for p in drawn if any(t["fill"] == "toself" for t in p["traces"])]
    assert survival, "the survival chart has a confidence band"
    assert any(t["type"] == "bar" and t["n"] > 10 for p in drawn for t in p["traces"])  # job flows by year
    assert error_boxes(page) == 0
    assert page.blocked == []


def test_scenario_band_drawn_and_csv_downloaded(page, server):
    goto(page, server, "scenario", "lang=ja&place=15205&n=12&horizon=10")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].some(g => (g._fullData || []).some(t => t.fill === 'toself'))",
        timeout=60_000)
    drawn = plots(page)
    band = [t for p in drawn for t in p["traces"] if t["fill"] == "toself"]
    assert band and band[0]["n"] == 2 * 11  # p90 out and p10 back over years 0..10
    assert page.get_by_text(i18n.t("scenario.assume.not_forecast", "ja")).count() == 1
    with page.expect_download() as info:
        page.get_by_role("button", name=i18n.t("scenario.download", "ja")).click()
    rows = list(csv.DictReader(io.StringIO(info.value.path().read_text(encoding="utf-8-sig"))))
    assert len(rows) == 11 and "jobs_median" in rows[0]
    assert error_boxes(page) == 0
    assert page.blocked == []
