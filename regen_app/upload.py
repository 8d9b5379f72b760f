"""What the upload page does with uploaded bytes, without Streamlit (so tests can call it directly).

An upload is one or more files: an enterprise list and/or yearly figures, an areas table, and an
optional postcode lookup table. :func:`detect` reads each file once to tell what it holds;
:func:`read` reads a data file for good (with the chosen kind, the corrected mapping, the postcode
table and areas); :func:`collect` turns the results into the tables of one new store version, or
says why it cannot; :func:`save` writes that version (draft or published) with the files' names
and SHA-256 checksums, the signed-in analyst as the actor.

Results are memoised in a small dict the caller keeps (the page keeps it in session state), so a
rerun after a click does not read every file again.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.engine import Engine

from regen import export, store
from regen.ingest import IngestError, IngestResult, read_postcodes, read_table
from regen.ingest.mapping import FIELDS, KIND_FIELDS

KINDS: tuple[str, ...] = ("enterprises", "figures", "areas")
ROLES: tuple[str, ...] = (*KINDS, "postcodes")
POSTCODE_FIELDS = frozenset({"postcode", "lat", "lon", "region", "area", "ward"})
MEMO_ENTRIES = 24
RESERVED = frozenset({"sample"})  # the built-in illustrative dataset's name


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
    role: str | None  # a kind, "postcodes", or None when it could not be told
    result: IngestResult  # the first reading (kind detected, mapping proposed)
    postcodes: pd.DataFrame | None = None  # the lookup table, when role == "postcodes"
    postcode_error: str | None = None

    @property
    def error(self) -> str | None:
        return self.result.error if self.role != "postcodes" else None


def _frame_digest(frame: pd.DataFrame | None) -> str | None:
    if frame is None:
        return None
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
                          + "\x1f".join(map(str, frame.columns)).encode()).hexdigest()[:16]


def _remember(memo: MutableMapping, key: tuple, value):
    memo[key] = value
    if isinstance(memo, OrderedDict):
        memo.move_to_end(key)
    while len(memo) > MEMO_ENTRIES:
        memo.pop(next(iter(memo)))
    return value


def read(upload: Upload, *, kind: str | None = None, mapping: Mapping[str, str | None] | None = None,
         postcodes: pd.DataFrame | None = None, areas: pd.DataFrame | None = None, country: str | None = None,
         year: int | None = None, memo: MutableMapping | None = None) -> IngestResult:
    """``regen.ingest.read_table`` on an upload's bytes, memoised in ``memo`` (never raises)."""
    mapped = None if mapping is None else tuple(sorted((str(k), v or "") for k, v in mapping.items()))
    key = ("read", upload.key, kind, mapped, _frame_digest(postcodes), _frame_digest(areas), country, year)
    if memo is not None and key in memo:
        return memo[key]
    result = read_table(upload.data, name=upload.name, kind=kind, mapping=None if mapping is None else dict(mapping),
                        postcodes=postcodes, areas=areas, country=country, year=year)
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


def detect(upload: Upload, memo: MutableMapping | None = None) -> Detection:
    """Read ``upload`` once to tell what it holds."""
    first = read(upload, memo=memo)
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


@dataclass
class Batch:
    """The tables of one new version, or the reasons (``blockers``) it cannot be stored."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    file_names: list[str] = field(default_factory=list)
    checksums: list[str] = field(default_factory=list)
    blockers: list[tuple[str, str]] = field(default_factory=list)  # (code, file name or kind)
    problem_rows: int = 0
    derived_figures: bool = False  # figures taken from the enterprise list

    @property
    def ok(self) -> bool:
        return not self.blockers and bool(self.frames)

    @property
    def note(self) -> str | None:
        parts = []
        if self.problem_rows:
            parts.append(f"{self.problem_rows} row(s) with problems left out")
        if self.derived_figures:
            parts.append("figures taken from the enterprise list")
        return "; ".join(parts) or None


def collect(reads: Sequence[tuple[Upload, str | None, IngestResult | None]]) -> Batch:
    """Turn ``(upload, role, result)`` triples into a :class:`Batch`.

    ``result`` is None for postcode tables (used while reading, not stored, but listed as a source).
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
        if role == "enterprises" and isinstance(result.figures, pd.DataFrame) and not result.figures.empty:
            derived = result.figures
    if derived is not None and "figures" not in seen and "enterprises" in batch.frames:
        batch.frames["figures"] = derived.reset_index(drop=True)
        batch.derived_figures = True
    if not batch.frames and not batch.blockers:
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


def save(engine: Engine, batch: Batch, dataset: str, *, actor: str, publish: bool) -> int:
    """Store ``batch`` as a new version of ``dataset`` (published at once if ``publish``); its number.

    Raises :class:`regen.store.StoreError` (nothing is written then)."""
    if not batch.ok:
        raise store.StoreError("nothing to store: " + ", ".join(code for code, _ in batch.blockers))
    if check_name(dataset):
        raise store.StoreError(f"invalid dataset name {dataset!r}")
    return store.create_version(engine, dataset.strip(), batch.frames, actor=actor,
                                file_name=", ".join(batch.file_names), checksum=",".join(batch.checksums),
                                publish=publish, note=batch.note)


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
