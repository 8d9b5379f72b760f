"""The library work of one page run, as ``dashboard.py`` and ``pages/1_map.py`` do it, without Streamlit.

Mirrors the pages as of 2026-11-25 (after "Hex map: shade by the hexagons of the country in view":
one small map per country on the Overview, maps fitted to their drawn size). Keep it in step when
a page changes which library calls it makes.

Each function makes the same ``regen`` calls, in the same order and with the same arguments, as
the page does for a filter state, builds every figure the page shows and serialises it with
``plotly.io.to_json(fig, validate=False)`` (what ``st.plotly_chart`` sends to the browser), and
returns the bytes of JSON so that serialisation cannot be skipped. Widgets, session state and
Streamlit caching are left out: what is timed is the server-side work of one rerun.

Also here: the bare baselines (pandas and DuckDB group-bys of the same data) and small timing and
table helpers shared by the benchmark scripts.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io as pio

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # appended: PYTHONPATH can point at another copy of ``regen`` to compare

from regen import charts, mapview, metrics, places  # noqa: E402
from regen.dataset import Dataset  # noqa: E402
from regen.filters import DIMENSIONS, Filters  # noqa: E402

POINT_LIMIT = mapview.POINT_LIMIT  # above this many points a map switches to hexagons
LANG = "en"

# A realistic sequence of sidebar changes: each state is one rerun of the page.
STATES: tuple[tuple[str, Filters], ...] = (
    ("all", Filters()),
    ("country=GB", Filters(country=("GB",))),
    ("GB / north_east", Filters(country=("GB",), region=("north_east",))),
    ("care + cooperative", Filters(sector=("care",), legal_form=("cooperative",))),
    ("years 2010-2020", Filters(year_from=2010, year_to=2020)),
    ("GB, years 2005-2015", Filters(country=("GB",), year_from=2005, year_to=2015)),
    ("JP / tokyo, 2001-2012", Filters(country=("JP",), region=("tokyo",), year_from=2001, year_to=2012)),
)


def to_json(fig) -> str:
    return pio.to_json(fig, validate=False)


# --- Pages -------------------------------------------------------------------------------------

def core(panel: metrics.Panel, filters: Filters) -> pd.DataFrame:
    """The part that answers the baseline's question: mask + jobs (and enterprises) per year."""
    return metrics.jobs_by_year(panel, panel.mask(filters))


def overview(panel: metrics.Panel, filters: Filters, *, hex_rule: bool = True) -> int:
    """dashboard.py: headline figures, jobs over time, one small map per country, jobs by sector.

    Each small map follows the Map page's rule (hexagons above POINT_LIMIT points), as dashboard.py
    does; ``hex_rule=False`` draws every point, as the first version did (kept for comparison).
    """
    base, year = filters.years(panel.years)
    mask = panel.mask(filters)
    series = metrics.jobs_by_year(panel, mask)
    head = metrics.headline(panel, filters, series)
    size = len(to_json(charts.jobs_over_time(series, LANG, base_year=base, year=year)))
    points = metrics.snapshot(panel, mask, year)
    countries = [c for c in ("GB", "JP") if (points["country"] == c).any()] or ["GB"]
    for country in countries:  # one small map per country, as dashboard.py draws them
        plan = mapview.plan(points, lang=LANG, country=country, everyone=panel.enterprises[mask],
                            point_limit=POINT_LIMIT if hex_rule else None)
        size += len(to_json(mapview.figure(plan, lang=LANG, height=420, legend=False)))
    by_sector = metrics.jobs_by(panel, mask, year, "sector")
    size += len(to_json(charts.jobs_by_category(by_sector, "sector", LANG, height=420)))
    assert head.year == year
    return size


class PlaceNames:
    """``regen_app.setup.place_label`` without Streamlit: "ward · area · region" per point."""

    def __init__(self, dataset: Dataset, lang: str = LANG):
        areas = dataset.areas
        chosen = areas["name_ja"] if lang == "ja" else areas["name"]
        self.area = dict(zip(areas["code"].astype(str), chosen.fillna(areas["name"]).astype(str)))
        self.lang = lang

    def __call__(self, ward: object, area: str, region: str) -> str:
        parts = [places.ward_name(ward, self.lang) if isinstance(ward, str) and ward else "", self.area.get(area, area),
                 places.region_name(region, self.lang)]
        return " · ".join(p for p in parts if p)


def map_figure(panel: metrics.Panel, filters: Filters, place_names: PlaceNames, *, year: int | None = None,
               mode: str = "points", colour_by: str = "sector", view_key: str = "auto",
               point_limit: int | None = POINT_LIMIT):
    """pages/1_map.py ``map_section``: the figure it sends, and whether it drew hexagons.

    ``point_limit=None`` turns the hexagon switch off (points whatever their number), for payloads.
    """
    base, end = filters.years(panel.years)
    year = end if year is None else year
    mask = panel.mask(filters)
    points = metrics.snapshot(panel, mask, year)
    plan = mapview.plan(points, lang=LANG, view_key=view_key, mode=mode, everyone=panel.enterprises[mask],
                        point_limit=point_limit)
    if not plan.hexes:
        plan.points["place"] = [place_names(w, a, r) for w, a, r in zip(
            plan.points["ward"], plan.points["area"].astype(str), plan.points["region"].astype(str))]
    fig = mapview.figure(plan, lang=LANG, colour_by=colour_by)
    show_hexes = plan.hexes
    return fig, show_hexes, len(points)


def map_page(panel: metrics.Panel, filters: Filters, place_names: PlaceNames) -> int:
    fig, _hexes, _n = map_figure(panel, filters, place_names)
    return len(to_json(fig))


# --- Baselines ---------------------------------------------------------------------------------

class PandasBaseline:
    """The same question answered with a plain pandas group-by on a frame joined once.

    Built once (not timed): figures joined to the enterprise attributes, dimension columns as
    categoricals. Per filter state (timed): boolean filter on the attributes and the year range,
    then jobs (sum of headcount) and enterprises (rows) per year.
    """

    def __init__(self, dataset: Dataset):
        ent = dataset.enterprises[["enterprise_id", *DIMENSIONS]].copy()
        for name in DIMENSIONS:
            ent[name] = ent[name].astype("category")
        fig = dataset.figures[["enterprise_id", "year", "employees"]]
        joined = fig.merge(ent, on="enterprise_id", how="inner")
        joined["year"] = joined["year"].astype("int64")
        joined["employees"] = joined["employees"].astype("int64")
        self.frame = joined.drop(columns="enterprise_id")

    def run(self, filters: Filters) -> pd.DataFrame:
        frame = self.frame
        keep = np.ones(len(frame), dtype=bool)
        for name, chosen in filters.selections().items():
            keep &= frame[name].isin(chosen).to_numpy()
        lo, hi = filters.year_from, filters.year_to
        if lo is not None:
            keep &= (frame["year"] >= lo).to_numpy()
        if hi is not None:
            keep &= (frame["year"] <= hi).to_numpy()
        return frame[keep].groupby("year").agg(jobs=("employees", "sum"), enterprises=("employees", "size"))


class DuckDBBaseline:
    """The same question in DuckDB (in-memory tables loaded once; join + filter + group-by per state)."""

    def __init__(self, dataset: Dataset):
        import duckdb

        self.con = duckdb.connect()
        ent = dataset.enterprises[["enterprise_id", *DIMENSIONS]].reset_index(drop=True)
        ent = pd.DataFrame({"pos": np.arange(len(ent), dtype=np.int32),
                            **{name: ent[name].astype(object) for name in DIMENSIONS}})
        pos = pd.Index(dataset.enterprises["enterprise_id"]).get_indexer(dataset.figures["enterprise_id"])
        fig = pd.DataFrame({"pos": pos.astype(np.int32), "year": dataset.figures["year"].to_numpy(np.int32),
                            "employees": dataset.figures["employees"].to_numpy(np.int64)})
        self.con.register("ent_df", ent)
        self.con.register("fig_df", fig)
        self.con.execute("CREATE TABLE ent AS SELECT * FROM ent_df")
        self.con.execute("CREATE TABLE fig AS SELECT * FROM fig_df")
        self.con.unregister("ent_df")
        self.con.unregister("fig_df")
        self.threads = self.con.execute("SELECT current_setting('threads')").fetchone()[0]

    def run(self, filters: Filters) -> pd.DataFrame:
        where, params = [], []
        for name, chosen in filters.selections().items():
            where.append(f"e.{name} IN ({', '.join('?' * len(chosen))})")
            params.extend(chosen)
        if filters.year_from is not None:
            where.append("f.year >= ?")
            params.append(filters.year_from)
        if filters.year_to is not None:
            where.append("f.year <= ?")
            params.append(filters.year_to)
        sql = ("SELECT f.year, sum(f.employees) AS jobs, count(*) AS enterprises FROM fig f JOIN ent e USING (pos) "
               + ("WHERE " + " AND ".join(where) if where else "") + " GROUP BY f.year ORDER BY f.year")
        return self.con.execute(sql, params).df().set_index("year")


# --- Timing helpers ----------------------------------------------------------------------------

def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


@dataclass
class Stats:
    runs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def p90(self) -> float:
        return float(np.percentile(self.runs, 90))

    def __len__(self) -> int:
        return len(self.runs)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}" if seconds < 10 else f"{seconds * 1000:,.0f}"


def table(headers: list[str], rows: list[list[str]], *, align: str | None = None) -> str:
    """A Markdown table (readable in a terminal and pasteable into docs/performance.md)."""
    align = align or "l" + "r" * (len(headers) - 1)
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h)) for i, h in enumerate(headers)]

    def line(cells):
        return "| " + " | ".join(str(c).ljust(w) if a == "l" else str(c).rjust(w)
                                 for c, w, a in zip(cells, widths, align)) + " |"

    sep = "|" + "|".join(("-" * (w + 1) + ":") if a == "r" else (":" + "-" * (w + 1)) for w, a in zip(widths, align)) + "|"
    return "\n".join([line(headers), sep, *(line(r) for r in rows)])


def rss_mb() -> float:
    """Resident memory of this process now (MB)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def panel_bytes(panel: metrics.Panel) -> int:
    """Deep size of what a Panel holds (frames, including their text, and numpy arrays)."""
    total = int(panel.enterprises.memory_usage(deep=True).sum() + panel.figures.memory_usage(deep=True).sum())
    seen = set()
    for value in vars(panel).values():
        if isinstance(value, np.ndarray) and id(value) not in seen:
            seen.add(id(value))
            total += value.nbytes
    return total


def machine() -> str:
    import platform

    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, load average {load} at start, "
            f"Python {platform.python_version()}, "
            f"pandas {pd.__version__}, numpy {np.__version__}, plotly {__import__('plotly').__version__}, "
            f"JSON engine {pio.json.config.default_engine!r}")


def bench_main(argv: list[str] | None, *, description: str, title: str, run_size, max_size: int | None = None) -> int:
    """The command line every ``bench_*.py`` shares: ``--sizes N [N ...]`` (``run_all.py`` passes them) and
    ``--reps``; prints the title, the machine, ``run_size(n, reps)`` per size and the peak memory."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"## {title}\n")
    print(machine())
    for n in args.sizes:
        if max_size is not None and n > max_size:
            print(f"\n(skipped N = {n:,}: this benchmark runs up to {max_size:,} enterprises)")
            continue
        print(run_size(n, args.reps), flush=True)
    print(f"\nPeak RSS {peak_rss_mb():,.0f} MB")
    return 0
