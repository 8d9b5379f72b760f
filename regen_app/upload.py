"""What the upload page does with uploaded bytes, without Streamlit (so tests can call it directly).

An upload is one or more files: an enterprise list and/or yearly figures, an areas table, an
optional postcode lookup table and optional boundary files (GeoJSON, GeoPackage, zipped Shapefile).
:func:`detect` reads each file once to tell what it holds; :func:`combine_boundaries` joins the
areas of the boundary files; :func:`read` reads a data file for good (with the chosen kind, the
corrected mapping, the postcode table, areas and boundaries); :func:`collect` turns the results
into the tables (and outlines) of one new store version, or says why it cannot; :func:`save` writes
that version (draft or published) with the files' names and SHA-256 checksums, the signed-in
analyst as the actor, and remembers in the store the column mappings the analyst corrected
(:func:`recall` proposes them again, in any later session, for files of the same shape), with the
codes the analyst chose for values of categorical fields (:func:`recall_values`).

The Values step: :func:`value_frames` gives, per categorical field of a reading, each distinct value
with its rows, code and proposed code in a stable order; :func:`edited_codes` applies a Values
table's edits to it and :func:`value_choices` turns the codes into the choices to read the file
with (``read(..., values=...)``).

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

import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from regen import export, imports, store
from regen.imports import Batch, check_name, check_target  # noqa: F401 - the page's names for them
from regen.boundaries import BoundaryResult, is_boundary_file, read_boundaries
from regen.ingest import IngestError, IngestResult, read_postcodes, read_table
from regen.ingest import values as vmap
from regen.ingest.mapping import FIELDS, KIND_FIELDS, fit_mapping, norm, rememberable

log = logging.getLogger(__name__)
KINDS: tuple[str, ...] = ("enterprises", "figures", "areas")
ROLES: tuple[str, ...] = (*KINDS, "postcodes")  # what a table can hold (boundary files are told by their type)
POSTCODE_FIELDS = frozenset({"postcode", "lat", "lon", "region", "area", "ward"})
MEMO_ENTRIES = 24
MEMO_ROWS = 4_000_000  # rows held by the results a session remembers (a 1M-row list: about 0.3 GB)
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
    if getattr(frame, "key", None):  # the store's postcode table (a lookup): named by its save
        return str(frame.key)
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
              region=None, year=None, values=None, enterprises=None) -> tuple:
    mapped = None if mapping is None else tuple(sorted((str(k), v or "") for k, v in mapping.items()))
    chosen = tuple(sorted((f, v, c) for f, codes in values.items() for v, c in codes.items())) if values else None
    return ("read", upload.key, kind, mapped, _frame_digest(postcodes), _frame_digest(areas),
            boundaries.key if boundaries is not None else None, country, region, year, chosen,
            _frame_digest(enterprises))


def read(upload: Upload, *, kind: str | None = None, mapping: Mapping[str, str | None] | None = None,
         postcodes: pd.DataFrame | None = None, areas: pd.DataFrame | None = None,
         boundaries: BoundarySet | None = None, country: str | None = None, region: str | None = None,
         year: int | None = None, values: Mapping[str, Mapping[str, str]] | None = None,
         enterprises: pd.DataFrame | None = None, memo: MutableMapping | None = None) -> IngestResult:
    """``regen.ingest.read_table`` on an upload's bytes, memoised in ``memo`` (never raises).

    ``boundaries`` (unless its codes clash) give rows with coordinates and no area the area they lie in;
    ``values`` are the analyst's value choices ({field: {value as written: code}}; unknown codes left out);
    ``enterprises`` those a figures file is read against (:func:`regen.imports.figure_context`)."""
    if boundaries is not None and boundaries.result is None:
        boundaries = None
    values = vmap.check_values(values)[0] if values else {}
    key = _read_key(upload, kind, mapping, postcodes, areas, boundaries, country, region, year, values, enterprises)
    remembered = _recall(memo, key)
    if remembered is not None:
        return remembered
    result = read_table(upload.data, name=upload.name, kind=kind, mapping=None if mapping is None else dict(mapping),
                        postcodes=postcodes, areas=areas, boundaries=None if boundaries is None else boundaries.result,
                        country=country, region=region, year=year, **({"values": values} if values else {}),
                        **({"enterprises": enterprises} if enterprises is not None else {}))
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
    joined, clashes = imports.join_boundaries([(u.name, r) for u, r in usable])
    combined = BoundarySet(joined, key, clashes)
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


# Schema columns an import does not read from a file (yet): not offered in the mapping editor, where a
# choice would be dropped without a word. ``description_ja`` comes with the built-in sample.
NOT_READ = frozenset({"description_ja"})


def field_options(kind: str | None) -> list[str]:
    """What a column of a ``kind`` table can be mapped to: not read (IGNORE), or one of its fields."""
    return [IGNORE, *(f for f in (KIND_FIELDS.get(kind, FIELDS) if kind else FIELDS) if f not in NOT_READ)]


IGNORE = "ignore"  # the mapping editor's choice for a column no field is read from


def mapping_frame(result: IngestResult) -> pd.DataFrame:
    """The editable mapping: one row per file column (personal-data columns left out: never read), the
    field (IGNORE for a column not read) and a few of the column's values, to recognise it by."""
    excluded = {e["column"] for e in result.excluded_columns}
    samples = getattr(result, "samples", None) or {}
    rows = [(str(column), fld or IGNORE, " · ".join(samples.get(column, ())))
            for column, fld in result.mapping.items() if column not in excluded]
    return pd.DataFrame(rows, columns=["column", "field", "examples"]).astype(object)


def mapping_from_frame(frame: pd.DataFrame) -> dict[str, str | None]:
    """The mapping an edited :func:`mapping_frame` describes (IGNORE or an empty cell: column not read)."""
    out: dict[str, str | None] = {}
    for column, fld in zip(frame["column"], frame["field"], strict=True):
        out[str(column)] = fld if isinstance(fld, str) and fld and fld != IGNORE else None
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


def recall_values(engine: Engine, result: IngestResult, kind: str,
                  session: Mapping[tuple[str, str], Mapping[str, Mapping[str, str]]]) -> dict[str, dict[str, str]]:
    """The value choices remembered for files of ``result``'s shape read as ``kind``: this session's, else
    the ones stored by an earlier save (any session); ``{}`` when there are none (or the store cannot say)."""
    signature = result.signature
    if not signature:
        return {}
    if (signature, kind) in session:
        return vmap.merge_values(session[(signature, kind)], None)
    try:
        return store.recall_values(engine, signature, kind)
    except STORE_ERRORS as err:
        log.warning("cannot recall the value choices of %s (%s): %s", signature, kind, err)
        return {}


# ---- the Values step ----------------------------------------------------------------------------

def value_frames(result: IngestResult | None) -> dict[str, pd.DataFrame]:
    """The values a reading found, per categorical field (:data:`regen.ingest.values.FIELDS` order):
    columns value (as written; "" for blank cells), count, code, proposed, mapped; rows by count, most
    first, then by value, so that a row keeps its place whatever codes are chosen. Fields the reading
    reports no values for (or a reading without value reports) are left out."""
    found = getattr(result, "values", None) or {}
    out: dict[str, pd.DataFrame] = {}
    for fld in vmap.FIELDS:
        frame = found.get(fld)
        if not isinstance(frame, pd.DataFrame) or frame.empty or not {"value", "code", "proposed"} <= set(frame):
            continue
        value = frame["value"].astype(object).where(frame["value"].notna(), "").map(lambda v: str(v).strip())
        count = (pd.to_numeric(frame["count"], errors="coerce").fillna(0).astype("int64") if "count" in frame
                 else pd.Series(0, index=frame.index, dtype="int64"))
        code = frame["code"].astype(object).where(frame["code"].notna(), "").map(str)
        proposed = frame["proposed"].astype(object).where(frame["proposed"].notna(), "").map(str)
        mapped = (frame["mapped"].map(lambda m: bool(m) if m is not None and m == m else False) if "mapped" in frame
                  else code != proposed)
        tidy = pd.DataFrame({"value": value, "count": count, "code": code, "proposed": proposed, "mapped": mapped})
        out[fld] = tidy.sort_values(["count", "value"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return out


def rows_digest(frame: pd.DataFrame) -> str:
    """Identifies the rows of a values frame (which values, in which order): a Values table's edits
    belong to those rows, so a table with other rows (after a mapping change) starts afresh."""
    return hashlib.sha256("\x1f".join(frame["value"]).encode("utf-8")).hexdigest()[:12]


def edited_codes(frame: pd.DataFrame, fld: str, editing: Mapping | None) -> list[str]:
    """The code of each row of ``frame`` (from :func:`value_frames`) once a Values table's edits are
    applied (``editing``: the table's state, ``{"edited_rows": {row: {"code": code}}, ...}``); an edit
    to no code, or to one ``fld`` does not allow, leaves the row's code as it was. The file is read with
    one code per value however it is written ("Society", "society"): an edit of one spelling is the
    code of all (of two edited spellings, the later row's)."""
    codes = list(frame["code"])
    allowed = set(vmap.allowed_codes(fld))
    edits = editing.get("edited_rows") if isinstance(editing, Mapping) else None
    chosen: dict[str, str] = {}
    for row, change in sorted((edits or {}).items(), key=lambda item: str(item[0]).zfill(12)):
        try:
            i = int(row)
        except (TypeError, ValueError):
            continue
        code = change.get("code") if isinstance(change, Mapping) else None
        if 0 <= i < len(codes) and code in allowed:
            chosen[norm(frame["value"].iat[i])] = code
    return [chosen.get(norm(value), code) for value, code in zip(frame["value"], codes, strict=True)]


def edited_rows(editing: Mapping | None) -> set[int]:
    """The rows a Values table's edits (its state, see :func:`edited_codes`) changed."""
    edits = editing.get("edited_rows") if isinstance(editing, Mapping) else None
    rows = set()
    for row in edits or {}:
        try:
            rows.add(int(row))
        except (TypeError, ValueError):
            continue
    return rows


def value_choices(frames: Mapping[str, pd.DataFrame],
                  codes: Mapping[str, Sequence[str]] | None = None) -> dict[str, dict[str, str]]:
    """The choices to read a file with: ``{field: {value: code}}`` for the rows whose code (``codes[field]``
    when given, one per row of ``frames[field]``; else the frame's own) is not the proposed one."""
    out: dict[str, dict[str, str]] = {}
    for fld, frame in frames.items():
        chosen = list(codes[fld]) if codes and fld in codes else list(frame["code"])
        for value, code, proposed in zip(frame["value"], chosen, frame["proposed"], strict=True):
            if code and code != proposed:
                out.setdefault(fld, {})[value] = code
    return vmap.check_values(out)[0]


def collect(reads: Sequence[tuple[Upload, str | None, IngestResult | BoundaryResult | None]],
            boundaries: BoundarySet | None = None) -> Batch:
    """:func:`regen.imports.collect` for the uploads (their combined boundary files in ``boundaries``)."""
    if boundaries is None:
        return imports.collect(reads)
    return imports.collect(reads, boundaries.result, boundaries.clashes)


def save(engine: Engine, batch: Batch, dataset: str, *, actor: str, publish: bool,
         memo: MutableMapping | None = None) -> int:
    """Store ``batch`` as a new version of ``dataset`` (published at once if ``publish``); its number.

    Then remembers the corrected mappings (:func:`remember_mappings`). Raises
    :class:`regen.store.StoreError` when the version cannot be stored (nothing is written then)."""
    number = imports.store_batch(engine, batch, dataset, actor=actor, publish=publish)
    remember_mappings(engine, batch, actor=actor, memo=memo)
    return number


def remember_mappings(engine: Engine, batch: Batch, *, actor: str, memo: MutableMapping | None = None) -> list[str]:
    """Store the mapping of each table in ``batch`` whose next upload would otherwise start from another
    one (the stored mapping, or the automatic proposal when none is stored), or whose value choices
    differ from those stored (:func:`regen.ingest.values.values_to_remember`); the signatures stored.

    A failure is logged and skipped: the version is saved already."""
    stored_now = []
    for upload, kind, signature, corrected in batch.mappings:
        mapping = rememberable(corrected)
        if mapping is None:
            continue
        try:
            before = store.recall_mapping(engine, signature, kind)
            before_values = store.recall_values(engine, signature, kind) if before is not None else {}
            if before is not None:
                before = fit_mapping(before, corrected)
            else:
                before = read(upload, kind=kind, memo=memo).mapping  # what the file gets without memory
            found = batch.values.get((signature, kind))
            values = vmap.values_to_remember(before_values, found) if found else None  # None: keep the stored
            if same_mapping(mapping, before) and (values is None or vmap.same_values(values, before_values)):
                continue
            store.remember_mapping(engine, signature, kind, mapping, actor=actor, values=values)
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
