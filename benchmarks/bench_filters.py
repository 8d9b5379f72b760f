"""Server-side cost of one filter or year change, against a bare pandas / DuckDB group-by.

For each size N (synthetic data, ``benchmarks/synthetic.py``):

1. build the Panel once and report its build time and memory;
2. for each filter state in ``pages.STATES`` time
   * **core**: ``panel.mask`` + ``metrics.jobs_by_year`` (the same question the baselines answer),
   * **overview**: everything dashboard.py asks of the library, every figure built and serialised,
   * **overview (hex rule)**: the same, with the small map switching to hexagons above POINT_LIMIT
     (a what-if: dashboard.py always draws points),
   * **map**: pages/1_map.py's map section (snapshot, points or hexagons, figure, JSON),
   * **pandas** and **duckdb**: figures joined to the enterprise attributes once (not timed), then per
     state filter + jobs and row count per year;
3. print medians, p90 and ratios (ours / fastest baseline), per state and pooled over all states.

Runs go state by state in sequence (a realistic series of changes), after warm-up rounds. The
map's H3 point-set cache (``geo._CELL_CACHE``) is cleared before every map run, so each run pays for
a filter change to a point set not seen before; the per-coordinate cell cache (``geo._COORD_CACHE``,
where the library has one) stays warm, as in a server that has drawn a map before. The first map
after a server start, with both caches empty, is timed separately.

    .venv/bin/python benchmarks/bench_filters.py [--sizes 100000 1000000] [--reps 15]
"""

from __future__ import annotations

import argparse
import gc
import time

import numpy as np

import pages
import synthetic
from pages import STATES, Stats, ms, table
from regen import geo, metrics

WORKLOADS = ("core", "overview", "overview_hex", "map", "pandas", "duckdb")
LABELS = {"core": "core (mask+jobs_by_year)", "overview": "Overview page", "overview_hex": "Overview, every point (first version)",
          "map": "Map page", "pandas": "pandas group-by", "duckdb": "DuckDB group-by"}


def check(panel, baselines, filters) -> None:
    """The baselines and the Panel agree (jobs and enterprises per year in the chosen range)."""
    series = pages.core(panel, filters).set_index("year")
    lo, hi = filters.years(panel.years)
    ours = series.loc[lo:hi, ["jobs", "enterprises"]]
    for name, base in baselines.items():
        theirs = base.run(filters)[["jobs", "enterprises"]].reindex(ours.index, fill_value=0)
        if not np.array_equal(ours.to_numpy(np.int64), theirs.to_numpy(np.int64)):
            raise AssertionError(f"{name} disagrees with the Panel for {filters}")


def run_size(n: int, reps: int, warmup: int, budget: float, out: dict) -> str:
    lines = []
    t, ds = pages.timed(synthetic.make_dataset, n)
    lines.append(f"\n### N = {n:,} enterprises\n\n{synthetic.describe(ds)} (generated in {t:.1f} s)\n")
    gc.collect()
    rss0 = pages.rss_mb()
    t_build, panel = pages.timed(metrics.build_panel, ds)
    gc.collect()
    rss1 = pages.rss_mb()
    baselines = {}
    t_pandas, baselines["pandas"] = pages.timed(pages.PandasBaseline, ds)
    try:
        t_duck, baselines["duckdb"] = pages.timed(pages.DuckDBBaseline, ds)
    except ImportError:
        t_duck = None
    place_names = pages.PlaceNames(ds)
    lines.append(table(
        ["one-off set-up", "time (s)", "memory"],
        [["build_panel", f"{t_build:.2f}",
          f"{pages.panel_bytes(panel) / 1e6:,.0f} MB held by the Panel; RSS +{rss1 - rss0:,.0f} MB"],
         ["pandas baseline: join once", f"{t_pandas:.2f}",
          f"{baselines['pandas'].frame.memory_usage(deep=True).sum() / 1e6:,.0f} MB"],
         *([["DuckDB baseline: load tables", f"{t_duck:.2f}",
             f"in DuckDB, {baselines['duckdb'].threads} threads"]] if t_duck is not None else [])],
        align="lrl"))
    for _name, filters in STATES:
        check(panel, baselines, filters)

    def work(kind):
        if kind == "core":
            return lambda f: pages.core(panel, f)
        if kind == "overview":
            return lambda f: pages.overview(panel, f)
        if kind == "overview_hex":  # the first version: every point on the small maps, for comparison
            return lambda f: pages.overview(panel, f, hex_rule=False)
        if kind == "map":
            def run_map(f):
                geo._CELL_CACHE.clear()  # a filter change: this point set has not been seen
                return pages.map_page(panel, f, place_names)
            return run_map
        return baselines[kind].run

    runs: dict[str, dict[str, list[float]]] = {}
    payload: dict[str, dict[str, int]] = {}
    for kind in WORKLOADS:
        if kind not in baselines and kind in ("pandas", "duckdb"):
            continue
        fn = work(kind)
        runs[kind] = {name: [] for name, _ in STATES}
        payload[kind] = {}
        started = time.perf_counter()
        for _ in range(warmup):
            for name, filters in STATES:
                fn(filters)
        first_round = (time.perf_counter() - started) / max(warmup, 1)
        # at least 15 repetitions unless one round of states would blow the time budget
        k = reps if first_round * reps <= budget else max(5, int(budget / first_round))
        for _ in range(k):
            for name, filters in STATES:
                gc.disable()
                dt, res = pages.timed(fn, filters)
                gc.enable()
                runs[kind][name].append(dt)
                if isinstance(res, int):
                    payload[kind][name] = res
        gc.collect()

    # The first map of a server process pays for every H3 cell (no cache at all): the "all" state.
    cold = []
    for _ in range(5):
        geo._CELL_CACHE.clear()
        getattr(geo, "_COORD_CACHE", {}).clear()
        cold.append(pages.timed(pages.map_page, panel, STATES[0][1], place_names)[0])
    cold = Stats(cold)

    base_kinds = [k for k in ("pandas", "duckdb") if k in runs]
    rows = []
    for name, _filters in STATES:
        best = min(Stats(runs[k][name]).median for k in base_kinds)
        row = [name]
        for kind in ("core", "overview", "overview_hex", "map"):
            s = Stats(runs[kind][name])
            row.append(f"{ms(s.median)} / {ms(s.p90)}")
        for kind in base_kinds:
            s = Stats(runs[kind][name])
            row.append(f"{ms(s.median)} / {ms(s.p90)}")
        row += [f"{Stats(runs['core'][name]).median / best:.2f}", f"{Stats(runs['map'][name]).median / best:.1f}",
                f"{Stats(runs['overview'][name]).median / best:.1f}"]
        rows.append(row)
    pooled = {k: Stats([x for v in runs[k].values() for x in v]) for k in runs}
    best_pooled = min(pooled[k].median for k in base_kinds)
    rows.append(["**all states pooled**",
                 *(f"**{ms(pooled[k].median)} / {ms(pooled[k].p90)}**" for k in ("core", "overview", "overview_hex", "map")),
                 *(f"**{ms(pooled[k].median)} / {ms(pooled[k].p90)}**" for k in base_kinds),
                 f"**{pooled['core'].median / best_pooled:.2f}**", f"**{pooled['map'].median / best_pooled:.1f}**",
                 f"**{pooled['overview'].median / best_pooled:.1f}**"])
    reps_note = ", ".join(f"{LABELS[k]} {len(next(iter(runs[k].values())))}" for k in runs)
    lines.append("\nmedian / p90 in ms per filter state; ratio = ours / fastest baseline (medians). "
                 f"Repetitions per state: {reps_note}.\n")
    lines.append(table(["filter state", "core", "Overview", "Overview, every point (old)", "Map",
                        *(LABELS[k] for k in base_kinds), "ratio core", "ratio Map", "ratio Overview"], rows))
    lines.append(f"\nMap page for 'all' with every H3 cache empty (first map after a server start): "
                 f"median {ms(cold.median)} ms, p90 {ms(cold.p90)} ms over {len(cold)} runs.\n")
    pay_rows = [[name, f"{payload['overview'][name]:,}", f"{payload['overview_hex'][name]:,}", f"{payload['map'][name]:,}"]
                for name, _ in STATES]
    lines.append("\nJSON bytes sent per state (sum of the page's figures):\n")
    lines.append(table(["filter state", "Overview", "Overview, every point (old)", "Map"], pay_rows))
    out[n] = {"cold_map": cold.median, "build_s": t_build, "panel_mb": pages.panel_bytes(panel) / 1e6, "rss_mb": rss1 - rss0,
              "pooled": {k: (pooled[k].median, pooled[k].p90) for k in pooled}, "best_baseline": best_pooled}
    del panel, baselines, ds
    gc.collect()
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cost of one filter change, against a bare group-by.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--budget", type=float, default=100.0,
                        help="seconds per workload and size before repetitions drop below --reps (never below 5)")
    args = parser.parse_args(argv)
    print(f"## Filter changes\n\nMachine: {pages.machine()}")
    out: dict = {}
    for n in args.sizes:
        print(run_size(n, args.reps, args.warmup, args.budget, out), flush=True)
    print("\nTargets (pooled medians): ratio core ≤ 2 and Map ≤ 2 × baseline; 100k page median < ~150 ms.")
    for n, r in out.items():
        core, ov, ovh, mp = (r["pooled"][k][0] for k in ("core", "overview", "overview_hex", "map"))
        best = r["best_baseline"]
        print(f"- N={n:,}: core {ms(core)} ms (ratio {core / best:.2f}), Map {ms(mp)} ms (ratio {mp / best:.2f}), "
              f"Overview {ms(ov)} ms (ratio {ov / best:.2f}), Overview with hex rule {ms(ovh)} ms "
              f"(ratio {ovh / best:.2f}); fastest baseline {ms(best)} ms; peak RSS so far {pages.peak_rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
