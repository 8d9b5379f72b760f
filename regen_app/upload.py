"""What the upload page does with uploaded bytes, without Streamlit (so tests can call it directly).

An upload is one or more files: an enterprise list and/or yearly figures, an areas table, an
optional postcode lookup table and optional boundary files (GeoJSON, GeoPackage, zipped Shapefile).
:func:`detect` reads each file once to tell what it holds; :func:`combine_boundaries` joins the
areas of the boundary files; :func:`read` reads a data file for good (with the chosen kind, the
corrected mapping, the postcode table, areas and boundaries); :func:`collect` turns the results
into the tables (and outlines) of one new store version, or says why it cannot; :func:`save` writes
that version (draft or published) with the files' names and SHA-256 checksums, the signed-in
analyst as the actor, and remembers in the store the column mappings the analyst corrected
(:func:`recall` proposes them again, in any later session, for files of the same shape).

Results are memoised in a small dict the caller keeps (the page keeps it in session state), so a
rerun after a click does not read every file again.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePath
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from regen import export, store
from regen.boundaries import BoundaryResult, is_boundary_file, read_boundaries
from regen.dataset import known_figures
from regen.ingest import IngestError, IngestResult, read_postcodes, read_table
from regen.ingest.mapping import FIELDS, KIND_FIELDS, fit_mapping, rememberable

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)
KINDS: tuple[str, ...] = ("enterprises", "figures", "areas")
ROLES: tuple[str, ...] = (*KINDS, "postcodes")  # what a table can hold (boundary files are told by their type)
POSTCODE_FIELDS = frozenset({"postcode", "lat", "lon", "region", "area", "ward"})
MAX_CLASHES_SHOWN = 10
MEMO_ENTRIES = 24
MEMO_ROWS = 4_000_000  # rows held by the results a session remembers (a 1M-row list: about 0.3 GB)
RESERVED = frozenset({"sample"})  # the built-in illustrative dataset's name
STORE_ERRORS = (store.StoreError, SQLAlchemyError)


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name, bytes and their SHA-256 (computed once)."""

    name: str
    data: bytes = field(repr=False)
    checksum: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.checksum:
            object.__setattr__(self, "checksum", hashlib.sha256(self.data).hexdigest())

    @property
    def key(self) -> str:
        """Identifies the file within an upload (same bytes under two names are two files)."""
        return hashlib.sha256(f"{self.name}\0{self.checksum}".encode()).hexdigest()[:16]


@dataclass
class Detection:
    """What the first reading of a file found."""

    upload: Upload
    role: str | None  # a kind, "postcodes", "boundaries", or None when it could not be told
    result: IngestResult | None  # the first reading (kind detected, mapping proposed); None for boundaries
    postcodes: pd.DataFrame | None = None  # the lookup table, when role == "postcodes"
    postcode_error: str | None = None
    boundaries: BoundaryResult | None = None  # the areas read, when role == "boundaries"

    @property
    def error(self) -> str | None:
        if self.role == "boundaries":
            return self.boundaries.error
        return self.result.error if self.role != "postcodes" else None


@dataclass
class BoundarySet:
    """The areas of an upload's boundary files, combined (one file's result as it is, several joined).

    ``result`` is None when area codes clash between the files (``clashes`` lists them); ``key``
    identifies the files, so that readings against these boundaries can be memoised."""

    result: BoundaryResult | None
    key: str
    clashes: list[str] = field(default_factory=list)

    @property
    def areas(self) -> int:
        return 0 if self.result is None else self.result.areas

    @cached_property
    def geojson(self) -> dict | None:
        """The outlines for drawing (simplified, of bounded size; computed once)."""
        return None if self.result is None else self.result.to_geojson()


def _frame_digest(frame: pd.DataFrame | None) -> str | None:
    if frame is None:
        return None
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
                          + "\x1f".join(map(str, frame.columns)).encode()).hexdigest()[:16]


def _rows(value) -> int:
    """Rows a remembered value holds: what its memory grows with."""
    if isinstance(value, IngestResult):
        return int(value.rows_read)
    if isinstance(value, tuple) and value and isinstance(value[0], pd.DataFrame):
        return len(value[0])  # a postcode table
    return 0


def _remember(memo: MutableMapping, key: tuple, value):
    memo[key] = value
    if isinstance(memo, OrderedDict):
        memo.move_to_end(key)
    while len(memo) > 1 and (len(memo) > MEMO_ENTRIES
                             or sum(map(_rows, {id(v): v for v in memo.values()}.values())) > MEMO_ROWS):
        memo.pop(next(iter(memo)))  # the least recently used
    return value


def _recall(memo: MutableMapping | None, key: tuple):
    """``memo[key]``, now the most recently used, or None."""
    if memo is None or key not in memo:
        return None
    if isinstance(memo, OrderedDict):
        memo.move_to_end(key)
    return memo[key]


def forget_others(memo: MutableMapping, uploads: Sequence[Upload]) -> None:
    """Drop what was read from files that are no longer chosen (a large file's results are large)."""
    keep = {u.key for u in uploads}
    for key in [k for k in memo if k[0] in ("read", "postcodes", "boundaries") and k[1] not in keep]:
        del memo[key]


def _read_key(upload: Upload, kind=None, mapping=None, postcodes=None, areas=None, boundaries=None, country=None,
              region=None, year=None) -> tuple:
    mapped = None if mapping is None else tuple(sorted((str(k), v or "") for k, v in mapping.items()))
    return ("read", upload.key, kind, mapped, _frame_digest(postcodes), _frame_digest(areas),
            boundaries.key if boundaries is not None else None, country, region, year)


def read(upload: Upload, *, kind: str | None = None, mapping: Mapping[str, str | None] | None = None,
         postcodes: pd.DataFrame | None = None, areas: pd.DataFrame | None = None,
         boundaries: BoundarySet | None = None, country: str | None = None, region: str | None = None,
         year: int | None = None, memo: MutableMapping | None = None) -> IngestResult:
    """``regen.ingest.read_table`` on an upload's bytes, memoised in ``memo`` (never raises).

    ``boundaries`` (unless its codes clash) give rows with coordinates and no area the area they lie in."""
    if boundaries is not None and boundaries.result is None:
        boundaries = None
    key = _read_key(upload, kind, mapping, postcodes, areas, boundaries, country, region, year)
    remembered = _recall(memo, key)
    if remembered is not None:
        return remembered
    result = read_table(upload.data, name=upload.name, kind=kind, mapping=None if mapping is None else dict(mapping),
                        postcodes=postcodes, areas=areas, boundaries=None if boundaries is None else boundaries.result,
                        country=country, region=region, year=year)
    return _remember(memo, key, result) if memo is not None else result


def read_postcode_table(upload: Upload, memo: MutableMapping | None = None) -> tuple[pd.DataFrame | None, str | None]:
    """The postcode lookup table in ``upload``, or (None, error message)."""
    key = ("postcodes", upload.key)
    if memo is not None and key in memo:
        return memo[key]
    try:
        value = (read_postcodes(upload.data, name=upload.name), None)
    except IngestError as err:
        value = (None, err.message)
    except Exception as err:  # noqa: BLE001 - a message, never a traceback
        value = (None, f"the postcode table cannot be read ({type(err).__name__})")
    return _remember(memo, key, value) if memo is not None else value


def looks_like_postcodes(result: IngestResult, name: str) -> bool:
    """A table of postcodes with coordinates (and nothing about enterprises)?"""
    if result.error:
        return False
    fields = {f for f in result.mapping.values() if f}
    named = bool(re.search(r"postcode|post_code|pcd|zip|郵便", name, re.IGNORECASE))
    if {"lat", "lon"} <= fields and fields <= POSTCODE_FIELDS and "postcode" in fields:
        return True
    return named and fields <= POSTCODE_FIELDS


def is_boundary_upload(upload: Upload) -> bool:
    """A boundary file (:func:`regen.boundaries.is_boundary_file`), or any .json or GeoPackage content:
    read as boundaries, so that a broken one is reported as such; a zipped CSV is a table."""
    if PurePath(upload.name).suffix.lower() == ".json" or upload.data.startswith(b"SQLite format 3\x00"):
        return True
    return is_boundary_file(upload.data, name=upload.name)


def read_boundary_file(upload: Upload, memo: MutableMapping | None = None) -> BoundaryResult:
    """``regen.boundaries.read_boundaries`` on an upload's bytes, memoised in ``memo`` (never raises)."""
    key = ("boundaries", upload.key)
    if memo is not None and key in memo:
        return memo[key]
    result = read_boundaries(upload.data, name=upload.name)
    return _remember(memo, key, result) if memo is not None else result


def combine_boundaries(files: Sequence[tuple[Upload, BoundaryResult]],
                       memo: MutableMapping | None = None) -> BoundarySet | None:
    """The areas of the readable boundary files as one :class:`BoundarySet` (None when there are none).

    Several files are joined when no area code appears in more than one of them; otherwise the set
    has no result and lists the clashing codes."""
    usable = [(u, r) for u, r in files if r.error is None and r.areas]
    if not usable:
        return None
    key = hashlib.sha256("\0".join(sorted(u.key for u, _ in usable)).encode()).hexdigest()[:16]
    if memo is not None and ("boundary_set", key) in memo:
        return memo[("boundary_set", key)]
    if len(usable) == 1:
        combined = BoundarySet(usable[0][1], key)
    else:
        codes = pd.concat([r.frame["code"].astype(str) for _, r in usable], ignore_index=True)
        clashes = sorted(set(codes[codes.duplicated()]))
        if clashes:
            combined = BoundarySet(None, key, clashes)
        else:
            frame = pd.concat([r.frame for _, r in usable], ignore_index=True)
            combined = BoundarySet(BoundaryResult(frame=frame, file_name=", ".join(u.name for u, _ in usable),
                                                  features_read=sum(r.features_read for _, r in usable)), key)
    return _remember(memo, ("boundary_set", key), combined) if memo is not None else combined


def detect(upload: Upload, memo: MutableMapping | None = None) -> Detection:
    """Read ``upload`` once to tell what it holds."""
    if is_boundary_upload(upload):
        return Detection(upload, "boundaries", None, boundaries=read_boundary_file(upload, memo))
    first = read(upload, memo=memo)
    if memo is not None and first.kind and first.error is None:
        _remember(memo, _read_key(upload, kind=first.kind), first)  # read as that kind, the file gives the same
    if looks_like_postcodes(first, upload.name):
        table, error = read_postcode_table(upload, memo)
        if table is not None:
            return Detection(upload, "postcodes", first, postcodes=table)
        return Detection(upload, first.kind, first, postcode_error=error)
    return Detection(upload, first.kind, first)


def field_options(kind: str | None) -> list[str]:
    """Fields a column of a ``kind`` table can be mapped to."""
    return list(KIND_FIELDS.get(kind, FIELDS)) if kind else list(FIELDS)


def mapping_frame(result: IngestResult) -> pd.DataFrame:
    """The editable mapping: one row per file column (personal-data columns left out: never read)."""
    excluded = {e["column"] for e in result.excluded_columns}
    rows = [(str(column), fld) for column, fld in result.mapping.items() if column not in excluded]
    return pd.DataFrame(rows, columns=["column", "field"]).astype({"column": object, "field": object})


def mapping_from_frame(frame: pd.DataFrame) -> dict[str, str | None]:
    """The mapping an edited :func:`mapping_frame` describes (empty cells: column ignored)."""
    out: dict[str, str | None] = {}
    for column, fld in zip(frame["column"], frame["field"], strict=True):
        out[str(column)] = fld if isinstance(fld, str) and fld else None
    return out


def same_mapping(a: Mapping[str, str | None], b: Mapping[str, str | None]) -> bool:
    keys = set(a) | set(b)
    return all((a.get(k) or None) == (b.get(k) or None) for k in keys)


def recall(engine: Engine, result: IngestResult, kind: str,
           session: Mapping[tuple[str, str], Mapping[str, str | None]]) -> dict[str, str | None] | None:
    """The mapping remembered for files of ``result``'s shape read as ``kind``: this session's correction,
    else the one stored by an earlier save (any session), keyed by this file's own headers; None when
    there is neither (or the store cannot say)."""
    signature = result.signature
    if not signature:
        return None
    if (signature, kind) in session:
        return dict(session[(signature, kind)])
    try:
        remembered = store.recall_mapping(engine, signature, kind)
    except STORE_ERRORS as err:
        log.warning("cannot recall the mapping of %s (%s): %s", signature, kind, err)
        return None
    return None if remembered is None else fit_mapping(remembered, result.headers)


@dataclass
class Batch:
    """The tables (and outlines) of one new version, or the reasons (``blockers``) it cannot be stored."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    boundaries: gpd.GeoDataFrame | None = None  # areas (code, name, geometry) from the boundary files
    file_names: list[str] = field(default_factory=list)
    checksums: list[str] = field(default_factory=list)
    blockers: list[tuple[str, str]] = field(default_factory=list)  # (code, file name, kind or area codes)
    problem_rows: int = 0
    derived_figures: bool = False  # figures taken from the enterprise list
    unknown_figures: int = 0  # figure rows naming no enterprise of the batch: reported and left out
    # (upload, kind, signature, mapping) of each table, for remembering corrected mappings
    mappings: list[tuple[Upload, str, str, dict[str, str | None]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.blockers and (bool(self.frames) or self.boundaries is not None)

    @property
    def note(self) -> str | None:
        parts = []
        if self.problem_rows:
            parts.append(f"{self.problem_rows} row(s) with problems left out")
        if self.derived_figures:
            parts.append("figures taken from the enterprise list")
        if self.unknown_figures:
            parts.append(f"{self.unknown_figures} figure row(s) naming no known enterprise left out")
        return "; ".join(parts) or None


def collect(reads: Sequence[tuple[Upload, str | None, IngestResult | BoundaryResult | None]],
            boundaries: BoundarySet | None = None) -> Batch:
    """Turn ``(upload, role, result)`` triples into a :class:`Batch`.

    ``result`` is None for postcode tables (used while reading, not stored, but listed as a source)
    and a :class:`~regen.boundaries.BoundaryResult` for boundary files, whose areas (combined in
    ``boundaries``) are stored with the version.
    """
    batch = Batch()
    seen: dict[str, str] = {}
    derived = None
    for upload, role, result in reads:
        batch.file_names.append(upload.name)
        batch.checksums.append(upload.checksum)
        if role == "postcodes":
            continue
        if result is None or result.error:
            batch.blockers.append(("unreadable", upload.name))
            continue
        if role == "boundaries":
            continue
        if role not in KINDS:
            batch.blockers.append(("no_kind", upload.name))
            continue
        if role in seen:
            batch.blockers.append(("same_kind", role))
            continue
        seen[role] = upload.name
        if result.rows_accepted == 0 or result.accepted is None or result.accepted.empty:
            batch.blockers.append(("no_rows", upload.name))
            continue
        batch.frames[role] = result.accepted.reset_index(drop=True)
        batch.problem_rows += int(result.rows_rejected)
        if result.signature:
            excluded = {e["column"] for e in result.excluded_columns}
            batch.mappings.append((upload, role, result.signature,
                                   {c: f for c, f in result.mapping.items() if c not in excluded}))
        if role == "enterprises" and isinstance(result.figures, pd.DataFrame) and not result.figures.empty:
            derived = result.figures
    if derived is not None and "figures" not in seen and "enterprises" in batch.frames:
        batch.frames["figures"] = derived.reset_index(drop=True)
        batch.derived_figures = True
    if "figures" in batch.frames and "enterprises" in batch.frames:
        batch.frames["figures"], batch.unknown_figures = known_figures(batch.frames["figures"],
                                                                       batch.frames["enterprises"])
    if boundaries is not None and boundaries.clashes:
        shown = ", ".join(boundaries.clashes[:MAX_CLASHES_SHOWN])
        batch.blockers.append(("boundary_clash", shown + (" …" if len(boundaries.clashes) > MAX_CLASHES_SHOWN
                                                          else "")))
    elif boundaries is not None:
        batch.boundaries = boundaries.result.frame
    if not batch.frames and batch.boundaries is None and not batch.blockers:
        batch.blockers.append(("nothing", ""))
    return batch


def check_name(name: str) -> str | None:
    """Why ``name`` cannot be a dataset name (an i18n code), or None."""
    name = (name or "").strip()
    if not name:
        return "name_missing"
    if name.lower() in RESERVED:
        return "name_reserved"
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", name):
        return "name_invalid"
    return None


def check_target(engine: Engine, batch: Batch, dataset: str) -> str | None:
    """Why ``batch`` cannot become a version of ``dataset`` (an i18n code), or None: a bad name, or
    boundaries alone for a dataset without any version to take the tables from."""
    problem = check_name(dataset)
    if problem or batch.frames:
        return problem
    return "boundaries_alone" if store.list_versions(engine, dataset.strip()).empty else None


def save(engine: Engine, batch: Batch, dataset: str, *, actor: str, publish: bool,
         memo: MutableMapping | None = None) -> int:
    """Store ``batch`` as a new version of ``dataset`` (published at once if ``publish``); its number.

    Then remembers the corrected mappings (:func:`remember_mappings`). Raises
    :class:`regen.store.StoreError` when the version cannot be stored (nothing is written then)."""
    if not batch.ok:
        raise store.StoreError("nothing to store: " + ", ".join(code for code, _ in batch.blockers))
    problem = check_target(engine, batch, dataset)
    if problem:
        raise store.StoreError(f"cannot store this upload as {dataset!r}: {problem.replace('_', ' ')}")
    number = store.create_version(engine, dataset.strip(), batch.frames, actor=actor,
                                  file_name=", ".join(batch.file_names), checksum=",".join(batch.checksums),
                                  publish=publish, note=batch.note, boundaries=batch.boundaries)
    remember_mappings(engine, batch, actor=actor, memo=memo)
    return number


def remember_mappings(engine: Engine, batch: Batch, *, actor: str, memo: MutableMapping | None = None) -> list[str]:
    """Store the mapping of each table in ``batch`` whose next upload would otherwise start from another
    one (the stored mapping, or the automatic proposal when none is stored); the signatures stored.

    A failure is logged and skipped: the version is saved already."""
    stored_now = []
    for upload, kind, signature, corrected in batch.mappings:
        mapping = rememberable(corrected)
        if mapping is None:
            continue
        try:
            before = store.recall_mapping(engine, signature, kind)
            if before is not None:
                before = fit_mapping(before, corrected)
            else:
                before = read(upload, kind=kind, memo=memo).mapping  # what the file gets without memory
            if same_mapping(mapping, before):
                continue
            store.remember_mapping(engine, signature, kind, mapping, actor=actor)
            stored_now.append(signature)
        except STORE_ERRORS as err:
            log.warning("cannot remember the mapping of %s (%s): %s", upload.name, kind, err)
    return stored_now


def preview_points(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Enterprises that would be published, located, with their latest employees (0 when unknown)."""
    ent = frames.get("enterprises")
    if ent is None or ent.empty:
        return pd.DataFrame(columns=["enterprise_id", "name", "lat", "lon", "employees", "sector", "legal_form"])
    ent = ent.reset_index(drop=True)
    fig = frames.get("figures")
    employees = pd.Series(0, index=ent.index, dtype="int64")
    if fig is not None and not fig.empty and "employees" in fig:
        latest = (fig.dropna(subset=["employees"]).sort_values(["enterprise_id", "year"])
                  .drop_duplicates("enterprise_id", keep="last").set_index("enterprise_id")["employees"])
        employees = ent["enterprise_id"].map(latest).fillna(0).astype("int64")
    points = ent.assign(employees=employees)
    located = points["lat"].notna() & points["lon"].notna()
    return points[located].reset_index(drop=True)


def precision_counts(enterprises: pd.DataFrame | None) -> pd.DataFrame:
    """Enterprises by location precision (exact, postcode, place, area, none)."""
    if enterprises is None or enterprises.empty:
        return pd.DataFrame({"precision": [], "enterprises": []})
    values = enterprises["geo_precision"].astype(object).where(enterprises["lat"].notna(), None).fillna("none")
    counts = values.value_counts()
    order = [c for c in ("exact", "postcode", "place", "area", "none") if c in counts.index]
    order += sorted(set(counts.index) - set(order))
    return pd.DataFrame({"precision": order, "enterprises": [int(counts[c]) for c in order]})


def report_csv(report: pd.DataFrame) -> bytes:
    """A problems table as CSV (UTF-8 with BOM; spreadsheet formulas neutralised)."""
    return export.to_csv_bytes(report)
