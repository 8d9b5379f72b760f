"""Bytes of map figure JSON sent to the browser: points vs hexagons, per dataset size.

``st.plotly_chart`` sends ``plotly.io.to_json(fig, validate=False)`` over the websocket (Streamlit's
websocket compression is off by default, so the raw size is what travels; gzip sizes are shown for
comparison). For each dataset (the built-in sample, then synthetic N) and the "all" filter state in
the last year:

* Map page, points forced (what the page would send without its hexagon switch);
* Map page as written: hexagons above POINT_LIMIT (20,000) points, auto-fitted view;
* Map page in hexagon mode after "Jump to" a city view (hexagons are made for every point of the
  view's country, not only those in view, at the view's finer resolution);
* the Overview's small maps (one per country), as dashboard.py draws them (always points) and
  with the hexagon rule;
* points mode at the limit: 20,000 points, the most the switch lets through.

Also the boundary layers that every map carries (countries; plus jp_prefectures when the view is
in Japan).

    .venv/bin/python benchmarks/bench_payload.py [--sizes 100000 1000000]
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json

import pages
import synthetic
from pages import POINT_LIMIT, STATES, table
from regen import charts, dataset, geo, mapview, metrics

ALL = dict(STATES)["all"]


def sizes(text: str) -> tuple[int, int]:
    raw = text.encode("utf-8")
    return len(raw), len(gzip.compress(raw, compresslevel=6))


def fmt(n: int) -> str:
    return f"{n:,}"


def boundary_rows() -> list[list[str]]:
    rows = []
    for name in geo.BOUNDARY_NAMES:
        raw, gz = sizes(json.dumps(geo.load_boundaries(name), separators=(",", ":")))
        rows.append([f"{name}.geojson alone", fmt(raw), fmt(gz)])
    import pandas as pd

    no_points = pd.DataFrame({c: pd.Series(dtype="str") for c in ("enterprise_id", "name", "sector")}).assign(
        lat=pd.Series(dtype=float), lon=pd.Series(dtype=float), employees=pd.Series(dtype="int64"))
    for label, names in (("empty map, countries layer (every map)", ["countries"]),
                         ("empty map, countries + jp_prefectures (Japan views)", ["countries", "jp_prefectures"])):
        fig = charts.points_map(no_points, colour_by="sector", lang="en", view=geo.VIEWS["japan"],
                                boundaries=[geo.load_boundaries(n) for n in names])
        raw, gz = sizes(pages.to_json(fig))
        rows.append([label, fmt(raw), fmt(gz)])
    return rows


def geography_rows() -> tuple[list[list[str]], int]:
    """The map style (land, water, names) each view carries, in both languages, and the largest
    whole figure (sample data) compressed: the budget is 1 MB compressed at any zoom."""
    import time

    from regen import basemap

    panel = metrics.build_panel(dataset.load_sample())
    mask = panel.mask(ALL)
    points = metrics.snapshot(panel, mask, panel.year_max)
    rows, largest = [], 0
    for view_key in ("auto", *geo.VIEWS):
        for lang in ("en", "ja"):
            plan = mapview.plan(points, lang=lang, view_key=view_key, everyone=panel.enterprises[mask])
            started = time.perf_counter()
            style = basemap.style(plan.view, lang)
            cold = time.perf_counter() - started
            raw, gz = sizes(json.dumps(style, separators=(",", ":"), ensure_ascii=False))
            fig_raw, fig_gz = sizes(pages.to_json(mapview.figure(plan, lang=lang)))
            largest = max(largest, fig_gz)
            names = len(style["sources"]["names"]["data"]["features"])
            rows.append([view_key, lang, f"{plan.view['zoom']:.1f}", str(basemap.level_for_zoom(plan.view["zoom"])),
                         fmt(names), fmt(raw), fmt(gz), fmt(fig_gz), f"{cold * 1000:.0f}"])
    return rows, largest


def dataset_rows(label: str, ds: dataset.Dataset) -> list[list[str]]:
    panel = metrics.build_panel(ds)
    place_names = pages.PlaceNames(ds)
    rows = []

    def add(what: str, fig, kind: str, count: int) -> None:
        raw, gz = sizes(pages.to_json(fig))
        rows.append([label, what, kind, fmt(count), fmt(raw), fmt(gz)])

    fig, _hexes, n_points = pages.map_figure(panel, ALL, place_names, point_limit=None)
    add("Map, points forced", fig, "points", n_points)
    fig, hexes, n_points = pages.map_figure(panel, ALL, place_names)
    add("Map as written (auto view)", fig, "hexes" if hexes else "points",
        len(fig.data[0].locations) if hexes else n_points)
    for view_key in ("north_east", "london"):
        fig, _hexes, _n = pages.map_figure(panel, ALL, place_names, mode="hexes", view_key=view_key)
        add(f"Map, hex mode, view {view_key} (zoom {geo.VIEWS[view_key]['zoom']})", fig,
            f"hexes r{geo.resolution_for_zoom(geo.VIEWS[view_key]['zoom'])}", len(fig.data[0].locations))
    # Overview: one small map per country, planned as dashboard.py plans them (regen.mapview).
    base, year = ALL.years(panel.years)
    mask = panel.mask(ALL)
    points = metrics.snapshot(panel, mask, year)
    countries = [c for c in ("GB", "JP") if (points["country"] == c).any()] or ["GB"]
    for country in countries:
        plan = mapview.plan(points, lang="en", country=country, everyone=panel.enterprises[mask])
        fig = mapview.figure(plan, lang="en", height=420, legend=False)
        add(f"Overview small map {country} as written", fig, "hexes" if plan.hexes else "points",
            len(fig.data[0].locations) if plan.hexes else len(plan.points))
    if len(points) > POINT_LIMIT:
        at_limit = points.sample(POINT_LIMIT, random_state=0).reset_index(drop=True)
        at_limit["place"] = [place_names(w, a, r) for w, a, r in
                             zip(at_limit["ward"], at_limit["area"].astype(str), at_limit["region"].astype(str))]
        plan = mapview.plan(at_limit, lang="en", point_limit=None)
        fig = mapview.figure(plan, lang="en")
        add(f"Map, points at the limit ({POINT_LIMIT:,})", fig, "points", POINT_LIMIT)
    del panel
    gc.collect()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bytes of map JSON: points vs hexagons.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args(argv)
    print("## Map payloads\n")
    print("Boundary layers (sent with every map figure):\n")
    print(table(["layer", "JSON bytes", "gzip bytes"], boundary_rows()))
    geo_rows, largest = geography_rows()
    print("\nGeography in each map's style (sample data; first build of each view, then cached):\n")
    print(table(["view", "lang", "zoom", "level", "names", "style JSON", "style gzip", "whole figure gzip",
                 "style ms (cold)"], geo_rows, align="lllrrrrrr"))
    print(f"\nLargest whole map figure, compressed: {largest:,} bytes (budget 1,000,000)")
    rows = dataset_rows("sample", dataset.load_sample())
    for n in args.sizes:
        rows += dataset_rows(f"{n:,}", synthetic.make_dataset(n))
    print("\nFigure JSON for the 'all' filter state, last year (plotly.io.to_json, as st.plotly_chart sends it):\n")
    print(table(["dataset", "figure", "drawn as", "points / hexes", "JSON bytes", "gzip bytes"], rows,
                align="lllrrr"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
