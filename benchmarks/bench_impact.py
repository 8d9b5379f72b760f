"""Server-side work of the Impact and Compare pages, against a bare pandas group-by in the same run.

For each size N (synthetic data, ``benchmarks/synthetic.py``) and each filter state of
``pages.STATES``, time

* **Impact page**: what pages/5_impact.py asks of the library — job flows, Kaplan–Meier survival of
  everything in view, survival by legal form, per-resident table, LM3 by area, additionality — with
  every figure built and serialised to JSON (what ``st.plotly_chart`` sends);
* **Compare page**: what pages/6_compare.py does for two places — the per-resident table of every
  area, reference statistics per country, survival and sector mix per place, four figures as JSON;
* **pandas group-by**: the bare baseline (figures joined to enterprise attributes once, not timed;
  per state filter + jobs and row count per year), as in ``bench_filters.py``.

Prints medians, p90 and the ratio of each page to the baseline (pooled over all states).

    .venv/bin/python benchmarks/bench_impact.py [--sizes 100000] [--reps 5]
"""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd

import pages
import synthetic
from pages import STATES, Stats, ms, table
from regen import charts, geo, impact, metrics, survival
from regen.filters import Filters

LANG = "en"


def impact_page(panel: metrics.Panel, areas: pd.DataFrame, filters: Filters) -> int:
    base, year = filters.years(panel.years)
    mask = panel.mask(filters)
    size = 0
    flows = impact.job_flows(panel, mask)
    size += len(pages.to_json(charts.job_flows_chart(flows[flows["year"] > panel.year_min], LANG)))
    overall = survival.panel_survival(panel, mask, censor_year=year)
    by_form = survival.survival_by(panel, mask, "legal_form", censor_year=year)
    curves = {"all": overall.curve} | {k: v.curve for k, v in list(by_form.items())[:8]}
    size += len(pages.to_json(charts.survival_chart(curves, LANG)))
    table_ = impact.per_resident(panel, mask, areas, year)
    size += int(table_.memory_usage(deep=True).sum() > 0)
    params = impact.Additionality()
    created = float(flows[(flows["year"] > base) & (flows["year"] <= year)]["created"].fillna(0).sum())
    impact.net_additional(created, params)
    impact.additionality_steps(created, params)
    lm3 = impact.lm3_by_area(panel, mask, year, impact.LocalSpend(), areas)
    centres = panel.enterprises[mask].groupby("area", observed=True)[["lat", "lon"]].mean()
    lm3 = lm3.join(centres, on="area", how="inner") if len(lm3) else lm3
    if len(lm3):
        lm3 = lm3.assign(label=lm3["area"].astype(str), text="")
        for _currency, part in lm3.groupby("currency"):
            view = geo.fit_view(part["lat"], part["lon"], width=700, height=420)
            fig = charts.area_value_map(part, value="local_value", lang=LANG, view=view,
                                        boundaries=[geo.load_boundaries("countries")])
            size += len(pages.to_json(fig))
    return size


def compare_page(panel: metrics.Panel, areas: pd.DataFrame, filters: Filters, places: list[str]) -> int:
    _base, year = filters.years(panel.years)
    mask = panel.mask(Filters(sector=filters.sector, legal_form=filters.legal_form, year_from=filters.year_from,
                              year_to=filters.year_to))
    table_ = impact.per_resident(panel, mask, areas, year)
    table_["label"] = table_["code"]
    ref = {c: impact.reference_stats(table_, c) for c in ("jobs_per_10k", "enterprises_per_10k")}
    rows = table_.set_index("code").reindex(places).dropna(subset=["country"]).reset_index()
    area_of = panel.enterprises["area"].astype(str).to_numpy()
    size = 0
    for column in ("jobs_per_10k", "enterprises_per_10k"):
        size += len(pages.to_json(charts.compare_bars(rows, column, LANG, reference=ref[column])))
    results = {code: survival.panel_survival(panel, mask & (area_of == code), censor_year=year) for code in rows["code"]}
    size += len(pages.to_json(charts.survival_chart({c: r.curve for c, r in results.items()}, LANG)))
    mix = pd.concat([metrics.jobs_by(panel, mask & (area_of == code), year, "sector").assign(label=code)
                     for code in rows["code"]], ignore_index=True)
    size += len(pages.to_json(charts.sector_mix_chart(mix[["label", "sector", "jobs"]], LANG)))
    return size


def run_size(n: int, reps: int) -> str:
    lines = []
    t, ds = pages.timed(synthetic.make_dataset, n)
    lines.append(f"\n### N = {n:,} enterprises\n\n{synthetic.describe(ds)} (generated in {t:.1f} s)\n")
    panel = metrics.build_panel(ds)
    baseline = pages.PandasBaseline(ds)
    areas = ds.areas
    # two places with populations, one per country where possible (Compare's usual question)
    with_pop = areas[areas["population"].notna()] if "population" in areas else areas
    places = [with_pop[with_pop["country"] == c]["code"].iloc[0] for c in ("GB", "JP")
              if (with_pop["country"] == c).any()][:2] or list(areas["code"][:2])
    work = {"impact": lambda f: impact_page(panel, areas, f),
            "compare": lambda f: compare_page(panel, areas, f, places),
            "pandas": lambda f: baseline.run(f)}
    stats = {name: {state: Stats([]) for state, _ in STATES} for name in work}
    for name, fn in work.items():  # warm-up (imports, first JSON encoder use)
        fn(STATES[0][1])
    for _ in range(reps):
        for state, filters in STATES:
            for name, fn in work.items():
                gc.collect()
                elapsed, _out = pages.timed(fn, filters)
                stats[name][state].runs.append(elapsed)
    rows = []
    for state, _filters in STATES:
        b = stats["pandas"][state].median
        rows.append([state, ms(b), ms(stats["impact"][state].median), f"{stats['impact'][state].median / b:.1f}×",
                     ms(stats["compare"][state].median), f"{stats['compare'][state].median / b:.1f}×"])
    pooled = {name: Stats([r for s in per.values() for r in s.runs]) for name, per in stats.items()}
    b = pooled["pandas"].median
    rows.append(["**all states**", ms(b), ms(pooled["impact"].median), f"**{pooled['impact'].median / b:.1f}×**",
                 ms(pooled["compare"].median), f"**{pooled['compare'].median / b:.1f}×**"])
    lines.append(table(["state", "pandas group-by (ms)", "Impact (ms)", "Impact ÷ baseline", "Compare (ms)",
                        "Compare ÷ baseline"], rows, align="lrrrrr"))
    lines.append(f"\np90 over all states: Impact {ms(pooled['impact'].p90)} ms, Compare {ms(pooled['compare'].p90)} ms, "
                 f"pandas {ms(pooled['pandas'].p90)} ms; {reps} rounds of {len(STATES)} states.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return pages.bench_main(argv, description=__doc__.split("\n")[0], title="Impact and Compare pages: server-side work", run_size=run_size, max_size=200_000)


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())
