"""Scenario planner (``regen.scenario``): donor extraction and the Monte Carlo, against baselines in the same run.

For each size N (synthetic data, ``benchmarks/synthetic.py``):

* **donors()** on the realistic synthetic panel for three profiles (everything, GB, JP care), and on a
  *dense* worst case: every enterprise founded in 2001 and reporting every year to 2025 (N × 25 figure
  rows, 2.5M at 100k; every enterprise is a donor with a full 25-year path). Baseline: a bare pandas
  group-by of the same panel's figures (headcount summed per enterprise:
  ``panel.figures.groupby("pos")["employees"].sum()``).
* **simulate()** on the realistic "everything" donors: 1,000 runs × 10 enterprises × 10 years (the
  brief; also with more and less support), 1,000 × 50 × 20 (the page's largest choice) and
  10,000 × 10 × 10; each against a bare numpy
  draw of the same number of random integers (``rng.integers(donors, size=(runs, N, H + 1))``).

Prints the median (and p90) of ``--reps`` timed runs after one warm-up, and the ratio to the baseline.
Targets: simulate(1,000 × 10 × 10) < 0.5 s; donors() at 100k × 25 years well under 1 s.

    .venv/bin/python benchmarks/bench_scenario.py [--sizes 100000] [--reps 5]
"""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd

import pages
import synthetic
from pages import Stats, ms, table
from regen import metrics, scenario
from regen.dataset import Dataset
from regen.filters import Filters

PROFILES = (
    ("everything", Filters()),
    ("GB", Filters(country=("GB",))),
    ("JP, care", Filters(country=("JP",), sector=("care",))),
)
SIMULATIONS = (  # runs, N, horizon, support
    (1000, 10, 10, "as_observed"), (1000, 10, 10, "more"), (1000, 10, 10, "less"),
    (1000, 50, 20, "as_observed"), (10_000, 10, 10, "as_observed"),
)
DENSE_LIMIT = 200_000  # the dense dataset (N × 25 rows) is made only up to this size


def dense_dataset(ds: Dataset, seed: int = 7) -> Dataset:
    """The same enterprises, all founded in 2001 and trading, with a figure in every year 2001-2025."""
    rng = np.random.default_rng(seed)
    y0, y1 = synthetic.YEARS
    years = y1 - y0 + 1
    n = len(ds.enterprises)
    ent = ds.enterprises.assign(founded=pd.array(np.full(n, y0), dtype="Int64"),
                                closed=pd.array([pd.NA] * n, dtype="Int64"))
    owner = np.repeat(np.arange(n), years)
    size = rng.lognormal(np.log(7.0), 0.9, n)
    employees = np.maximum(np.round(size[owner] * rng.lognormal(0, 0.12, n * years)), 1).astype(np.int64)
    figures = pd.DataFrame({
        "enterprise_id": ent["enterprise_id"].take(owner).reset_index(drop=True),
        "year": pd.array(np.tile(np.arange(y0, y1 + 1), n), dtype="Int64"),
        "employees": pd.array(employees, dtype="Int64"),
    })
    return Dataset(ent, figures, ds.areas, name=f"dense-{n}", illustrative=True)


def repeat(fn, reps: int) -> Stats:
    fn()  # warm-up
    runs = []
    for _ in range(reps):
        gc.collect()
        gc.disable()
        elapsed, _out = pages.timed(fn)
        gc.enable()
        runs.append(elapsed)
    return Stats(runs)


def bare_groupby(panel: metrics.Panel):
    return lambda: panel.figures.groupby("pos", sort=False)["employees"].sum()


def run_size(n: int, reps: int) -> str:
    lines = []
    t, ds = pages.timed(synthetic.make_dataset, n)
    lines.append(f"\n### N = {n:,} enterprises\n\n{synthetic.describe(ds)} (generated in {t:.1f} s)\n")
    panel = metrics.build_panel(ds)
    panels = [("realistic", panel)]
    if n <= DENSE_LIMIT:
        t, dense = pages.timed(lambda: metrics.build_panel(dense_dataset(ds)))
        panels.append(("dense (all founded 2001, 25 figures each)", dense))
        lines.append(f"Dense variant: {len(dense.year):,} figure rows (made and built in {t:.1f} s).\n")

    rows = []
    everything = None
    for label, source in panels:
        base = repeat(bare_groupby(source), reps)
        profiles = PROFILES if source is panel else PROFILES[:1]
        for name, filters in profiles:
            mask = source.mask(filters)
            pool = scenario.donors(source, mask)
            if source is panel and name == "everything":
                everything = pool
            s = repeat(lambda: scenario.donors(source, mask), reps)
            rows.append([f"{label}: {name}", f"{len(pool):,}", f"{pool.paths.nbytes / 1e6:,.1f}", ms(s.median),
                         ms(s.p90), ms(base.median), f"{s.median / base.median:.1f}×"])
    lines.append(table(["donors() for", "donors", "paths MB", "median ms", "p90 ms", "pandas group-by ms",
                        "÷ baseline"], rows))

    rows = []
    rng = np.random.default_rng(1)
    for runs, size, horizon, support in SIMULATIONS:
        s = repeat(lambda: scenario.simulate(everything, size, horizon, runs=runs, support=support), reps)
        base = repeat(lambda: rng.integers(len(everything), size=(runs, size, horizon + 1)), reps)
        rows.append([f"{runs:,} × {size} × {horizon}, {support}", ms(s.median), ms(s.p90), ms(base.median),
                     f"{s.median / base.median:.0f}×"])
    lines.append(f"\nsimulate() from the {len(everything):,} realistic donors:\n")
    lines.append(table(["runs × enterprises × years, support", "median ms", "p90 ms",
                        "numpy draw of the same size ms", "÷ baseline"], rows))
    lines.append(f"\n{reps} timed runs each after one warm-up.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return pages.bench_main(argv, description=__doc__.split("\n")[0], title="Scenario planner: donors and Monte Carlo", run_size=run_size)


if __name__ == "__main__":
    raise SystemExit(main())
