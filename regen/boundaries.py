"""Analysts' own boundary files: read, check, repair, assign enterprises to areas, draw.

Public surface::

    read_boundaries(source, *, name=None, code_field=None, name_field=None, layer=None, crs=None,
                    tolerance=DEFAULT_TOLERANCE, max_bytes=None) -> BoundaryResult
    assign_areas(enterprises, boundaries) -> (DataFrame, list[Issue])
    match_areas(enterprises, boundaries) -> AreaMatch   # the same, row by row
    points_in_polygons(lat, lon, polygons) -> (position, overlapping, on_edge)
    is_boundary_file(source, *, name=None) -> bool
    display_features(frame, tolerance=..., precision=...) -> list[(code, name, geometry_json)]
    BoundaryResult, Issue, AreaMatch, ISSUE_CODES, ERROR_CODES

``source`` is a path or bytes (give ``name`` so the type can be told; the content decides in the end)
of GeoJSON (.geojson/.json), a GeoPackage (.gpkg) or a zip archive holding a Shapefile
(.shp/.shx/.dbf, with .prj and .cpg when there are) or one GeoJSON/GeoPackage. Files are read with
pyogrio (GDAL) through geopandas. Zip archives are checked before anything is unpacked: a member
with an absolute or ``..`` path refuses the archive (zip-slip), and the unpacked size is limited
(declared sizes and the bytes actually written are both counted, so a zip bomb stops early).

The result's ``frame`` is a GeoDataFrame in EPSG:4326 with one row per area: ``code``, ``name``,
``geometry`` (valid (Multi)Polygons; features sharing a code are dissolved into one). The code and
name columns are detected (ONS ``LAD23CD``/``LAD23NM`` and friends, ``code``/``name``, the MLIT
administrative areas ``N03_007``/``N03_004``, ``市区町村コード``/``市区町村名`` ...) unless given.
:meth:`BoundaryResult.to_geojson` gives a simplified, rounded FeatureCollection (``id`` = code) of
bounded size for drawing (``px.choropleth_map(geojson=..., featureidkey="id")`` or a map layer).

Never raises on bad input: an unreadable, empty, binary or truncated file gives a result with
``error`` (plain English) and ``error_code`` set. ``problems`` are data left out (features without
a code or an area geometry); ``notes`` are for information (reprojected, repaired, dissolved ...).
The interface translates issue and error codes as ``boundary.<code>`` (the two sets do not overlap).
Nothing here imports Streamlit, writes outside a temporary folder, or touches a database.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import struct
import tempfile
import time
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from regen.ingest.read import default_max_bytes  # one upload limit for tables and boundaries
from regen.settings import megabytes as _mb

DEFAULT_TOLERANCE = 0.0005  # degrees; about 35-55 m in Britain and Japan: invisible below zoom ~12
DEFAULT_PRECISION = 5  # decimals of a degree in drawn GeoJSON (about 1 m)
STORE_PRECISION = 6  # decimals kept for the full geometry (about 0.1 m)
DEFAULT_GEOJSON_BYTES = 8 * 1024 * 1024
ZIP_EXPANSION = 4  # a zip may unpack to at most this many times max_bytes
MAX_ZIP_MEMBERS = 5000
SUFFIXES: tuple[str, ...] = (".geojson", ".json", ".gpkg", ".zip", ".shp")

ISSUE_CODES: tuple[str, ...] = (
    # problems (features left out)
    "no_geometry", "not_polygon", "no_code", "geometry_unrepairable",
    # notes
    "reprojected", "crs_assumed", "geometry_repaired", "dissolved", "names_differ", "no_name_field",
    "codes_from_names", "codes_padded", "encoding_guessed", "layers_ignored", "members_ignored",
    "geojson_coarser",
    # assign_areas
    "area_filled", "area_disagrees", "outside_boundaries", "no_coordinates", "overlapping_boundaries",
    "on_boundary_edge",
)
ERROR_CODES: tuple[str, ...] = (
    "not_found", "empty_file", "too_large", "unsupported_format", "damaged_file", "unsafe_zip",
    "no_shapefile", "incomplete_shapefile", "no_features", "not_polygons", "no_crs", "bad_coordinates",
    "no_code_field", "bad_field", "internal_error",
)

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_POLYGON_SHAPE_TYPES = {5, 15, 25}  # Shapefile: Polygon, PolygonZ, PolygonM


class BoundaryError(Exception):
    """The file cannot be read as boundaries at all (internal: read_boundaries turns it into ``error``)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Issue:
    """A problem or note: stable ``code`` (translate as ``boundary.<code>``), plain-English ``message``,
    how many features/rows it concerns, and up to 20 of them as ``examples`` (codes or row labels)."""

    code: str
    message: str
    count: int = 0
    examples: list = field(default_factory=list)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "count": int(self.count),
                "examples": [_plain(e) for e in self.examples]}


def _plain(value):
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


@dataclass
class BoundaryResult:
    """Everything learnt from reading one boundary file (see the module docstring)."""

    frame: object = None  # GeoDataFrame (code, name, geometry) in EPSG:4326, or None on error
    file_name: str | None = None
    file_type: str | None = None  # "geojson", "gpkg" or "shapefile"
    layer: str | None = None
    features_read: int = 0
    crs: str | None = None  # the file's own coordinate reference system, e.g. "EPSG:27700"
    code_field: str | None = None
    name_field: str | None = None
    fields: list[str] = field(default_factory=list)
    tolerance: float = DEFAULT_TOLERANCE
    problems: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)
    error: str | None = None
    error_code: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Read, with nothing left out."""
        return self.error is None and not self.problems

    @property
    def areas(self) -> int:
        return 0 if self.frame is None else len(self.frame)

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) in degrees, or None."""
        if self.frame is None or not len(self.frame):
            return None
        return tuple(round(float(v), 6) for v in self.frame.total_bounds)

    def to_geojson(self, max_bytes: int = DEFAULT_GEOJSON_BYTES, *, tolerance: float | None = None,
                   precision: int = DEFAULT_PRECISION) -> dict | None:
        """A FeatureCollection for drawing: ``id`` and ``properties.code`` = area code, ``properties.name``.

        Geometries are simplified (``tolerance`` in degrees, default the result's; shared edges stay
        shared) and rounded to ``precision`` decimals. If the text would exceed ``max_bytes``, the
        tolerance is doubled until it fits (a ``geojson_coarser`` note says so); None if it never fits
        (or there are no areas).
        """
        if self.frame is None or not len(self.frame):
            return None
        text, used = _fitted_geojson(self.frame, max_bytes, self.tolerance if tolerance is None else tolerance,
                                     precision)
        if text is None:
            self._note(Issue("geojson_coarser", f"the areas are too detailed to draw within {_mb(max_bytes)} even "
                                                "when simplified; not drawn"))
            return None
        if used > (self.tolerance if tolerance is None else tolerance):
            self._note(Issue("geojson_coarser", f"outlines simplified more ({used:g}°) to draw within "
                                                f"{_mb(max_bytes)}"))
        return json.loads(text)

    def _note(self, issue: Issue) -> None:
        if all(n.message != issue.message for n in self.notes):
            self.notes.append(issue)

    def areas_table(self) -> pd.DataFrame:
        """code, name, lat, lon (a point inside each area): an area table for ``regen.ingest.read_table(areas=...)``."""
        if self.frame is None:
            return pd.DataFrame(columns=["code", "name", "lat", "lon"])
        points = self.frame.geometry.representative_point()
        return pd.DataFrame({"code": self.frame["code"].to_numpy(), "name": self.frame["name"].to_numpy(),
                             "lat": points.y.to_numpy(), "lon": points.x.to_numpy()})

    def to_json(self) -> dict:
        """A JSON-serialisable summary (everything but the geometries)."""
        return {
            "file": self.file_name, "file_type": self.file_type, "layer": self.layer, "crs": self.crs,
            "features_read": int(self.features_read), "areas": self.areas, "code_field": self.code_field,
            "name_field": self.name_field, "fields": list(self.fields), "bounds": self.bounds,
            "problems": [p.as_dict() for p in self.problems], "notes": [n.as_dict() for n in self.notes],
            "error": self.error, "error_code": self.error_code,
        }

    def report(self) -> str:
        """A short plain-text report (for ``python -m regen validate``)."""
        lines = [f"File: {self.file_name or '(bytes)'}"]
        if self.error:
            lines.append(f"Cannot read the file: {self.error}")
            return "\n".join(lines)
        kind = {"geojson": "GeoJSON", "gpkg": "GeoPackage", "shapefile": "Shapefile (zipped)"}.get(
            self.file_type or "", self.file_type or "?")
        lines.append(f"Boundary file: {kind}" + (f", layer {self.layer}" if self.layer else ""))
        lines.append(f"Features: {self.features_read} read, {self.areas} area(s)")
        lines.append(f"Code field: {self.code_field or '-'}; name field: {self.name_field or '-'}")
        lines.append(f"CRS: {self.crs or 'none given'} (stored as EPSG:4326)")
        if self.bounds:
            west, south, east, north = self.bounds
            lines.append(f"Extent: lon {west:.4f} to {east:.4f}, lat {south:.4f} to {north:.4f}")
        if self.frame is not None and len(self.frame):
            shown = ", ".join(f"{c} {n}" if n != c else str(c)
                              for c, n in zip(self.frame["code"][:5], self.frame["name"][:5], strict=True))
            lines.append(f"Areas: {shown}" + (" ..." if len(self.frame) > 5 else ""))
        lines.append(f"Problems: {len(self.problems)}")
        lines.extend(f"  - {p.message}" for p in self.problems)
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  - {n.message}" for n in self.notes)
        return "\n".join(lines)


def is_boundary_file(source: Path | str | bytes, *, name: str | None = None) -> bool:
    """True for .geojson/.gpkg/.shp, for .json holding a JSON object, and for a .zip holding a .shp,
    .geojson or .gpkg (the archive's directory is read, nothing is unpacked). ``source`` is a path, or
    bytes with their file ``name``."""
    data = bytes(source) if isinstance(source, (bytes, bytearray)) else None
    path = None if data is not None else Path(source)
    suffix = PurePosixPath(name or (path.name if path is not None else "")).suffix.lower()
    if suffix in (".geojson", ".gpkg", ".shp"):
        return True
    try:
        if suffix == ".json":
            return _lead(path, data).startswith(b"{")
        if suffix == ".zip":
            handle = path if data is None else io.BytesIO(data)
            if zipfile.is_zipfile(handle):
                with zipfile.ZipFile(handle) as archive:
                    return any(PurePosixPath(n).suffix.lower() in (".shp", ".geojson", ".gpkg")
                               for n in archive.namelist() if not _ignored_member(n))
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    return False


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------

def read_boundaries(source, *, name: str | None = None, code_field: str | None = None,
                    name_field: str | None = None, layer: str | None = None, crs=None,
                    tolerance: float = DEFAULT_TOLERANCE, max_bytes: int | None = None) -> BoundaryResult:
    """Read a boundary file into areas (see the module docstring). Never raises on bad input.

    ``code_field``/``name_field`` override the detected columns; ``layer`` chooses a GeoPackage layer
    (default: the first polygon layer); ``crs`` is assumed when the file has none (e.g. "EPSG:27700"
    for a Shapefile without its .prj); ``tolerance`` (degrees) is the default simplification for
    drawing; ``max_bytes`` limits the file (default :func:`default_max_bytes`; a zip may unpack to 4x).
    """
    started = time.perf_counter()
    limit = default_max_bytes() if max_bytes is None else int(max_bytes)
    file_name = name or (str(source) if isinstance(source, (str, os.PathLike)) else None)
    result = BoundaryResult(file_name=file_name, tolerance=float(tolerance))
    try:
        with np.errstate(all="ignore"):
            _read(source, result, name=name, code_field=code_field, name_field=name_field, layer=layer,
                  crs=crs, max_bytes=limit)
    except BoundaryError as err:
        result.frame, result.error, result.error_code = None, err.message, err.code
    except MemoryError:
        result.frame, result.error, result.error_code = None, "not enough memory to read this file", "too_large"
    except Exception as err:  # noqa: BLE001 - a report, never a traceback
        result.frame, result.error_code = None, "internal_error"
        result.error = f"the file could not be read (unexpected {type(err).__name__}: {_first_line(err)})"
    result.seconds = time.perf_counter() - started
    return result


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:300] if text else type(err).__name__


def _read(source, result: BoundaryResult, *, name, code_field, name_field, layer, crs, max_bytes) -> None:
    path, data = _source(source, max_bytes)
    suffix = Path(name or (str(path) if path else "")).suffix.lower()
    head = data[:_HEAD] if data is not None else _head(path)
    size = len(data) if data is not None else path.stat().st_size
    if size <= _HEAD and not head.strip(b" \t\r\n\x00"):
        raise BoundaryError("empty_file", "the file is empty")
    with tempfile.TemporaryDirectory(prefix="regen-boundaries-") as tmp:
        tmp_dir = Path(tmp)
        if head.startswith(_ZIP_MAGIC):
            target, kind, has_cpg, label = _unzip(path if data is None else io.BytesIO(data), tmp_dir,
                                                  max_bytes * ZIP_EXPANSION, result)
        elif head.startswith(_SQLITE_MAGIC):
            target, kind, has_cpg, label = _materialise(path, data, tmp_dir, ".gpkg"), "gpkg", True, None
        elif suffix == ".shp" and path is not None:
            target, kind, label = path, "shapefile", None
            has_cpg = path.with_suffix(".cpg").exists() or path.with_suffix(".CPG").exists()
        elif _lead(path, data).startswith(b"{"):
            target, kind, has_cpg, label = _materialise(path, data, tmp_dir, ".geojson"), "geojson", True, None
        else:
            raise BoundaryError("unsupported_format", "not a boundary file: expected GeoJSON, a GeoPackage (.gpkg) "
                                                      "or a zip archive holding a Shapefile")
        result.file_type = kind
        frame = _read_layer(target, kind, layer, result, label)
        if kind == "shapefile" and not has_cpg:
            frame = _fix_encoding(target, frame, result)
    _build(frame, result, code_field=code_field, name_field=name_field, crs=crs)


def _source(source, max_bytes: int) -> tuple[Path | None, bytes | None]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise BoundaryError("empty_file", "the file is empty")
        if len(data) > max_bytes:
            raise BoundaryError("too_large", f"the file is {_mb(len(data))}, more than the limit of {_mb(max_bytes)}")
        return None, data
    if hasattr(source, "read"):
        data = source.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise BoundaryError("too_large", f"the file is more than the limit of {_mb(max_bytes)}")
        return _source(data or b"", max_bytes)
    path = Path(source)
    if not path.is_file():
        raise BoundaryError("not_found", f"no such file: {path}")
    size = path.stat().st_size
    if size == 0:
        raise BoundaryError("empty_file", "the file is empty")
    if size > max_bytes:
        raise BoundaryError("too_large", f"the file is {_mb(size)}, more than the limit of {_mb(max_bytes)}")
    return path, None


_HEAD = 4096
_BLANK = b"\xef\xbb\xbf \t\r\n"


def _lead(path: Path | None, data: bytes | None, limit: int = 1 << 20) -> bytes:
    """The first bytes after a BOM and leading whitespace (at most ``limit`` bytes are scanned)."""
    if data is not None:
        return data[:limit].lstrip(_BLANK)[:16]
    with path.open("rb") as handle:
        seen = 0
        while seen < limit:
            block = handle.read(_HEAD)
            if not block:
                return b""
            seen += len(block)
            rest = block.lstrip(_BLANK)
            if rest:
                return rest[:16]
    return b""


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(_HEAD)


def _materialise(path: Path | None, data: bytes | None, tmp_dir: Path, suffix: str) -> Path:
    if data is None:
        return path
    target = tmp_dir / f"boundaries{suffix}"
    target.write_bytes(data)
    return target


def _ignored_member(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return name.endswith("/") or any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _unsafe_member(name: str) -> bool:
    clean = name.replace("\\", "/")
    return (clean.startswith("/") or re.match(r"^[A-Za-z]:", clean) is not None
            or any(part == ".." for part in clean.split("/")) or "\x00" in clean)


def _unzip(handle, tmp_dir: Path, limit: int, result: BoundaryResult) -> tuple[Path, str, bool, str]:
    """Check the archive, then unpack only the chosen Shapefile's parts (or one GeoJSON/GeoPackage)."""
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as err:
        raise BoundaryError("damaged_file", f"the zip archive is damaged or truncated ({_first_line(err)})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise BoundaryError("too_large", f"the zip archive holds {len(infos)} files (at most {MAX_ZIP_MEMBERS})")
        unsafe = [i.filename for i in infos if _unsafe_member(i.filename)]
        if unsafe:
            raise BoundaryError("unsafe_zip", f"the zip archive contains a file with an unsafe path ({unsafe[0]!r}); "
                                              "nothing was unpacked")
        declared = sum(i.file_size for i in infos)
        if declared > limit:
            raise BoundaryError("too_large", f"the zip archive would unpack to {_mb(declared)}, more than the "
                                             f"limit of {_mb(limit)}")
        members = [i for i in infos if not _ignored_member(i.filename)]
        by_suffix: dict[str, list[zipfile.ZipInfo]] = {}
        for info in members:
            by_suffix.setdefault(PurePosixPath(info.filename).suffix.lower(), []).append(info)
        shps = by_suffix.get(".shp", [])
        if shps:
            chosen, others = None, []
            for info in shps:
                if chosen is None and _shape_type(archive, info) in _POLYGON_SHAPE_TYPES:
                    chosen = info
                else:
                    others.append(PurePosixPath(info.filename).name)
            if chosen is None:
                raise BoundaryError("not_polygons", "the Shapefile(s) in the archive hold points or lines, not areas "
                                                    "(polygons)")
            if others:
                result.notes.append(Issue("members_ignored", "other Shapefiles in the archive were ignored: "
                                                             + ", ".join(others), len(others), others[:20]))
            stem = chosen.filename[:-4]
            parts = {PurePosixPath(i.filename).suffix.lower(): i for i in members
                     if i.filename[:-4].casefold() == stem.casefold() and len(i.filename) == len(chosen.filename)}
            missing = [s for s in (".shx", ".dbf") if s not in parts]
            if missing:
                raise BoundaryError("incomplete_shapefile", f"the Shapefile {PurePosixPath(chosen.filename).name} "
                                                            f"lacks its {' and '.join(missing)} file")
            total = 0
            for ext, info in parts.items():
                if ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                    total = _extract(archive, info, tmp_dir / f"boundaries{ext}", limit, total)
            return tmp_dir / "boundaries.shp", "shapefile", ".cpg" in parts, PurePosixPath(chosen.filename).stem
        others = by_suffix.get(".geojson", []) + by_suffix.get(".gpkg", []) + by_suffix.get(".json", [])
        if not others:
            raise BoundaryError("no_shapefile", "the zip archive holds no Shapefile (.shp), GeoJSON or GeoPackage")
        info = others[0]
        ext = PurePosixPath(info.filename).suffix.lower()
        if len(others) > 1:
            names = [PurePosixPath(i.filename).name for i in others[1:]]
            result.notes.append(Issue("members_ignored", "other files in the archive were ignored: " + ", ".join(names),
                                      len(names), names[:20]))
        target = tmp_dir / f"boundaries{'.geojson' if ext == '.json' else ext}"
        _extract(archive, info, target, limit, 0)
        return target, "gpkg" if ext == ".gpkg" else "geojson", True, PurePosixPath(info.filename).stem


def _shape_type(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int | None:
    try:
        with archive.open(info) as handle:
            header = handle.read(100)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError):
        return None
    if len(header) < 36 or header[:4] != b"\x00\x00\x27\x0a":
        return None
    return struct.unpack("<i", header[32:36])[0]


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limit: int, total: int) -> int:
    """Write one member to ``target`` (a name of our own), counting the bytes actually produced."""
    try:
        with archive.open(info) as src, target.open("wb") as out:
            while True:
                block = src.read(1 << 20)
                if not block:
                    break
                total += len(block)
                if total > limit:
                    raise BoundaryError("too_large", f"the zip archive unpacks to more than {_mb(limit)}")
                out.write(block)
    except RuntimeError as err:  # encrypted member
        raise BoundaryError("damaged_file", f"cannot unpack {info.filename!r}: {_first_line(err)}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
        raise BoundaryError("damaged_file", f"the zip archive is damaged or truncated ({_first_line(err)})") from None
    return total


def _read_layer(target: Path, kind: str, layer: str | None, result: BoundaryResult, label: str | None):
    import geopandas as gpd
    import pyogrio

    try:
        layers = pyogrio.list_layers(target)
    except Exception as err:  # noqa: BLE001 - GDAL's errors vary by driver
        raise BoundaryError("damaged_file", f"the {_kind_name(kind)} cannot be read: {_first_line(err)}") from None
    if len(layers) == 0:
        raise BoundaryError("no_features", f"the {_kind_name(kind)} holds no layers")
    names = [str(row[0]) for row in layers]
    types = {str(row[0]): str(row[1] or "") for row in layers}
    if layer is not None:
        if layer not in names:
            raise BoundaryError("bad_field", f"no layer named {layer!r}; layers: {', '.join(names)}")
        chosen = layer
    else:
        polygonal = [n for n in names if "polygon" in types[n].lower()]
        unknown = [n for n in names if types[n].lower() in ("unknown", "geometrycollection")]
        candidates = polygonal or unknown
        if not candidates:
            raise BoundaryError("not_polygons", f"the {_kind_name(kind)} holds "
                                                f"{', '.join(sorted(set(types.values()))).lower() or 'no'} "
                                                "geometries, not areas (polygons)")
        chosen = candidates[0]
        ignored = [n for n in names if n != chosen]
        if ignored:
            result.notes.append(Issue("layers_ignored", f"layer {chosen!r} read; other layers ignored: "
                                                        + ", ".join(ignored), len(ignored), ignored[:20]))
    result.layer = label if kind == "shapefile" and label else (chosen if len(names) > 1 or kind == "gpkg" else None)
    try:
        frame = gpd.read_file(target, layer=chosen, engine="pyogrio")
    except Exception as err:  # noqa: BLE001
        raise BoundaryError("damaged_file", f"the {_kind_name(kind)} cannot be read (damaged or truncated?): "
                                            f"{_first_line(err)}") from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        raise BoundaryError("not_polygons", f"layer {chosen!r} has no geometries (it is a plain table)")
    return frame


def _kind_name(kind: str) -> str:
    return {"geojson": "GeoJSON file", "gpkg": "GeoPackage", "shapefile": "Shapefile"}.get(kind, "file")


_HIGH = re.compile(r"[\x80-\xff]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")


def _fix_encoding(target: Path, frame, result: BoundaryResult):
    """A Shapefile without .cpg is read as Latin-1; re-read as UTF-8 or CP932 when the text is mojibake."""
    import geopandas as gpd

    texts = []
    for column in frame.columns:
        if column == frame.geometry.name or frame[column].dtype.kind in "iufbmM":
            continue
        texts.extend(v for v in frame[column].dropna().astype(str).head(200) if _HIGH.search(v))
    if not texts:
        return frame
    for encoding in ("utf-8", "cp932"):
        try:
            decoded = [t.encode("latin-1").decode(encoding) for t in texts]
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if encoding == "cp932" and not any(_CJK.search(d) for d in decoded):
            continue
        try:
            frame = gpd.read_file(target, engine="pyogrio", encoding=encoding)
        except Exception:  # noqa: BLE001
            continue
        result.notes.append(Issue("encoding_guessed", f"the Shapefile has no .cpg file: its text was read as "
                                                      f"{'UTF-8' if encoding == 'utf-8' else 'Shift-JIS (CP932)'}"))
        return frame
    return frame


# --------------------------------------------------------------------------------------------
# Fields, coordinates, geometry
# --------------------------------------------------------------------------------------------

_ONS_CODE = re.compile(r"^[A-Z]{2,6}\d{2}CD$", re.I)
_ONS_NAME = re.compile(r"^[A-Z]{2,6}\d{2}NM$", re.I)
_CODE_NAMES = ("code", "area_code", "areacode", "gss_code", "lad_code", "la_code", "geo_code", "ons_code",
               "n03_007", "citycode", "city_code", "jcode", "key_code", "mun_code", "admin_code", "市区町村コード",
               "行政区域コード", "団体コード", "全国地方公共団体コード", "コード")
_NAME_NAMES = ("name", "area_name", "areaname", "lad_name", "la_name", "geo_name", "n03_004", "city_name",
               "cityname", "mun_name", "市区町村名", "行政区域名", "団体名", "名称", "name_en", "name_1", "label")
_CODE_VALUE = re.compile(r"^([EWSNKJL]\d{8}|\d{5,6})$")  # ONS GSS codes; Japanese local government codes


def _norm_field(name: str) -> str:
    return unicodedata.normalize("NFKC", str(name)).strip().casefold().replace(" ", "_").replace("-", "_")


def _text_values(series: pd.Series) -> pd.Series:
    """Strings (stripped; integral numbers without '.0'), missing as None."""
    if series.dtype.kind == "f":
        whole = series.dropna()
        if len(whole) and (whole == whole.round()).all():
            series = series.astype("Int64")
    values = [None if _missing(v) else (str(v).strip() or None) for v in series.astype(object).tolist()]
    return pd.Series(values, index=series.index, dtype=object)


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _detect_fields(frame, code_field: str | None, name_field: str | None) -> tuple[str | None, str | None]:
    columns = [c for c in frame.columns if c != frame.geometry.name]
    lookup = {_norm_field(c): c for c in columns}
    for given, what in ((code_field, "code"), (name_field, "name")):
        if given is not None and given not in columns and _norm_field(given) not in lookup:
            raise BoundaryError("bad_field", f"no {what} field {given!r}; fields: {', '.join(map(str, columns)) or 'none'}")
    code = None if code_field is None else (code_field if code_field in columns else lookup[_norm_field(code_field)])
    name = None if name_field is None else (name_field if name_field in columns else lookup[_norm_field(name_field)])
    if code is None:
        ons = [c for c in columns if _ONS_CODE.match(str(c))]
        code = ons[0] if ons else next((lookup[k] for k in _CODE_NAMES if k in lookup), None)
        if code is None:  # by content: text shaped like ONS or Japanese codes
            for c in columns:
                if frame[c].dtype.kind in "iufbmM":
                    continue
                values = _text_values(frame[c]).dropna()
                if len(values) and all(_CODE_VALUE.match(v) for v in values):
                    code = c
                    break
        if code is None and "id" in lookup:
            code = lookup["id"]
    if name is None:
        if code is not None and _ONS_CODE.match(str(code)):
            twin = str(code)[:-2] + ("NM" if str(code)[-2:].isupper() else "nm")
            name = twin if twin in columns else None
        if name is None:
            ons = [c for c in columns if _ONS_NAME.match(str(c))]
            name = ons[0] if ons else next((lookup[k] for k in _NAME_NAMES if k in lookup and lookup[k] != code), None)
    return code, name


def _jp_names(frame, name_field: str) -> pd.Series:
    """MLIT N03: prefix the designated city (N03_003 ending in 市) to a ward name, and add N03_005 (ward)."""
    names = _text_values(frame[name_field])
    lookup = {_norm_field(c): c for c in frame.columns}
    if _norm_field(name_field) != "n03_004":
        return names
    city = _text_values(frame[lookup["n03_003"]]) if "n03_003" in lookup else None
    ward = _text_values(frame[lookup["n03_005"]]) if "n03_005" in lookup else None
    out = []
    for i, base in enumerate(names):
        parts = []
        c = city.iloc[i] if city is not None else None
        w = ward.iloc[i] if ward is not None else None
        if c and c.endswith("市") and ((base and base.endswith("区")) or w) and c != base:
            parts.append(c)
        if base:
            parts.append(base)
        if w and w != base:
            parts.append(w)
        out.append("".join(parts) or None)
    return pd.Series(out, index=names.index, dtype=object)


def _lonlat_plausible(bounds) -> bool:
    west, south, east, north = (float(v) for v in bounds)
    return all(map(math.isfinite, (west, south, east, north))) and -180.5 <= west <= east <= 180.5 \
        and -90.5 <= south <= north <= 90.5


def _crs_label(crs) -> str:
    try:
        epsg = crs.to_epsg()
    except Exception:  # noqa: BLE001
        epsg = None
    name = getattr(crs, "name", None) or ""
    if epsg:
        return f"EPSG:{epsg}" + (f" ({name})" if name else "")
    return name or str(crs)[:80]


def _polygons_only(geoms: np.ndarray) -> np.ndarray:
    """Keep the polygonal parts of each geometry (None where there are none)."""
    import shapely

    out = geoms.copy()
    types = shapely.get_type_id(geoms)
    mixed = np.flatnonzero(types == 7)  # GeometryCollection
    for i in mixed:
        parts = [p for p in shapely.get_parts(geoms[i]) if shapely.get_type_id(p) in (3, 6)]
        out[i] = shapely.union_all(parts) if parts else None
    return out


def _build(frame, result: BoundaryResult, *, code_field, name_field, crs) -> None:
    import geopandas as gpd
    import shapely

    result.features_read = len(frame)
    result.fields = [str(c) for c in frame.columns if c != frame.geometry.name]
    if frame.empty:
        raise BoundaryError("no_features", "the file holds no features")
    geoms = frame.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    type_ids = shapely.get_type_id(geoms)
    polygonal = np.isin(type_ids, (3, 6)) | ((type_ids == 7) & ~missing)
    if missing.any():
        result.problems.append(Issue("no_geometry", f"{int(missing.sum())} feature(s) without a geometry were left out",
                                     int(missing.sum())))
    other = ~missing & ~polygonal
    if other.all():
        kinds = ", ".join(sorted({g.geom_type.lower() for g in geoms[other][:50]}))
        raise BoundaryError("not_polygons", f"the file holds {kinds or 'no'} geometries, not areas (polygons)")
    if other.any():
        result.problems.append(Issue("not_polygon", f"{int(other.sum())} feature(s) are points or lines, not areas; "
                                                    "left out", int(other.sum())))
    if missing.all():
        raise BoundaryError("no_features", "no feature has a geometry")
    frame = frame[polygonal & ~missing]

    # Coordinates: reproject to longitude/latitude (EPSG:4326).
    if frame.crs is None:
        bounds = frame.total_bounds
        if crs is not None:
            frame = frame.set_crs(crs, allow_override=True)
            result.crs = f"{_crs_label(frame.crs)} (assumed)"
            result.notes.append(Issue("crs_assumed", f"the file gives no coordinate system; {_crs_label(frame.crs)} "
                                                     "was assumed as asked"))
        elif _lonlat_plausible(bounds):
            frame = frame.set_crs(4326)
            result.crs = "EPSG:4326 (assumed)"
            result.notes.append(Issue("crs_assumed", "the file gives no coordinate system; its coordinates look like "
                                                     "longitude/latitude and were taken as WGS 84 (EPSG:4326)"))
        else:
            hint = ""
            west, south, east, north = bounds
            if 0 <= west and east <= 700_000 and 0 <= south and north <= 1_300_000:
                hint = " They look like British National Grid metres (EPSG:27700)."
            raise BoundaryError("no_crs", "the file gives no coordinate system and its coordinates are not "
                                          f"longitude/latitude (x {west:.0f} to {east:.0f}, y {south:.0f} to "
                                          f"{north:.0f}).{hint} Include the .prj file or save the file in EPSG:4326.")
    else:
        result.crs = _crs_label(frame.crs)
    if frame.crs.to_epsg() != 4326:
        lonlat = frame.crs.equals("OGC:CRS84")
        try:
            frame = frame.to_crs(4326)
        except Exception as err:  # noqa: BLE001
            raise BoundaryError("bad_coordinates", f"cannot convert from {result.crs} to longitude/latitude: "
                                                   f"{_first_line(err)}") from None
        if not lonlat:
            result.notes.append(Issue("reprojected", f"reprojected from {result.crs} to WGS 84 (EPSG:4326)"))
    if not _lonlat_plausible(frame.total_bounds):
        west, south, east, north = frame.total_bounds
        raise BoundaryError("bad_coordinates", f"the coordinates do not fit the file's coordinate system "
                                               f"{result.crs}: x {west:.4g} to {east:.4g}, y {south:.4g} to "
                                               f"{north:.4g} are not longitude/latitude")

    # Fields.
    code_col, name_col = _detect_fields(frame, code_field, name_field)
    if code_col is None and name_col is None:
        raise BoundaryError("no_code_field", "could not tell which field holds the area codes; fields: "
                                             + (", ".join(result.fields) or "none") + " (choose one with code_field)")
    result.code_field = code_col
    result.name_field = name_col
    if code_col is None:
        codes = _jp_names(frame, name_col)
        result.notes.append(Issue("codes_from_names", f"no code field found: the names in {name_col!r} are used "
                                                      "as area codes"))
    else:
        raw = frame[code_col]
        codes = _text_values(raw)
        if raw.dtype.kind in "iuf":
            numeric = pd.to_numeric(raw, errors="coerce").dropna()
            if len(numeric) and numeric.max() < 100_000 and (numeric < 10_000).any():
                codes = codes.map(lambda v: None if v is None else v.zfill(5))
                result.notes.append(Issue("codes_padded", "codes stored as numbers were padded to 5 digits "
                                                          "(e.g. 1403 -> 01403)"))
    if name_col is not None:
        names = _jp_names(frame, name_col)
    else:
        names = codes.copy()
        result.notes.append(Issue("no_name_field", "no name field found: areas are named by their code"))
    names = names.where(names.notna(), codes)
    no_code = codes.isna().to_numpy()
    if no_code.all():
        raise BoundaryError("no_features", f"no feature has a code in {code_col or name_col!r}")
    if no_code.any():
        result.problems.append(Issue("no_code", f"{int(no_code.sum())} feature(s) without a code in "
                                                f"{code_col or name_col!r} were left out", int(no_code.sum())))
    work = gpd.GeoDataFrame({"code": codes.to_numpy(dtype=object), "name": names.to_numpy(dtype=object)},
                            geometry=frame.geometry.to_numpy(), crs=4326)[~no_code]

    # Geometry repair.
    geoms = work.geometry.to_numpy()
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        geoms = geoms.copy()
        geoms[invalid] = fixed
        examples = work["code"].to_numpy()[invalid][:20].tolist()
        result.notes.append(Issue("geometry_repaired", f"{int(invalid.sum())} invalid geometr"
                                                       f"{'y was' if invalid.sum() == 1 else 'ies were'} repaired "
                                                       "(self-intersections, bad rings)", int(invalid.sum()), examples))
    geoms = _polygons_only(geoms)
    broken = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if broken.any():
        examples = work["code"].to_numpy()[broken][:20].tolist()
        result.problems.append(Issue("geometry_unrepairable", f"{int(broken.sum())} feature(s) had no area left "
                                                              "after repair and were left out", int(broken.sum()),
                                     examples))
    work = work.set_geometry(geoms)[~broken]
    if work.empty:
        raise BoundaryError("no_features", "no feature has a usable area geometry")

    # Dissolve features sharing a code (islands, parts of a municipality).
    duplicated = work["code"].duplicated(keep=False)
    if duplicated.any():
        clashes = work[duplicated].groupby("code", sort=False)["name"].nunique()
        clashes = clashes[clashes > 1]
        if len(clashes):
            result.notes.append(Issue("names_differ", f"{len(clashes)} code(s) have features with different names; "
                                                      "the first name is used", len(clashes),
                                      clashes.index[:20].tolist()))
        before = len(work)
        work = work.dissolve(by="code", aggfunc={"name": "first"}, sort=False).reset_index()
        work = work[["code", "name", "geometry"]]
        work = work.set_geometry(shapely.make_valid(work.geometry.to_numpy(), method="structure",
                                                    keep_collapsed=False))
        result.notes.append(Issue("dissolved", f"{before} features merged into {len(work)} areas "
                                               "(features sharing a code)", before - len(work)))
    work = work.reset_index(drop=True)
    work["code"] = work["code"].astype(object)
    work["name"] = work["name"].astype(object)
    result.frame = work


# --------------------------------------------------------------------------------------------
# Drawing: simplified, rounded GeoJSON
# --------------------------------------------------------------------------------------------

def simplify(geoms, tolerance: float) -> np.ndarray:
    """Simplified geometries (array): as a coverage (shared edges stay shared) when the areas tile
    without overlaps, else each on its own with topology preserved; never empty where the input was not."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    if tolerance <= 0 or not len(geoms):
        return geoms
    out = None
    try:
        if shapely.coverage_is_valid(geoms):
            out = shapely.coverage_simplify(geoms, tolerance)
    except Exception:  # noqa: BLE001 - GEOS too old or an odd coverage: fall back
        out = None
    if out is None:
        out = shapely.simplify(geoms, tolerance, preserve_topology=True)
    bad = shapely.is_missing(out) | shapely.is_empty(out)
    if bad.any():
        out = out.copy()
        out[bad] = geoms[bad]
    return out


def _rounded(geoms: np.ndarray, precision: int) -> np.ndarray:
    import shapely

    return shapely.transform(geoms, lambda xy: np.round(xy, precision))


def geometry_json(geoms, precision: int) -> list[str]:
    """GeoJSON geometry text of each geometry, coordinates rounded to ``precision`` decimals."""
    import shapely

    return [str(s) for s in shapely.to_geojson(_rounded(np.asarray(geoms, dtype=object), precision))]


def display_features(frame, tolerance: float = DEFAULT_TOLERANCE,
                     precision: int = DEFAULT_PRECISION) -> list[tuple[str, str, str]]:
    """(code, name, geometry GeoJSON text) per area, simplified and rounded for drawing."""
    geoms = simplify(frame.geometry.to_numpy(), tolerance)
    return list(zip(frame["code"].astype(str), frame["name"].astype(str), geometry_json(geoms, precision),
                    strict=True))


def feature_collection(rows) -> str:
    """FeatureCollection text from (code, name, geometry GeoJSON text) rows; ``id`` is the code."""
    features = [
        '{"type":"Feature","id":' + json.dumps(code, ensure_ascii=False) + ',"properties":'
        + json.dumps({"code": code, "name": name}, ensure_ascii=False) + ',"geometry":' + geometry + "}"
        for code, name, geometry in rows
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def _fitted_geojson(frame, max_bytes: int, tolerance: float, precision: int) -> tuple[str | None, float]:
    tol = tolerance
    for _ in range(10):
        text = feature_collection(display_features(frame, tol, precision))
        if len(text.encode("utf-8")) <= max_bytes:
            return text, tol
        tol = tol * 2 if tol > 0 else 0.0001
    return None, tol


# --------------------------------------------------------------------------------------------
# Assigning enterprises to areas
# --------------------------------------------------------------------------------------------

def _norm_code(value) -> str | None:
    if value is None or _missing(value):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    return text or None


def _norm_codes(values) -> np.ndarray:
    """:func:`_norm_code` of each value (object array; None for missing), computed once per distinct value."""
    positions, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    keys = np.array([_norm_code(u) for u in uniques] + [None], dtype=object)
    return keys[positions]  # the sentinel -1 picks the trailing None


def points_in_polygons(lat, lon, polygons) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which polygon each point lies in: (position in ``polygons``, -1 outside every polygon or without
    usable coordinates; mask of points in more than one polygon; mask of points exactly on an outline).

    ``lat``/``lon`` are arrays of degrees; ``polygons`` an array of shapely geometries in the same
    coordinates. Where a point lies in several polygons, or on the outline shared by two, the first
    polygon counts. Vectorised without making a geometry per point: the points are sorted by
    longitude once, and each (prepared) polygon tests only the points inside its bounding box.
    """
    import shapely

    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    n = len(lat)
    found = np.full(n, -1, dtype=np.int64)
    overlapping = np.zeros(n, dtype=bool)
    on_edge = np.zeros(n, dtype=bool)
    geoms = np.asarray(polygons, dtype=object)
    located = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    if not located.any() or not len(geoms):
        return found, overlapping, on_edge
    shapely.prepare(geoms)
    bounds = shapely.bounds(geoms)
    positions = np.flatnonzero(located)
    for test in (shapely.contains_xy, shapely.intersects_xy):  # contains_xy is false on an outline
        order = positions[np.argsort(lon[positions], kind="stable")]
        xs = lon[order]
        point_parts, polygon_parts = [], []
        for k, (west, south, east, north) in enumerate(bounds):
            if not np.isfinite(west):  # a missing or empty geometry
                continue
            candidates = order[np.searchsorted(xs, west, side="left"):np.searchsorted(xs, east, side="right")]
            y = lat[candidates]
            candidates = candidates[(y >= south) & (y <= north)]
            if candidates.size:
                hits = candidates[test(geoms[k], lon[candidates], lat[candidates])]
                point_parts.append(hits)
                polygon_parts.append(np.full(hits.size, k, dtype=np.int64))
        if point_parts:
            point_at, polygon_at = np.concatenate(point_parts), np.concatenate(polygon_parts)
            order = np.lexsort((polygon_at, point_at))
            point_at, polygon_at = point_at[order], polygon_at[order]
            first = np.flatnonzero(np.r_[True, point_at[1:] != point_at[:-1]]) if point_at.size else point_at
            rows = point_at[first]
            found[rows] = polygon_at[first]
            if test is shapely.contains_xy:
                overlapping[rows[np.diff(np.r_[first, point_at.size]) > 1]] = True
            else:
                on_edge[rows] = True
        positions = positions[found[positions] < 0]
        if not positions.size:
            break
    return found, overlapping, on_edge


@dataclass
class AreaMatch:
    """The outcome of :func:`match_areas`; the arrays follow the rows of the enterprises."""

    frame: pd.DataFrame  # a copy of the enterprises with ``area`` filled in where it was missing
    issues: list[Issue]
    found: np.ndarray  # position in the boundaries of the area each row lies in; -1 outside or not located
    located: np.ndarray  # the row has usable coordinates
    given: np.ndarray  # the row names an area
    disagrees: np.ndarray  # the named area is neither the code nor the name of the area the point lies in
    overlapping: np.ndarray  # the point lies in more than one area (the first was used)
    on_edge: np.ndarray  # the point lies exactly on an outline (the first area touching it was used)

    @property
    def filled(self) -> np.ndarray:
        return ~self.given & (self.found >= 0)

    @property
    def outside(self) -> np.ndarray:
        return self.located & (self.found < 0)


def assign_areas(enterprises: pd.DataFrame, boundaries, *, lat: str = "lat", lon: str = "lon",
                 area: str = "area") -> tuple[pd.DataFrame, list[Issue]]:
    """Find the boundary polygon each enterprise's point (``lon``, ``lat``) lies in (a vectorised spatial
    join) and fill ``area`` with its code where ``area`` is missing.

    A given ``area`` that disagrees with the polygon (neither its code nor its name) is left as it is
    and reported (``area_disagrees``); so are rows outside every polygon (``outside_boundaries``) and
    rows with neither coordinates nor an area (``no_coordinates``). A point on the edge between two
    areas counts for the first. Returns (a copy of the frame, notes); each note's ``examples`` are
    row labels (for ``area_disagrees``: ``(row, given, found)``). :func:`match_areas` tells the
    same row by row.
    """
    match = match_areas(enterprises, boundaries, lat=lat, lon=lon, area=area)
    return match.frame, match.issues


def match_areas(enterprises: pd.DataFrame, boundaries, *, lat: str = "lat", lon: str = "lon",
                area: str = "area") -> AreaMatch:
    """:func:`assign_areas` with what happened to each row (see :class:`AreaMatch`)."""
    out = enterprises.copy()
    issues: list[Issue] = []
    n = len(out)
    if area not in out.columns:
        out[area] = pd.Series([None] * n, index=out.index, dtype=object)
    given = _norm_codes(out[area].to_numpy(dtype=object))
    match = AreaMatch(out, issues, found=np.full(n, -1, dtype=np.int64), located=np.zeros(n, dtype=bool),
                      given=pd.notna(given), disagrees=np.zeros(n, dtype=bool), overlapping=np.zeros(n, dtype=bool),
                      on_edge=np.zeros(n, dtype=bool))
    if boundaries is None or len(boundaries) == 0 or n == 0:
        return match
    if boundaries.crs is not None and boundaries.crs.to_epsg() != 4326:
        boundaries = boundaries.to_crs(4326)

    def degrees(column: str) -> np.ndarray:
        if column not in out:
            return np.full(n, np.nan)
        return pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    lat_a, lon_a = degrees(lat), degrees(lon)
    match.located = np.isfinite(lat_a) & np.isfinite(lon_a) & (np.abs(lat_a) <= 90) & (np.abs(lon_a) <= 180)
    match.found, match.overlapping, match.on_edge = points_in_polygons(lat_a, lon_a, boundaries.geometry.to_numpy())
    found, overlapping, on_edge = match.found, match.overlapping, match.on_edge
    codes = boundaries["code"].astype(str).to_numpy(dtype=object)
    names = boundaries["name"].astype(str).to_numpy(dtype=object) if "name" in boundaries else codes
    if overlapping.any():
        rows = out.index[overlapping]
        issues.append(Issue("overlapping_boundaries", f"{len(rows)} row(s) lie in more than one area (the "
                                                      "boundaries overlap); the first area was used",
                            len(rows), rows[:20].tolist()))
    if on_edge.any():
        rows = out.index[on_edge]
        issues.append(Issue("on_boundary_edge", f"{len(rows)} row(s) lie exactly on an area's outline; the "
                                                "first area touching it was used", len(rows), rows[:20].tolist()))
    fill = match.filled
    if fill.any():
        values = out[area].astype(object).to_numpy(copy=True)
        values[fill] = codes[found[fill]]
        filled = pd.Series(values, index=out.index)
        try:
            out[area] = filled.astype(enterprises[area].dtype) if area in enterprises.columns else filled
        except (TypeError, ValueError):  # e.g. a categorical without these codes
            out[area] = filled
        rows = out.index[fill]
        issues.append(Issue("area_filled", f"area filled in from the boundaries for {int(fill.sum())} row(s)",
                            int(fill.sum()), rows[:20].tolist()))
    check = np.flatnonzero(match.given & (found >= 0))
    if check.size:
        b = found[check]
        agree = (given[check] == _norm_codes(codes)[b]) | (given[check] == _norm_codes(names)[b])
        wrong = check[~agree]
        match.disagrees[wrong] = True
        if wrong.size:
            examples = [(_plain(out.index[i]), str(out[area].iloc[i]), str(codes[found[i]])) for i in wrong[:20]]
            issues.append(Issue("area_disagrees", f"{wrong.size} row(s) give an area that differs from the area "
                                                  "their coordinates fall in (left unchanged; check them)",
                                int(wrong.size), examples))
    outside = match.outside
    if outside.any():
        rows = out.index[outside]
        issues.append(Issue("outside_boundaries", f"{int(outside.sum())} row(s) lie outside every area of the "
                                                  "boundary file", int(outside.sum()), rows[:20].tolist()))
    lost = ~match.located & ~match.given
    if lost.any():
        rows = out.index[lost]
        issues.append(Issue("no_coordinates", f"{int(lost.sum())} row(s) have neither coordinates nor an area",
                            int(lost.sum()), rows[:20].tolist()))
    return match


__all__ = [
    "DEFAULT_GEOJSON_BYTES", "DEFAULT_TOLERANCE", "ERROR_CODES", "ISSUE_CODES", "AreaMatch", "BoundaryResult",
    "Issue", "assign_areas", "default_max_bytes", "display_features", "feature_collection", "geometry_json",
    "is_boundary_file", "match_areas", "points_in_polygons", "read_boundaries", "simplify",
]
