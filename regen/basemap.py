"""The map's own geography, drawn with no network: land and sea, rivers, borders and place names.

Every map in the app is a MapLibre map whose *style* comes from here (:func:`style`): a sea-coloured
background, land polygons, rivers and lakes, interior borders, and place names drawn as map text in
the interface language. Nothing is fetched from the internet:

* land, lakes and rivers come from ``data/basemap/{land,water,rivers}_{gb,jp}.parquet`` (GSHHG and
  WDBII full resolution, Wessel & Smith, LGPL 3.0; built by ``tools/build_basemap.py``) at four levels
  of detail; a map gets the level that suits its zoom, cut to the area around its view, so what is
  sent stays small;
* names come from ``data/basemap/labels.csv`` (prefectures, UK nations, towns from GeoNames) and the
  project's own places (:mod:`regen.places`: Sunderland's wards, Cumbria, London boroughs and the
  Japanese municipalities), each in English and Japanese;
* the glyphs that draw Latin names are files the app serves itself (``static/glyphs/atlas/``, built
  by ``tools/build_glyphs.py`` from DejaVu Sans), at :data:`GLYPHS`; Japanese (kana and kanji)
  MapLibre draws with the browser's own font (:data:`LOCAL_GLYPHS`), so no CJK glyph files are needed.

Nothing here imports Streamlit. Shapes are read once per process and shared (read-only).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from regen import geo
from regen.places import CUMBRIA_PLACES, LONDON_PLACES, NORTH_EAST_PLACES, PLACES, SUNDERLAND_PLACES

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "basemap"
# Relative to the page, so that it works under any base URL; Streamlit serves ``static/`` at ``app/static``.
GLYPHS = "app/static/glyphs/{fontstack}/{range}.pbf"
FONT = "atlas"

SEA = "#dbe7ef"
LAND = "#f4f1ea"
WATER = SEA
RIVER = "#a9c6db"
COAST = "#a9b8c4"
BORDER = "#9aa3ad"
LABEL = "#374151"
LABEL_MAJOR = "#1f2a37"
HALO = "rgba(255,255,255,0.92)"

# Countries with geography of their own, and the boxes their files cover (west, south, east, north).
COUNTRIES: dict[str, tuple[float, float, float, float]] = {
    "GB": (-11.0, 49.8, 2.2, 61.0),
    "JP": (122.5, 24.0, 146.0, 45.8),
}
# Level of detail by zoom: below 5.5 level 0, below 7.5 level 1, below 10 level 2, then level 3.
LEVEL_ZOOMS: tuple[float, ...] = (5.5, 7.5, 10.0)
# Decimals of the coordinates sent, by level: about a tenth of the level's simplification (0.02°,
# 0.005°, 0.001°, 0.0001°); more would be bytes that draw nothing.
PRECISION: tuple[int, ...] = (3, 3, 4, 5)
# Below this zoom the (coarser) built-in country outlines are drawn too; above it they would not
# follow the detailed coast.
OUTLINE_MAX_ZOOM = 8.0
# The detailed land reaches this many times the map's size beyond its edges (panning a little keeps
# the coast); beyond that the coarsest level is drawn.
DETAIL_MARGIN = 1.0

# The project's places: how close one must zoom before each group's names show.
_PLACE_ZOOMS: dict[str, float] = {
    **{k: 11.0 for k in SUNDERLAND_PLACES}, "sunderland": 7.0,
    **{k: 8.0 for k in NORTH_EAST_PLACES + CUMBRIA_PLACES}, **{k: 10.5 for k in LONDON_PLACES},
}
_KIND_SIZE = {"nation": 15, "prefecture": 14, "city": 13, "place": 13, "ward": 12}


def level_for_zoom(zoom: float) -> int:
    """Which level of detail (0 coarsest … 3 finest) a map at ``zoom`` uses."""
    return int(np.searchsorted(LEVEL_ZOOMS, float(zoom), side="right"))


@dataclass(frozen=True)
class _Layer:
    geoms: np.ndarray  # shapely Polygons (land, water) or LineStrings (rivers) of one level
    tree: shapely.STRtree
    ranks: np.ndarray | None = None  # rivers: 1 (largest) … 5


@lru_cache(maxsize=None)
def _levels(kind: str, country: str) -> dict[int, _Layer]:
    """The shapes of ``kind`` ("land", "water" or "rivers") in ``country``, by level (read once, shared)."""
    import geopandas as gpd  # imported here: reading parquet is the only use

    path = DATA_DIR / f"{kind}_{country.lower()}.parquet"
    if not path.exists():
        return {}
    frame = gpd.read_parquet(path)
    out = {}
    for level, part in frame.groupby("level"):
        geoms = np.asarray(part.geometry.values, dtype=object)
        ranks = part["rank"].to_numpy(dtype=int) if "rank" in part else None
        out[int(level)] = _Layer(geoms, shapely.STRtree(geoms), ranks)
    return out


def _clip(kind: str, country: str, level: int, bounds: tuple[float, float, float, float],
          with_ranks: bool = False):
    """The shapes of ``kind`` at ``level`` cut to ``bounds`` (and, ``with_ranks``, each one's rank)."""
    layer = _levels(kind, country).get(level)
    hits = layer.tree.query(shapely.box(*bounds), predicate="intersects") if layer is not None else []
    if not len(hits):
        return ([], []) if with_ranks else []
    parts = shapely.clip_by_rect(layer.geoms[hits], *bounds)
    keep = ~shapely.is_empty(parts)
    shapes = list(parts[keep])
    if not with_ranks:
        return shapes
    ranks = layer.ranks[hits][keep] if layer.ranks is not None else np.full(len(shapes), 3)
    return shapes, [int(r) for r in ranks]


def _outside(geoms: list, bounds: tuple[float, float, float, float]) -> list:
    """The parts of ``geoms`` outside ``bounds`` (so that coarse land never covers detailed sea)."""
    if not geoms:
        return []
    box = shapely.box(*bounds)
    parts = shapely.difference(np.asarray(geoms, dtype=object), box)
    return [g for g in parts if not g.is_empty]


def _collection(geoms: list, precision: int = 5, ranks: list[int] | None = None) -> dict:
    """A GeoJSON FeatureCollection (one feature per shape, coordinates rounded; ``rank`` per feature)."""
    if not geoms:
        return {"type": "FeatureCollection", "features": []}
    rounded = shapely.set_precision(np.asarray(geoms, dtype=object), 10 ** -precision)
    ranks = ranks if ranks is not None else [None] * len(geoms)
    features = [{"type": "Feature", "properties": {} if r is None else {"rank": r},
                 "geometry": json.loads(shapely.to_geojson(g))}
                for g, r in zip(rounded, ranks) if not g.is_empty]
    return {"type": "FeatureCollection", "features": features}


def _intersects(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def countries_in(bounds: tuple[float, float, float, float]) -> list[str]:
    """The countries with geography of their own that ``bounds`` (west, south, east, north) touches."""
    return [c for c, box in COUNTRIES.items() if _intersects(bounds, box)]


def _coast(land: list, bounds: tuple[float, float, float, float]) -> list:
    """The coastline of clipped land pieces: their outlines without the cuts between pieces (the files
    split big polygons on a grid) and without the edges of ``bounds``."""
    if not land:
        return []
    merged = shapely.union_all(shapely.set_precision(np.asarray(land, dtype=object), 1e-6))
    edge = shapely.box(*bounds).exterior.buffer(1e-6)
    lines = shapely.difference(shapely.boundary(merged), edge)
    parts = shapely.get_parts(lines)
    return [g for g in parts if not g.is_empty and g.length > 0]


@lru_cache(maxsize=64)
def _shapes(level: int, bounds: tuple[float, float, float, float]) -> dict[str, dict]:
    """GeoJSON by source name (land, coast, water, rivers, land_beyond: coarse land beyond the
    detail) for a level and (rounded) bounds."""
    land, water, coarse, rivers, ranks = [], [], [], [], []
    for country in countries_in(bounds):
        land += _clip("land", country, level, bounds)
        water += _clip("water", country, level, bounds)
        lines, line_ranks = _clip("rivers", country, level, bounds, with_ranks=True)
        rivers += lines
        ranks += line_ranks
        if level > 0:
            whole = COUNTRIES[country]
            coarse += _outside(_clip("land", country, 0, whole), bounds)
    digits = PRECISION[level]
    return {"land": _collection(land, digits), "coast": _collection(_coast(land, bounds), digits),
            "water": _collection(water, digits), "rivers": _collection(rivers, digits, ranks=ranks),
            "land_beyond": _collection(coarse, precision=3)}


def _rounded_bounds(bounds: tuple[float, float, float, float], level: int) -> tuple[float, float, float, float]:
    """Bounds snapped outwards to a grid that suits the level, so that nearby views share a cache entry."""
    step = (2.0, 1.0, 0.25, 0.05)[level]
    west, south, east, north = bounds
    return (float(np.floor(west / step) * step), float(np.floor(south / step) * step),
            float(np.ceil(east / step) * step), float(np.ceil(north / step) * step))


# --- Place names --------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def labels_frame() -> pd.DataFrame:
    """Every name the maps can show: ``name_en``, ``name_ja`` (may be empty), ``kind``, ``country``,
    ``lat``, ``lon``, ``min_zoom`` and ``rank`` (lower is drawn first when names collide)."""
    path = DATA_DIR / "labels.csv"
    cols = ["name_en", "name_ja", "kind", "country", "lat", "lon", "min_zoom", "population"]
    table = (pd.read_csv(path, dtype={"name_en": str, "name_ja": str}, keep_default_na=False)[cols]
             if path.exists() else pd.DataFrame(columns=cols))
    own = pd.DataFrame([{
        "name_en": p.name, "name_ja": p.name_ja, "kind": "ward" if _PLACE_ZOOMS.get(k, 0) >= 11 else "place",
        "country": p.country, "lat": p.lat, "lon": p.lon, "min_zoom": _PLACE_ZOOMS.get(k, 7.0),
        "population": 0,
    } for k, p in PLACES.items()])
    frame = pd.concat([own, table], ignore_index=True)
    frame["population"] = pd.to_numeric(frame["population"], errors="coerce").fillna(0)
    frame["min_zoom"] = pd.to_numeric(frame["min_zoom"], errors="coerce").fillna(9.0)
    frame["lat"] = pd.to_numeric(frame["lat"], errors="coerce")
    frame["lon"] = pd.to_numeric(frame["lon"], errors="coerce")
    # the project's own places first, then by kind and size
    order = {"nation": 0, "prefecture": 1, "place": 2, "ward": 3, "city": 4}
    frame["rank"] = frame["kind"].map(order).fillna(5) * 1e8 - frame["population"]
    return frame.dropna(subset=["lat", "lon"]).reset_index(drop=True)


def label_text(frame: pd.DataFrame, lang: str) -> pd.Series:
    """Each name in ``lang``; in Japanese, names with no Japanese rendering are left out (empty)."""
    if lang == "ja":
        return frame["name_ja"].fillna("").astype(str)
    return frame["name_en"].fillna("").astype(str)


# Names that show only this many zoom levels closer than the map's own zoom are left out of its style:
# a visitor rarely zooms that far in without choosing a closer view, which brings its own names.
LABEL_ZOOM_REACH = 3.0


@lru_cache(maxsize=64)
def _labels(lang: str, bounds: tuple[float, float, float, float], up_to_zoom: float = 99.0) -> dict:
    frame = labels_frame()
    west, south, east, north = bounds
    inside = (frame["lon"].between(west, east) & frame["lat"].between(south, north)
              & (frame["min_zoom"] <= up_to_zoom))
    part = frame[inside].copy()
    part["text"] = label_text(part, lang)
    part = part[part["text"] != ""].sort_values("rank")
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lo, 5), round(la, 5)]},
                 "properties": {"name": text, "kind": kind, "z": float(z)}}
                for text, kind, z, la, lo in zip(part["text"], part["kind"], part["min_zoom"], part["lat"], part["lon"])]
    return {"type": "FeatureCollection", "features": features}


def _label_layers(labels: dict) -> list[dict]:
    """One symbol layer per (kind, minimum zoom) present. MapLibre places the names of later layers
    first, so the most important (shown from the lowest zoom) come last and win where names collide."""
    groups = sorted({(f["properties"]["kind"], f["properties"]["z"]) for f in labels["features"]},
                    key=lambda kz: (-kz[1], kz[0]))
    layers = []
    for kind, zoom in groups:
        major = kind in ("nation", "prefecture")
        layers.append({
            "id": f"names-{kind}-{zoom:g}", "type": "symbol", "source": "names", "minzoom": zoom,
            **({"maxzoom": 9.0} if major else {}),
            "filter": ["all", ["==", ["get", "kind"], kind], ["==", ["get", "z"], zoom]],
            "layout": {"text-field": ["get", "name"], "text-font": [FONT], "text-size": _KIND_SIZE.get(kind, 12),
                       "text-anchor": "bottom", "text-offset": [0, -0.5] if not major else [0, 0],
                       "text-max-width": 8, "text-padding": 2, "text-letter-spacing": 0.04 if major else 0},
            "paint": {"text-color": BORDER if major else (LABEL_MAJOR if kind in ("place", "city") else LABEL),
                      "text-halo-color": HALO, "text-halo-width": 1.4},
        })
    return layers


# --- The style ------------------------------------------------------------------------------------

def detail_bounds(view: dict, *, width: int = 1100, height: int = 700) -> tuple[float, float, float, float]:
    """The area whose detailed geography a map at ``view`` gets: the map (as big as a wide screen
    draws it) and :data:`DETAIL_MARGIN` of its size around it."""
    return geo.view_bounds(view, width=width, height=height, margin=DETAIL_MARGIN)


def style(view: dict, lang: str, *, width: int = 1100, height: int = 700) -> dict:
    """A MapLibre style (version 8) for a map at ``view`` in ``lang``: sea, land, water and names.

    Cached parts are shared between maps; the returned dict is new but its sources are shared:
    treat it as read-only."""
    level = level_for_zoom(view["zoom"])
    bounds = _rounded_bounds(detail_bounds(view, width=width, height=height), level)
    shapes = _shapes(level, bounds)
    label_bounds = _rounded_bounds(geo.view_bounds(view, width=width, height=height, margin=2.0), min(level, 2))
    labels = _labels(lang, label_bounds, float(np.floor((view["zoom"] + LABEL_ZOOM_REACH) * 2) / 2))
    layers: list[dict] = [
        {"id": "sea", "type": "background", "paint": {"background-color": SEA}},
        {"id": "land-beyond", "type": "fill", "source": "land_beyond", "paint": {"fill-color": LAND}},
        {"id": "land", "type": "fill", "source": "land", "paint": {"fill-color": LAND}},
        {"id": "water", "type": "fill", "source": "water", "paint": {"fill-color": WATER}},
        {"id": "rivers", "type": "line", "source": "rivers",
         "layout": {"line-cap": "round", "line-join": "round"},
         "paint": {"line-color": RIVER, "line-width": ["match", ["get", "rank"], 1, 2.4, 2, 2.0, 3, 1.6, 4, 1.2, 1.0]}},
        {"id": "coast", "type": "line", "source": "coast", "paint": {"line-color": COAST, "line-width": 0.7}},
        *_label_layers(labels),
    ]
    digest = hashlib.sha1(json.dumps([level, bounds, label_bounds, lang]).encode()).hexdigest()[:12]
    return {
        "version": 8, "id": f"atlas-{digest}", "name": "Regen Atlas (offline)", "glyphs": GLYPHS,
        "sources": {**{name: {"type": "geojson", "data": data} for name, data in shapes.items()},
                    "names": {"type": "geojson", "data": labels}},
        "layers": layers,
    }


# --- Shapes as files ---------------------------------------------------------------------------

# Sources at least this big (bytes of JSON) are worth a file of their own; smaller ones stay inline.
BY_REFERENCE_MIN_BYTES = 4_000
_written: OrderedDict[tuple[int, str], tuple[object, str | None]] = OrderedDict()  # (id(data), folder) → (data, file)
_written_lock = threading.Lock()
_WRITTEN_MAX = 512


def _file_for(data: object, folder: Path) -> str | None:
    """The name of the file in ``folder`` that holds ``data`` as GeoJSON (written once per process;
    the name is a digest of the content, so processes sharing ``folder`` agree), or None if it is
    too small to be worth a file."""
    key = (id(data), str(folder))
    with _written_lock:
        hit = _written.get(key)
    # the same shapes written to this folder before (and still there: a folder cleaned meanwhile is
    # written again, never a map whose shapes are missing)
    if hit is not None and hit[0] is data and (hit[1] is None or (folder / hit[1]).exists()):
        with _written_lock:
            if key in _written:
                _written.move_to_end(key)
        return hit[1]
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if len(text) < BY_REFERENCE_MIN_BYTES:
        name = None
    else:
        raw = text.encode("utf-8")
        name = hashlib.sha256(raw).hexdigest()[:24] + ".geojson"
        path = folder / name
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            # a temporary file then a rename: a reader (or another process) never sees half a file
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".part-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(raw)
                os.chmod(temporary, 0o644)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
    with _written_lock:
        _written[key] = (data, name)  # keeps ``data`` alive, so its id is not reused while listed
        while len(_written) > _WRITTEN_MAX:
            _written.popitem(last=False)
    return name


def by_reference(style: dict, folder: Path, url: str, *, keep_inline: tuple[str, ...] = ()) -> dict:
    """``style`` with its big GeoJSON sources moved into files in ``folder``, which the browser fetches
    from ``url`` + file name (and caches, so a map that changes year or page does not carry its coast
    again). Sources named in ``keep_inline`` (e.g. an analyst's own areas, which must not be served to
    anyone with the address) and small ones stay in the style. If ``folder`` cannot be written, the
    style is returned as it was: the map is heavier, never broken."""
    sources = {}
    try:
        for name, source in style["sources"].items():
            data = source.get("data")
            file = (None if name in keep_inline or not isinstance(data, dict)
                    else _file_for(data, folder))
            sources[name] = {**source, "data": url + file} if file else source
    except OSError:
        return style
    return {**style, "sources": sources}


# Code points MapLibre draws itself with the browser's own font (its ``localIdeographFontFamily``,
# "sans-serif" by default, which plotly keeps): kana, CJK ideographs, Hangul, full-width forms. Their
# glyphs are never fetched, so the app serves glyph files only for the rest (Latin and punctuation).
LOCAL_GLYPHS: tuple[tuple[int, int], ...] = (
    (0x02EA, 0x02EB), (0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3105, 0x312F),
    (0x3131, 0x318E), (0x31A0, 0x4DBF), (0x4E00, 0xA48C), (0xA490, 0xA4C6), (0xA960, 0xA97C),
    (0xAC00, 0xD7C6), (0xD7CB, 0xD7FB), (0xF900, 0xFA6D), (0xFA70, 0xFAD9), (0xFE10, 0xFE1F),
    (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF),
)


def drawn_locally(char: str) -> bool:
    """True if MapLibre draws ``char`` with the browser's font rather than from a glyph file."""
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in LOCAL_GLYPHS)


def glyph_ranges(texts) -> set[str]:
    """The glyph range files (``"0-255"``, ``"8192-8447"`` …) needed to draw ``texts``: characters
    MapLibre draws itself (:func:`drawn_locally`) need none."""
    ranges = set()
    for text in texts:
        for ch in str(text):
            if not drawn_locally(ch):
                start = ord(ch) // 256 * 256
                ranges.add(f"{start}-{start + 255}")
    return ranges
