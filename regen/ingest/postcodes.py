"""Postcode lookup tables: the public formats as analysts bring them, normalised once, looked up many times.

Public surface::

    normalise_postcode_table(table) -> DataFrame | None   # index postcode; lat, lon [, region, area, ward]
    read_postcodes(source, *, name=None) -> DataFrame     # the same, read from a file, postcode as a column
    districts(table) -> DataFrame                         # per outward code ("NE1"): mean lat, lon; postcodes
    PostcodeLookup.from_table(table) / PostcodeLookup.from_store(engine)
        .find(postcodes) -> DataFrame                     # lat, lon, region, area, ward (NaN: not found)
        .find_districts(outward_codes) -> DataFrame       # lat, lon (NaN: not found)

Formats understood (headers matched loosely, any column order, extra columns ignored):

* simple tables: a postcode column (postcode, post code, pcds, pcd, pcd2, 郵便番号 ...) and lat/latitude
  and lon/long/lng/longitude, optionally region (a code or a name), area and ward;
* the ONS Postcode Directory (ONSPD) and the National Statistics Postcode Lookup (NSPL): ``pcds`` (else
  ``pcd2``/``pcd``), ``lat``/``long``, ``rgn`` (E12000001 ... and the nation codes, read as region slugs;
  ``ctry`` fills the nations where ``rgn`` does not say), ``oslaua``/``laua``/``lad25cd`` ... → area,
  ``osward``/``ward``/``wd25cd`` ... → ward. Terminated postcodes (``doterm`` set) are kept, since old
  registers carry old postcodes, but a live row wins when a postcode appears twice. Rows without a grid
  reference (lat 99.999999, long 0) are left out. Without lat/long, ``oseast1m``/``osnrth1m`` are used;
* OS Code-Point Open, with or without its header row: eastings/northings (British National Grid,
  EPSG:27700) converted to WGS84 with pyproj, ``Admin_district_code`` → area, ``Admin_ward_code`` → ward,
  ``Country_code`` → region for Scotland and Wales.

Everything is vectorised (pyarrow compute, numpy): the full ONSPD (~2.7 million rows) is normalised in
a few seconds. Dummy codes ("E99999999", "S99999999" for an area or ward) count as missing. Nothing here
writes anywhere; :func:`regen.store.save_postcodes` keeps a table in the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from regen.ingest import clean
from regen.ingest.mapping import norm
from regen.ingest.read import IngestError

EXTRA_COLUMNS: tuple[str, ...] = ("region", "area", "ward")
CODEPOINT_COLUMNS: tuple[str, ...] = (
    "Postcode", "Positional_quality_indicator", "Eastings", "Northings", "Country_code", "NHS_regional_HA_code",
    "NHS_HA_code", "Admin_county_code", "Admin_district_code", "Admin_ward_code",
)

# ONS region (rgn) and country (ctry) codes → regen.places region slugs.
REGION_CODES: dict[str, str] = {
    "E12000001": "north_east", "E12000002": "north_west", "E12000003": "yorkshire_humber",
    "E12000004": "east_midlands", "E12000005": "west_midlands", "E12000006": "east_of_england",
    "E12000007": "london", "E12000008": "south_east", "E12000009": "south_west",
    "S92000003": "scotland", "S99999999": "scotland",
    "W92000004": "wales", "W99999999": "wales",
    "N92000002": "northern_ireland", "N99999999": "northern_ireland",
}

# Normalised header names (regen.ingest.mapping.norm) per role, best first; a compiled pattern
# matches names with a year in them (lad24cd, lad25cd: the latest year wins).
_POSTCODE = ("pcds", "postcode", "post code", "postal code", "postcodes", "pcd2", "pcd8", "pcd", "pcd7",
             "郵便番号", "zip", "zip code")
_LAT = ("lat", "latitude", "緯度")
_LON = ("long", "lon", "lng", "longitude", "経度")
_EAST = ("oseast1m", "eastings", "easting")
_NORTH = ("osnrth1m", "northings", "northing")
_REGION = ("rgn", re.compile(r"rgn\d{2}cd"), "region", "region code", "gor")
_COUNTRY = ("ctry", re.compile(r"ctry\d{2}cd"), "country code", "country")
_AREA = ("oslaua", "laua", re.compile(r"lad\d{2}cd"), "area", "area code", "admin district code",
         "local authority code", "la code", "lad")
_WARD = ("osward", "ward", re.compile(r"wd\d{2}cd"), "ward code", "admin ward code")
_TERMINATED = ("doterm", "date of termination", "terminated")
_ROLES = (_POSTCODE, _LAT, _LON, _EAST, _NORTH, _REGION, _COUNTRY, _AREA, _WARD, _TERMINATED)

_NO_GRID_LAT = 99.999999  # ONSPD: "no grid reference" (long 0.000000)
_DUMMY_CODE = re.compile(r"^[A-Z]99999999$")
_UK_SHAPE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? *[0-9][ABD-HJLNP-UW-Z]{2}$")
_GSS_SHAPE = re.compile(r"^[A-Z][0-9]{8}$")
_NUMBER = re.compile(r"^-?[0-9]+(?:\.[0-9]*)?$")
_KNOWN_HEADERS = frozenset(n for role in _ROLES for n in role if isinstance(n, str)) | frozenset(
    norm(c) for c in CODEPOINT_COLUMNS)
_HEADER_PATTERNS = tuple(n for role in _ROLES for n in role if not isinstance(n, str))

# --------------------------------------------------------------------------------------------
# Normalising
# --------------------------------------------------------------------------------------------


def normalise_postcode_table(table: pd.DataFrame | None) -> pd.DataFrame | None:
    """``table`` (any of the formats above) as a lookup table: index ``postcode`` (formatted as by
    :func:`regen.ingest.clean.postcodes`, unique), float columns ``lat`` and ``lon`` (WGS84) and, where
    the table has them, ``region`` (a regen.places region slug), ``area`` (the code as given) and ``ward``.

    None for an empty table. Raises :class:`IngestError` ``bad_postcodes`` when no postcode column or no
    coordinates (lat/lon, or eastings/northings) can be found."""
    if table is None or len(table) == 0 or len(table.columns) == 0:
        return None
    table = _named_columns(table)
    if not table.columns.is_unique:
        table = table.loc[:, ~table.columns.duplicated()]
    cols = _columns_by_name(table.columns)

    def pick(role):
        return _pick(cols, role)

    pcol, lat_col, lon_col = pick(_POSTCODE), pick(_LAT), pick(_LON)
    east_col, north_col = pick(_EAST), pick(_NORTH)
    has_latlon = lat_col is not None and lon_col is not None
    has_grid = east_col is not None and north_col is not None
    if pcol is None or not (has_latlon or has_grid):
        found = ", ".join(str(c) for c in list(table.columns)[:8]) + (", …" if len(table.columns) > 8 else "")
        raise IngestError("bad_postcodes", "the postcode table needs a postcode column and coordinates (lat and "
                                           "long, or eastings and northings): an ONS Postcode Directory, an OS "
                                           f"Code-Point Open file or a table of postcode, lat, lon; found: {found}")
    formatted = clean.postcodes(_text(table[pcol]))[0]
    if has_latlon:
        lat, lon = _numbers(table[lat_col]), _numbers(table[lon_col])
    else:
        lat, lon = _grid_to_wgs84(_numbers(table[east_col]), _numbers(table[north_col]), formatted)
    keep = formatted.notna().to_numpy() & np.isfinite(lat) & np.isfinite(lon)
    keep &= (np.abs(lat) <= 90) & (np.abs(lon) <= 180) & ~((lat == 0) & (lon == 0))
    keep &= ~((lat == _NO_GRID_LAT) & (lon == 0))  # (already out of range; kept explicit)

    # One row per postcode: the first live one, else the first terminated one.
    rows = np.flatnonzero(keep)
    keys = pc.take(clean._arrow(formatted), pa.array(rows))
    numbers = _key_numbers(keys)
    if numbers is not None:
        ordered = np.sort(numbers)
        duplicated = bool((ordered[1:] == ordered[:-1]).any())
    else:  # (not reached for formatted postcodes, which are at most 8 ASCII characters)
        numbers = pc.dictionary_encode(keys).combine_chunks().indices.to_numpy(zero_copy_only=False)
        duplicated = len(np.unique(numbers)) < len(numbers)
    if duplicated:
        order = np.arange(len(rows))
        term_col = pick(_TERMINATED)
        if term_col is not None:
            term = pc.utf8_trim_whitespace(pc.take(clean._arrow(_text(table[term_col])), pa.array(rows)))
            term = pc.fill_null(pc.not_equal(term, ""), False).to_numpy(zero_copy_only=False)
            order = np.argsort(term.astype(np.int8), kind="stable")
        _u, first = np.unique(numbers[order], return_index=True)  # first occurrence of each, in ``order``
        chosen = np.sort(order[first])
        rows, keys = rows[chosen], pc.take(keys, pa.array(chosen))
    whole = len(rows) == len(table)
    take = pa.array(rows)

    def column(series: pd.Series) -> object:
        return series.array if whole else pc.take(clean._arrow(series), take)

    data: dict[str, object] = {"lat": lat if whole else lat[rows], "lon": lon if whole else lon[rows]}
    region_col, country_col = pick(_REGION), pick(_COUNTRY)
    if region_col is not None or country_col is not None:
        region = _codes(table[region_col], _region_of) if region_col is not None else None
        if country_col is not None:
            nation = _codes(table[country_col], _nation_of)
            region = nation if region is None else region.where(region.notna(), nation)
        data["region"] = column(region)
    for field, role in (("area", _AREA), ("ward", _WARD)):
        col = pick(role)
        if col is not None:
            data[field] = column(_codes(table[col], _code_as_given))
    index = pd.Index(_str_array(keys), name="postcode")
    return pd.DataFrame({k: _str_array(v) if isinstance(v, (pa.Array, pa.ChunkedArray)) else v
                         for k, v in data.items()}, index=index)


def _key_numbers(keys: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """Postcodes (of at most 8 ASCII characters, as formatted ones are) as 64-bit numbers, one per
    postcode, equal exactly when the postcodes are: sorting and searching numbers is several times
    faster than hashing text. Missing postcodes get the number of 8 spaces (no postcode's). None when
    some key is longer."""
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks() if keys.num_chunks != 1 else keys.chunk(0)
    keys = keys.cast(pa.large_string())
    if len(keys) == 0:
        return np.zeros(0, dtype=np.uint64)
    padded = pc.fill_null(pc.utf8_rpad(keys, 8, " "), "        ")
    lengths = pc.binary_length(padded)
    if pc.min(lengths).as_py() != 8 or pc.max(lengths).as_py() != 8:
        return None
    start = int(np.frombuffer(padded.buffers()[1], dtype=np.int64)[padded.offset])
    data = np.frombuffer(padded.buffers()[2], dtype=np.uint8)[start:start + 8 * len(padded)]
    return data.view(np.uint64).copy() if start % 8 else data.view(np.uint64)


def _str_array(arr) -> pd.api.extensions.ExtensionArray:
    """An arrow string array as pandas' ``str`` array (no copy)."""
    if isinstance(arr, pa.ChunkedArray) and arr.num_chunks != 1:
        arr = arr.combine_chunks()
    return pd.Series(arr.to_pandas().array, dtype="str").array


def _named_columns(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the Code-Point Open column names when it is a Code-Point Open file read without its
    header (positional columns 0..n-1, or the first data row taken for a header, which is put back)."""
    labels = list(table.columns)
    n = len(labels)
    if n < 4:
        return table
    if labels == list(range(n)):
        first = table.iloc[:, 0].dropna()
        sample = first.iloc[:20].astype(str).str.strip().str.upper()
        if len(sample) and sample.str.match(_UK_SHAPE).mean() >= 0.5 and not _recognised(labels):
            return table.set_axis(_codepoint_names(n), axis=1)
        return table
    cells = _header_cells([str(c) for c in labels], pandas_style=True)
    if not _is_codepoint_row(cells):
        return table
    names = _codepoint_names(n)
    body = table.set_axis(names, axis=1)
    first = pd.DataFrame({name: pd.array([cells[i]], dtype="str") for i, name in enumerate(names)},
                         index=[_before(body.index)])
    for name in names:  # the header cells are text: as the body's column where that is numeric
        if pd.api.types.is_numeric_dtype(body[name].dtype) and not pd.api.types.is_bool_dtype(body[name].dtype):
            first[name] = pd.to_numeric(first[name], errors="coerce")
    return pd.concat([first, body])


def _before(index: pd.Index) -> object:
    """An index label for a row put back before ``index`` (the file row above the first, if numbered)."""
    if len(index) and pd.api.types.is_integer_dtype(index.dtype):
        return int(index.min()) - 1
    return -1


def _codepoint_names(n: int) -> list[str]:
    return [CODEPOINT_COLUMNS[i] if i < len(CODEPOINT_COLUMNS) else f"column {i + 1}" for i in range(n)]


def _recognised(labels: Iterable[object]) -> bool:
    return any(_is_known_name(str(c)) for c in labels)


def _header_cells(names: list[str], *, pandas_style: bool = False) -> list[str | None]:
    """The cells of a header row as written, undoing what readers do to header names: empty cells named
    ("column 6" by regen.ingest.read, "Unnamed: 5" by pandas), repeated ones numbered ("x (2)", "x.1")."""
    cells: list[str | None] = []
    for i, name in enumerate(names):
        if name == f"column {i + 1}" or (pandas_style and name == f"Unnamed: {i}"):
            cells.append(None)
            continue
        m = re.match(r"^(.*) \((\d+)\)$", name) or (re.match(r"^(.*)\.(\d+)$", name) if pandas_style else None)
        if m and m.group(1) in names[:i]:
            name = m.group(1)
        cells.append(name)
    return cells


def _is_codepoint_row(cells: list[str | None]) -> bool:
    """Whether a "header" is really a Code-Point Open data row: a postcode, then numbers (quality,
    eastings, northings)."""
    if len(cells) < 4 or not all(isinstance(c, str) for c in cells[:4]):
        return False
    if not _UK_SHAPE.match(re.sub(r"\s+", " ", cells[0].strip().upper())):
        return False
    return all(_NUMBER.match(c.strip()) for c in cells[1:4])


def _is_known_name(cell: str) -> bool:
    name = norm(cell)
    return name in _KNOWN_HEADERS or any(p.fullmatch(name) for p in _HEADER_PATTERNS)


def _columns_by_name(columns: Iterable[object]) -> dict[str, object]:
    cols: dict[str, object] = {}
    for c in columns:
        cols.setdefault(norm(str(c)), c)
    return cols


def _pick(cols: dict[str, object], role: tuple) -> object | None:
    for wanted in role:
        if isinstance(wanted, str):
            if wanted in cols:
                return cols[wanted]
        else:
            matches = sorted((n for n in cols if wanted.fullmatch(n)), reverse=True)  # latest year first
            if matches:
                return cols[matches[0]]
    return None


def _text(series: pd.Series) -> pd.Series:
    """A column as arrow-backed text: a no-op for columns read from files (pandas' ``str``)."""
    return series if isinstance(series.array, pd.arrays.ArrowStringArray) else series.astype("str")


def _numbers(series: pd.Series) -> np.ndarray:
    """A column as float64 (NaN where empty or unreadable), vectorised."""
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    arr = pc.utf8_trim_whitespace(clean._arrow(_text(series)))
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
    try:
        return np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # a stray word in a number column
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _codes(series: pd.Series, func) -> pd.Series:
    """``func`` (text → text or None) applied once per distinct value, as a ``str`` Series."""
    return clean.map_values(_text(series), func)


def _code_as_given(value: str) -> str | None:
    value = value.strip()
    return None if not value or _DUMMY_CODE.match(value.upper()) else value


def _region_of(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    return REGION_CODES.get(value.upper()) or _region_names().get(norm(value))


def _nation_of(value: str) -> str | None:
    value = value.strip()
    return REGION_CODES.get(value.upper()) or (_region_names().get(norm(value)) if not _GSS_SHAPE.match(value)
                                               else None)


def _region_names() -> dict[str, str]:
    """Normalised region names and slugs ("North East", "north east england", "north_east") → slug."""
    from regen.ingest.reference import places_reference

    return places_reference()[0]


@lru_cache(maxsize=4)
def _to_wgs84(crs: str):
    from pyproj import Transformer

    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


def _grid_to_wgs84(east: np.ndarray, north: np.ndarray, postcodes: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(lat, lon) from eastings/northings: British National Grid, Irish Grid for Northern Ireland (BT)
    postcodes (as the ONSPD gives them); NaN where missing or 0/0 (no grid reference)."""
    lat = np.full(len(east), np.nan)
    lon = np.full(len(east), np.nan)
    ok = np.isfinite(east) & np.isfinite(north) & ~((east == 0) & (north == 0))
    irish = pc.fill_null(pc.starts_with(clean._arrow(postcodes), "BT"), False).to_numpy(zero_copy_only=False)
    for mask, crs in ((ok & ~irish, "EPSG:27700"), (ok & irish, "EPSG:29903")):
        if mask.any():
            x, y = _to_wgs84(crs).transform(east[mask], north[mask])
            lon[mask], lat[mask] = x, y
    return lat, lon


# --------------------------------------------------------------------------------------------
# Reading a file
# --------------------------------------------------------------------------------------------


def _is_known_cell(cell: str) -> bool:
    """Header detection: a known header name, or a cell of a Code-Point Open data row (a postcode or a
    GSS code), so that a file without a header starts at its first row."""
    if _is_known_name(cell):
        return True
    value = cell.strip().upper()
    return bool(_UK_SHAPE.match(value) or _GSS_SHAPE.match(value))


def read_postcodes(source, *, name: str | None = None) -> pd.DataFrame:
    """A postcode lookup table (columns postcode, lat, lon [, region, area, ward]) from a CSV, TSV, gzip'd
    CSV, zip of one CSV or xlsx file (a path, bytes or a file-like object) in any format of
    :func:`normalise_postcode_table`. Raises :class:`IngestError`."""
    from regen.ingest.read import default_max_bytes, read_raw

    raw = read_raw(source, name=name, max_bytes=default_max_bytes(), is_known=_is_known_cell)
    frame = raw.frame
    cells = _header_cells(list(raw.headers))
    if raw.header_row == 1 and _is_codepoint_row(cells) and not _recognised(raw.headers):
        # No header row (Code-Point Open): the "header" is the first postcode.
        names = _codepoint_names(len(raw.headers))
        first = pd.DataFrame({i: pd.array([cells[i]], dtype="str") for i in range(len(names))},
                             index=[_before(frame.index)])
        body = frame.set_axis(range(len(names)), axis=1)
        for i in range(len(names)):
            if body[i].dtype != "str":
                first[i] = first[i].astype(object)
        frame = pd.concat([first, body]).set_axis(names, axis=1)
    else:
        frame = frame.set_axis(list(raw.headers), axis=1)
    table = normalise_postcode_table(frame)
    if table is None or table.empty:
        raise IngestError("bad_postcodes", "the postcode table has no usable rows (postcodes with coordinates)")
    return table.reset_index()


# --------------------------------------------------------------------------------------------
# Postcode districts
# --------------------------------------------------------------------------------------------


def _postcode_keys(table: pd.DataFrame) -> pd.Series:
    if "postcode" in table.columns:
        return _text(table["postcode"])
    return _text(table.index.to_series(index=table.index))


def districts(table: pd.DataFrame) -> pd.DataFrame:
    """Per postcode district (the outward code, before the space: "NE1", "DL10"): the mean ``lat`` and
    ``lon`` of its postcodes and their number (``postcodes``), indexed by ``outward``, sorted. ``table``
    is a normalised table (index postcode, or a postcode column). Only UK postcodes have districts."""
    keys = clean._arrow(_postcode_keys(table))
    uk = pc.fill_null(pc.equal(pc.utf8_slice_codeunits(keys, -4, -3), " "), False)  # "NE1 4ST": inward 3
    outward = pc.if_else(uk, pc.utf8_slice_codeunits(keys, 0, -4), pa.scalar(None, keys.type))
    lat = table["lat"].to_numpy(dtype=np.float64, na_value=np.nan)
    lon = table["lon"].to_numpy(dtype=np.float64, na_value=np.nan)
    frame = pa.table({"outward": outward, "lat": lat, "lon": lon})
    frame = frame.filter(pc.and_(pc.is_valid(frame["outward"]),
                                 pc.and_(pc.is_finite(frame["lat"]), pc.is_finite(frame["lon"]))))
    grouped = frame.group_by("outward").aggregate([("lat", "mean"), ("lon", "mean"), ("lat", "count")])
    grouped = grouped.sort_by("outward")
    out = pd.DataFrame({
        "lat": grouped["lat_mean"].to_numpy(), "lon": grouped["lon_mean"].to_numpy(),
        "postcodes": grouped["lat_count"].to_numpy().astype(np.int64),
    }, index=pd.Index(grouped["outward"].to_pandas().array, name="outward", dtype="str"))
    return out


# --------------------------------------------------------------------------------------------
# Looking up
# --------------------------------------------------------------------------------------------


def _empty_found(index: pd.Index, columns: tuple[str, ...]) -> pd.DataFrame:
    data = {c: pd.Series(np.nan, index=index, dtype=np.float64) if c in ("lat", "lon")
            else pd.Series(pd.NA, index=index, dtype="str") for c in columns}
    return pd.DataFrame(data, index=index)


class PostcodeLookup:
    """Find postcodes and postcode districts in a lookup table held in memory (:meth:`from_table`) or in
    the store (:meth:`from_store`: only the postcodes asked for are read, never the whole table)."""

    COLUMNS: tuple[str, ...] = ("lat", "lon", *EXTRA_COLUMNS)

    def __init__(self, *, table: pd.DataFrame | None = None, engine=None):
        if (table is None) == (engine is None):
            raise ValueError("give a normalised table or a store engine")
        self._table = table
        self._engine = engine
        self._keys: tuple[np.ndarray, np.ndarray] | None = None
        self._districts: pd.DataFrame | None = None

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> PostcodeLookup:
        """A lookup over ``table``: a normalised table (index postcode; lat, lon ...), or any table
        :func:`normalise_postcode_table` reads (normalised first)."""
        if table is None:
            raise IngestError("bad_postcodes", "no postcode table was given")
        if not (table.index.name == "postcode" and {"lat", "lon"} <= set(table.columns)):
            table = normalise_postcode_table(table)
            if table is None:
                raise IngestError("bad_postcodes", "the postcode table is empty")
        return cls(table=table)

    @classmethod
    def from_store(cls, engine) -> PostcodeLookup:
        """A lookup over the postcode table saved in the store (:func:`regen.store.save_postcodes`)."""
        return cls(engine=engine)

    @property
    def table(self) -> pd.DataFrame | None:
        """The table held in memory (None for a store lookup)."""
        return self._table

    def find(self, postcodes: pd.Series) -> pd.DataFrame:
        """For each postcode (formatted like "NE1 4ST"; other writings are formatted first): lat, lon,
        region, area, ward, NaN where not found or not known; same index as ``postcodes``."""
        postcodes = postcodes if isinstance(postcodes, pd.Series) else pd.Series(postcodes)
        formatted = clean.postcodes(_text(postcodes))[0] if len(postcodes) else _text(postcodes)
        out = _empty_found(postcodes.index, self.COLUMNS)
        wanted = formatted.dropna()
        if wanted.empty:
            return out
        if self._table is not None:
            table = self._table
            pos = self._positions(clean._arrow(formatted))
            hit = pos >= 0
            if hit.any():
                found = table.take(pos[hit])
                for column in self.COLUMNS:
                    if column in found.columns:
                        out.loc[hit, column] = found[column].to_numpy()
            return out
        from regen.store import lookup_postcodes

        found = lookup_postcodes(self._engine, pd.unique(wanted.to_numpy(dtype=object)).tolist())
        if found.empty:
            return out
        rows = found.reindex(formatted.to_numpy(dtype=object))
        for column in self.COLUMNS:
            out[column] = pd.Series(rows[column].to_numpy(), index=out.index, dtype=out[column].dtype)
        return out

    def _positions(self, keys: pa.ChunkedArray) -> np.ndarray:
        """Row of each key in the table held in memory, -1 where absent (or missing)."""
        if self._keys is None:
            numbers = _key_numbers(clean._arrow(self._table.index.to_series()))
            if numbers is None:
                raise IngestError("bad_postcodes", "the postcode table holds values that are not postcodes")
            order = np.argsort(numbers, kind="stable")
            self._keys = (numbers[order], order)
        ordered, order = self._keys
        wanted = _key_numbers(keys)
        pos = np.full(len(keys), -1, dtype=np.int64)
        valid = pc.is_valid(keys).to_numpy(zero_copy_only=False)
        if wanted is None or not len(ordered):
            return pos
        at = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
        found = valid & (ordered[at] == wanted)
        pos[found] = order[at[found]]
        return pos

    def find_districts(self, outward_codes: pd.Series) -> pd.DataFrame:
        """For each outward code ("NE1", "dl10 "): the mean lat, lon of its postcodes; NaN where not found."""
        outward_codes = outward_codes if isinstance(outward_codes, pd.Series) else pd.Series(outward_codes)
        keys = _text(outward_codes).str.strip().str.upper() if len(outward_codes) else _text(outward_codes)
        keys = keys.where(keys != "")
        out = _empty_found(outward_codes.index, ("lat", "lon"))
        wanted = pd.unique(keys.dropna().to_numpy(dtype=object)).tolist()
        if not wanted:
            return out
        if self._table is not None:
            if self._districts is None:
                self._districts = districts(self._table)
            found = self._districts
        else:
            from regen.store import lookup_districts

            found = lookup_districts(self._engine, wanted)
        if found.empty:
            return out
        rows = found.reindex(keys.to_numpy(dtype=object))
        out["lat"] = rows["lat"].to_numpy(dtype=np.float64)
        out["lon"] = rows["lon"].to_numpy(dtype=np.float64)
        return out


__all__ = [
    "CODEPOINT_COLUMNS", "EXTRA_COLUMNS", "PostcodeLookup", "REGION_CODES", "districts", "normalise_postcode_table",
    "read_postcodes",
]
