"""Synthetic datasets for the benchmarks: N enterprises over 2001-2025 in Great Britain and Japan.

Everything is vectorised with numpy (a 1M-enterprise dataset takes a few seconds) and seeded
(``numpy.random.default_rng(seed)``), so two runs give the same frames. The frames carry the dtypes
``regen.schema.validate`` produces (``str`` text, ``Int64`` years and counts, ``float64``
coordinates), so they can go straight into ``regen.metrics.build_panel`` without pandera in the
timed parts. ``python benchmarks/synthetic.py --check`` validates a small one against the schema.

Shape:
* about 300 areas: ~150 in the twelve GB regions (centres inside rough regional boxes) and ~150 in
  the 47 Japanese prefectures (centres near each prefecture's outline centre, from
  ``data/boundaries/jp_prefectures.geojson``); area sizes are skewed (log-normal weights), so a few
  areas hold many enterprises and most hold few;
* enterprises scattered a few km around their area's centre; founding years skewed to recent
  years (back to 1950), closures after an exponential lifetime, so the number of yearly rows per
  enterprise varies from 0 (closed before 2001) to 25;
* yearly figures: headcount from a log-normal size and a per-enterprise trend, FTE (missing in
  ~15% of rows), disadvantaged hires, volunteers, turnover and currency.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # appended: PYTHONPATH can point at another copy of ``regen`` to compare

from regen.dataset import Dataset  # noqa: E402
from regen.places import REGIONS  # noqa: E402
from regen.vocab import LEGAL_FORMS, SECTORS  # noqa: E402

YEARS = (2001, 2025)
SEED = 20250101

# Rough (south, west, north, east) boxes inside each GB region, kept inland where easy.
GB_BOXES: dict[str, tuple[float, float, float, float]] = {
    "north_east": (54.55, -2.00, 55.30, -1.30),
    "north_west": (53.35, -3.00, 54.60, -2.10),
    "london": (51.40, -0.35, 51.62, 0.15),
    "yorkshire_humber": (53.40, -2.00, 54.30, -0.50),
    "east_midlands": (52.50, -1.80, 53.30, -0.40),
    "west_midlands": (52.20, -2.80, 52.90, -1.60),
    "east_of_england": (51.80, -0.40, 52.70, 1.30),
    "south_east": (50.90, -1.40, 51.60, 0.90),
    "south_west": (50.40, -4.50, 51.40, -2.00),
    "scotland": (55.60, -4.60, 56.60, -2.80),
    "wales": (51.50, -3.90, 53.10, -3.00),
    "northern_ireland": (54.30, -7.20, 54.90, -5.90),
}
GB_REGION_WEIGHT = {"london": 3.0, "north_east": 2.0, "north_west": 1.6, "scotland": 1.2}
JP_REGION_WEIGHT = {"tokyo": 4.0, "osaka": 2.5, "kanagawa": 2.0, "aichi": 1.8, "hokkaido": 1.5, "fukuoka": 1.5}

GB_WORDS = np.array(["Wearside", "Riverside", "Hilltop", "Harbour", "Northfield", "Greenway", "Oakwood",
                     "Millbank", "Eastgate", "Southbrook", "Westend", "Highfield", "Moorside", "Kingsway",
                     "Valley", "Bridge", "Market", "Station", "Park", "Castle"], dtype=object)
JP_WORDS = np.array(["Sakura", "Midori", "Minato", "Hikari", "Yamabiko", "Kawabe", "Hinode", "Umibe",
                     "Kibou", "Tsubasa", "Aozora", "Furusato", "Mirai", "Wakaba", "Kaze", "Hoshi"], dtype=object)
JP_WORDS_JA = np.array(["さくら", "みどり", "みなと", "ひかり", "やまびこ", "かわべ", "ひので", "うみべ",
                        "きぼう", "つばさ", "あおぞら", "ふるさと", "みらい", "わかば", "かぜ", "ほし"], dtype=object)
SECTOR_NOUN = {
    "care": "Care", "food": "Kitchen", "energy": "Energy", "reuse": "Repair", "construction": "Homes",
    "training": "Skills", "arts": "Arts", "transport": "Transport", "digital": "Digital", "tourism": "Tours",
    "agriculture": "Farm", "retail": "Shop",
}
SECTOR_NOUN_JA = {
    "care": "ケア", "food": "食堂", "energy": "エネルギー", "reuse": "リペア", "construction": "住まい",
    "training": "学び舎", "arts": "アート", "transport": "移送", "digital": "デジタル", "tourism": "観光",
    "agriculture": "農園", "retail": "商店",
}
SECTOR_WEIGHT = np.array([3.0, 2.0, 1.0, 1.2, 1.0, 2.0, 1.5, 0.8, 1.0, 1.0, 1.2, 1.3])
WARDS = np.array(["Centre", "North", "South", "East", "West", "Old Town", "Riverside", "Harbour"], dtype=object)
PRECISIONS = np.array(["exact", "postcode", "place", "area"], dtype=object)


def _str(values) -> pd.Series:
    """A pandas ``str`` column (as the schema produces) from an object array with None for missing."""
    return pd.Series(values, dtype="str")


def _pick(vocab, index: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """``vocab[index]`` as a pandas ``str`` column (missing where ``missing``), built in Arrow: no
    per-row Python objects, so a million rows take milliseconds."""
    codes = pa.array(np.asarray(index, dtype=np.int32), mask=missing)
    column = pa.DictionaryArray.from_arrays(codes, pa.array(list(vocab), type=pa.large_string()))
    return column.cast(pa.large_string()).to_pandas()


def _jp_centres() -> dict[str, tuple[float, float]]:
    """Centre (lat, lon) of each prefecture: mean vertex of its largest polygon."""
    path = ROOT / "data" / "boundaries" / "jp_prefectures.geojson"
    with path.open(encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    out = {}
    for feature in features:
        geom = feature["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        ring = np.asarray(max(polys, key=lambda p: len(p[0]))[0], dtype=float)
        out[feature["id"]] = (float(ring[:, 1].mean()), float(ring[:, 0].mean()))
    return out


def make_areas(rng: np.random.Generator, n_gb: int = 150, n_jp: int = 150) -> pd.DataFrame:
    """About 300 areas with a centre, a scatter radius (km) and a weight (share of enterprises)."""
    rows = []
    gb_regions = list(GB_BOXES)
    gb_w = np.array([GB_REGION_WEIGHT.get(r, 1.0) for r in gb_regions])
    gb_pick = rng.choice(len(gb_regions), size=n_gb, p=gb_w / gb_w.sum())
    for i, r in enumerate(gb_pick):
        region = gb_regions[r]
        s, w, n, e = GB_BOXES[region]
        rows.append(("GB", region, f"E{9000000 + i:08d}", f"Synthetic GB area {i}", None,
                     rng.uniform(s, n), rng.uniform(w, e)))
    centres = _jp_centres()
    jp_regions = [r for r in REGIONS if REGIONS[r]["country"] == "JP"]
    jp_w = np.array([JP_REGION_WEIGHT.get(r, 1.0) for r in jp_regions])
    # every prefecture gets at least one area; the rest by weight
    jp_pick = np.concatenate([np.arange(len(jp_regions)),
                              rng.choice(len(jp_regions), size=n_jp - len(jp_regions), p=jp_w / jp_w.sum())])
    for i, r in enumerate(jp_pick):
        region = jp_regions[r]
        lat, lon = centres[region]
        rows.append(("JP", region, f"{90000 + i:05d}", f"Synthetic JP area {i}", f"合成地域{i}",
                     lat + rng.normal(0, 0.15), lon + rng.normal(0, 0.15)))
    frame = pd.DataFrame(rows, columns=["country", "region", "code", "name", "name_ja", "lat", "lon"])
    boost = np.array([GB_REGION_WEIGHT.get(r, JP_REGION_WEIGHT.get(r, 1.0)) for r in frame["region"]])
    frame["weight"] = rng.lognormal(0.0, 1.0, len(frame)) * boost
    frame["weight"] /= frame["weight"].sum()
    frame["radius_km"] = rng.uniform(2.0, 12.0, len(frame))
    return frame


def make_dataset(n: int, *, seed: int = SEED) -> Dataset:
    """A synthetic :class:`Dataset` of ``n`` enterprises with yearly figures for 2001-2025."""
    rng = np.random.default_rng(seed)
    y0, y1 = YEARS
    areas = make_areas(rng)

    # --- enterprises --------------------------------------------------------------------------
    a = rng.choice(len(areas), size=n, p=areas["weight"].to_numpy())
    country = areas["country"].to_numpy()[a]
    is_jp = country == "JP"
    km = areas["radius_km"].to_numpy()[a] * np.sqrt(rng.exponential(1.0, n))  # denser near the centre
    angle = rng.uniform(0, 2 * np.pi, n)
    lat = areas["lat"].to_numpy()[a] + km * np.cos(angle) / 111.0
    lon = areas["lon"].to_numpy()[a] + km * np.sin(angle) / (111.0 * np.cos(np.radians(lat)))
    lat, lon = np.round(lat, 5), np.round(lon, 5)

    sector_idx = rng.choice(len(SECTOR_WEIGHT), size=n, p=SECTOR_WEIGHT / SECTOR_WEIGHT.sum())  # the first 12
    forms = list(LEGAL_FORMS["GB"]) + list(LEGAL_FORMS["JP"])
    gb_fw = np.array([3, 2, 1.5, 1, 2.5, 1.5])  # the first six GB forms
    jp_fw = np.array([3, 2, 1, 1.5, 1])
    jp_start = len(LEGAL_FORMS["GB"])
    legal_idx = np.where(is_jp, jp_start + rng.choice(5, n, p=jp_fw / jp_fw.sum()),
                         rng.choice(6, n, p=gb_fw / gb_fw.sum()))

    founded = (y1 - np.floor(rng.exponential(20.0, n))).astype(np.int64)
    founded = np.maximum(founded, 1950)
    life = np.floor(rng.exponential(30.0, n)).astype(np.int64) + 1
    closed_raw = founded + life
    closed_mask = closed_raw <= y1
    closed = pd.array(np.where(closed_mask, closed_raw, 0), dtype="Int64")
    closed[~closed_mask] = pd.NA

    seq = pd.Series(np.arange(1, n + 1)).astype("str").str.zfill(7)
    ids = _pick(["GB-", "JP-"], is_jp) + seq
    word_idx = np.where(is_jp, len(GB_WORDS) + rng.integers(0, len(JP_WORDS), n), rng.integers(0, len(GB_WORDS), n))
    name = (_pick([*GB_WORDS, *JP_WORDS], word_idx) + " " + _pick([SECTOR_NOUN[s] for s in SECTOR_NOUN], sector_idx)
            + " " + seq.str.slice(3))
    jp_word = np.clip(word_idx - len(GB_WORDS), 0, None)
    name_ja = (_pick(JP_WORDS_JA, jp_word, ~is_jp) + _pick([SECTOR_NOUN_JA[s] for s in SECTOR_NOUN_JA], sector_idx))
    ward = _pick(WARDS, rng.integers(0, len(WARDS), n), rng.random(n) >= 0.4)
    precision = _pick(PRECISIONS, rng.choice(4, n, p=[0.8, 0.1, 0.07, 0.03]))
    description = _pick([f"A synthetic {s} enterprise." for s in SECTORS], sector_idx)

    enterprises = pd.DataFrame({
        "enterprise_id": ids,
        "name": name,
        "name_ja": name_ja,
        "legal_form": _pick(forms, legal_idx),
        "sector": _pick(SECTORS, sector_idx),
        "founded": pd.array(founded, dtype="Int64"),
        "closed": closed,
        "country": _pick(["GB", "JP"], is_jp),
        "region": _pick(areas["region"].tolist(), a),
        "area": _pick(areas["code"].tolist(), a),
        "ward": ward,
        "lat": lat.astype("float64"),
        "lon": lon.astype("float64"),
        "geo_precision": precision,
        "description": description,
    })

    # --- yearly figures -----------------------------------------------------------------------
    # active in Y: founded <= Y and not closed <= Y, so rows run from max(founded, y0) to closed - 1
    first = np.maximum(founded, y0)
    last = np.where(closed_mask, closed_raw - 1, y1)
    counts = np.clip(last - first + 1, 0, None)
    total = int(counts.sum())
    ent = np.repeat(np.arange(n), counts)
    starts = np.cumsum(counts) - counts
    year = first[ent] + (np.arange(total) - starts[ent])

    size = rng.lognormal(np.log(7.0), 0.9, n)  # typical headcount, heavy-tailed
    trend = rng.normal(0.02, 0.05, n)
    age = (year - first[ent]).astype(float)
    employees = np.round(size[ent] * np.exp(trend[ent] * age) * rng.lognormal(0, 0.12, total)).astype(np.int64)
    employees = np.maximum(employees, 1)
    fte = np.round(employees * rng.uniform(0.5, 0.95, n)[ent], 1)
    fte[rng.random(total) < 0.15] = np.nan
    dis = rng.binomial(employees, 0.12)
    volunteers = pd.array(rng.poisson(3.0, total), dtype="Int64")
    volunteers[rng.random(total) < 0.3] = pd.NA
    jp_row = is_jp[ent]
    turnover = np.round(employees * np.where(jp_row, 5_500_000.0, 38_000.0) * rng.lognormal(0, 0.3, total), -2)
    currency = _pick(["GBP", "JPY"], jp_row)

    figures = pd.DataFrame({
        "enterprise_id": ids.take(ent).reset_index(drop=True),
        "year": pd.array(year, dtype="Int64"),
        "employees": pd.array(employees, dtype="Int64"),
        "fte": fte.astype("float64"),
        "disadvantaged_hires": pd.array(dis, dtype="Int64"),
        "volunteers": volunteers,
        "turnover": turnover.astype("float64"),
        "currency": currency,
    })

    area_table = pd.DataFrame({
        "code": _str(areas["code"].to_numpy()),
        "name": _str(areas["name"].to_numpy()),
        "name_ja": _str(areas["name_ja"].to_numpy()),
        "country": _str(areas["country"].to_numpy()),
        "region": _str(areas["region"].to_numpy()),
        "population": pd.array(rng.integers(5_000, 900_000, len(areas)), dtype="Int64"),
        "population_year": pd.array([pd.NA] * len(areas), dtype="Int64"),
        "population_source": _str(np.full(len(areas), "synthetic", dtype=object)),
    })
    return Dataset(enterprises, figures, area_table, name=f"synthetic-{n}", illustrative=True)


def describe(ds: Dataset) -> str:
    ent, fig = ds.enterprises, ds.figures
    per = fig.groupby("enterprise_id", sort=False).size()
    return (f"{len(ent):,} enterprises ({(ent['country'] == 'GB').mean():.0%} GB), {len(fig):,} yearly rows "
            f"(0-25 per enterprise, mean {len(fig) / len(ent):.1f}, {len(ent) - per.size:,} with none), "
            f"{ent['area'].nunique()} areas in {ent['region'].nunique()} regions")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--check", action="store_true", help="validate a 3,000-enterprise dataset with the schema")
    args = parser.parse_args(argv)
    t = time.perf_counter()
    ds = make_dataset(args.n)
    print(f"made in {time.perf_counter() - t:.2f} s: {describe(ds)}")
    if args.check:
        from regen.schema import validate

        small = make_dataset(3_000)
        for kind in ("enterprises", "figures", "areas"):
            frame = getattr(small, kind)
            accepted, problems = validate(frame, kind)
            same = all(str(accepted[c].dtype) == str(frame[c].dtype) for c in frame.columns)
            print(f"{kind}: {len(problems)} problems, {len(accepted)}/{len(frame)} rows kept, dtypes match: {same}")
            if problems or not same:
                return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
