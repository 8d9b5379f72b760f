"""One import workflow: the files of one upload (or one ``python -m regen import``) → one new version.

The Upload page and the CLI read files their own way (uploaded bytes with a memo, paths with
remembered mappings), then both hand the readings to this module, which decides what the version
holds and why it cannot be stored:

* :func:`join_boundaries` — several boundary files become one set of areas, unless an area code
  appears in more than one of them (the clashing codes are returned, never silently merged).
* :func:`figure_context` — the enterprises a batch (or the dataset) already knows, by ID with their
  country, to read a yearly-figures file with: its ID column is chosen by what joins them and a
  turnover without a currency takes the currency of its enterprise's country.
* :func:`collect` — readings → :class:`Batch`: the tables, figures taken from an enterprise list, figure
  rows naming no known enterprise (reported and left out, never counted as accepted), blockers
  (an unreadable file, two files of one kind, a file with no rows, clashing boundaries).
* :func:`check_name`, :func:`check_target` and :func:`store_batch` — the dataset name, and the version
  (with the postcode table that came with the files, stored once for later imports).
* :func:`stored_postcodes` — the store's postcode table as a lookup, for an import that brings none.

Nothing here imports Streamlit; nothing is written before :func:`store_batch`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from regen import store
from regen.boundaries import BoundaryResult
from regen.dataset import known_figures

if TYPE_CHECKING:
    import geopandas as gpd
    from sqlalchemy.engine import Engine

    from regen.ingest import IngestResult

KINDS: tuple[str, ...] = ("enterprises", "figures", "areas")
RESERVED = frozenset({"sample"})  # the built-in illustrative dataset's name
MAX_CLASHES_SHOWN = 10


class Source(Protocol):
    """A file of the import: an uploaded file or a path, named, with the SHA-256 of its bytes."""

    name: str
    checksum: str


@dataclass(frozen=True)
class FileSource:
    """A :class:`Source` for a file on disk (the CLI)."""

    name: str
    checksum: str


@dataclass
class Batch:
    """The tables (and outlines) of one new version, or the reasons (``blockers``) it cannot be stored."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    boundaries: gpd.GeoDataFrame | None = None  # areas (code, name, geometry) from the boundary files
    file_names: list[str] = field(default_factory=list)
    checksums: list[str] = field(default_factory=list)
    blockers: list[tuple[str, str]] = field(default_factory=list)  # (code, file name, kind or area codes)
    problem_rows: int = 0  # rows left out of the tables
    values_left_out: int = 0  # values left out of rows that were kept (an unreadable year ...)
    derived_figures: bool = False  # figures taken from the enterprise list
    unknown_figures: int = 0  # figure rows naming no enterprise of the batch: reported and left out
    # (source, kind, signature, mapping) of each table, for remembering corrected mappings
    mappings: list[tuple[Source, str, str, dict[str, str | None]]] = field(default_factory=list)
    # the values each table's reading found and the codes it used ({field: frame}), by (signature, kind),
    # for remembering the analyst's value choices with the mapping
    values: dict[tuple[str, str], dict[str, pd.DataFrame]] = field(default_factory=dict)
    # a postcode table given with the files: stored once (replacing the store's), for later imports too
    postcodes: pd.DataFrame | None = None
    postcode_source: str = ""

    @property
    def ok(self) -> bool:
        return not self.blockers and (bool(self.frames) or self.boundaries is not None)

    @property
    def note(self) -> str | None:
        """What the version's record says was done, in plain words."""
        parts = []
        if self.problem_rows:
            parts.append(f"{self.problem_rows} row(s) with problems left out")
        if self.values_left_out:
            parts.append(f"{self.values_left_out} value(s) left out of rows that were kept")
        if self.derived_figures:
            parts.append("figures taken from the enterprise list")
        if self.unknown_figures:
            parts.append(f"{self.unknown_figures} figure row(s) naming no known enterprise left out")
        return "; ".join(parts) or None


def join_boundaries(results: Sequence[tuple[str, BoundaryResult]]) -> tuple[BoundaryResult | None, list[str]]:
    """The areas of readable boundary files ``(name, result)`` as one result, and the area codes that
    appear in more than one file (then no result: the analyst must choose which outlines to keep)."""
    usable = [(name, r) for name, r in results if r.error is None and r.areas]
    if not usable:
        return None, []
    if len(usable) == 1:
        return usable[0][1], []
    codes = pd.concat([r.frame["code"].astype(str) for _, r in usable], ignore_index=True)
    clashes = sorted(set(codes[codes.duplicated()]))
    if clashes:
        return None, clashes
    frame = pd.concat([r.frame for _, r in usable], ignore_index=True)
    joined = BoundaryResult(frame=frame, file_name=", ".join(name for name, _ in usable),
                            features_read=sum(r.features_read for _, r in usable))
    return joined, []


def figure_context(results: Iterable[IngestResult | None], base: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The enterprises known to an import (``enterprise_id``, ``country``): those read from its enterprise
    list, else ``base`` (the enterprises of the version the import builds on), for reading its figures."""
    for result in results:
        accepted = getattr(result, "accepted", None)
        if getattr(result, "kind", None) == "enterprises" and isinstance(accepted, pd.DataFrame) and len(accepted):
            return accepted[["enterprise_id", "country"]].reset_index(drop=True)
    if base is not None and len(base) and {"enterprise_id", "country"} <= set(base.columns):
        return base[["enterprise_id", "country"]].reset_index(drop=True)
    return None


def collect(reads: Sequence[tuple[Source, str | None, IngestResult | BoundaryResult | None]],
            boundaries: BoundaryResult | None = None, clashes: Sequence[str] = ()) -> Batch:
    """Turn ``(source, role, result)`` triples into a :class:`Batch`.

    ``role`` is a kind, "postcodes" (a lookup table: used while reading, not stored, but listed as a
    source) or "boundaries"; ``result`` an :class:`~regen.ingest.IngestResult` for tables. ``boundaries``
    are the joined areas of the boundary files (:func:`join_boundaries`), ``clashes`` their shared codes.
    """
    batch = Batch()
    seen: dict[str, str] = {}
    derived = None
    for source, role, result in reads:
        batch.file_names.append(source.name)
        batch.checksums.append(source.checksum)
        if role == "postcodes":
            continue
        if role == "boundaries":  # read and joined already (join_boundaries): only an unreadable one blocks
            if result is not None and result.error:
                batch.blockers.append(("unreadable", source.name))
            continue
        if result is None or result.error:
            batch.blockers.append(("unreadable", source.name))
            continue
        if role not in KINDS:
            batch.blockers.append(("no_kind", source.name))
            continue
        if role in seen:
            batch.blockers.append(("same_kind", role))
            continue
        seen[role] = source.name
        if result.rows_accepted == 0 or result.accepted is None or result.accepted.empty:
            batch.blockers.append(("no_rows", source.name))
            continue
        batch.frames[role] = result.accepted.reset_index(drop=True)
        batch.problem_rows += int(result.rows_rejected)
        batch.values_left_out += sum(1 for p in result.problems if getattr(p, "kept", False))
        if result.signature:
            excluded = {e["column"] for e in result.excluded_columns}
            batch.mappings.append((source, role, result.signature,
                                   {c: f for c, f in result.mapping.items() if c not in excluded}))
            found = getattr(result, "values", None)
            if found:
                batch.values[(result.signature, role)] = dict(found)
        if role == "enterprises" and isinstance(result.figures, pd.DataFrame) and not result.figures.empty:
            derived = result.figures
    if derived is not None and "figures" not in seen and "enterprises" in batch.frames:
        batch.frames["figures"] = derived.reset_index(drop=True)
        batch.derived_figures = True
    if "figures" in batch.frames and "enterprises" in batch.frames:
        batch.frames["figures"], batch.unknown_figures = known_figures(batch.frames["figures"],
                                                                       batch.frames["enterprises"])
    if clashes:
        shown = ", ".join(list(clashes)[:MAX_CLASHES_SHOWN])
        batch.blockers.append(("boundary_clash", shown + (" …" if len(clashes) > MAX_CLASHES_SHOWN else "")))
    elif boundaries is not None:
        batch.boundaries = boundaries.frame
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


def store_batch(engine: Engine, batch: Batch, dataset: str, *, actor: str, publish: bool,
                note: str | None = None) -> int:
    """Store ``batch`` as a new version of ``dataset`` (published at once if ``publish``); its number.

    A postcode table that came with the files replaces the store's first (reference data, used by later
    imports that bring none). ``note`` is added before the batch's own. Raises :class:`regen.store.StoreError` when the version
    cannot be stored (nothing is written then)."""
    if not batch.ok:
        raise store.StoreError("nothing to store: " + ", ".join(code for code, _ in batch.blockers))
    problem = check_target(engine, batch, dataset)
    if problem:
        raise store.StoreError(f"cannot store this upload as {dataset!r}: {problem.replace('_', ' ')}")
    full_note = "; ".join(part for part in (note, batch.note) if part) or None
    if batch.postcodes is not None and len(batch.postcodes):
        store.save_postcodes(engine, batch.postcodes, actor=actor, source=batch.postcode_source or "postcodes")
    return store.create_version(engine, dataset.strip(), batch.frames, actor=actor,
                                file_name=", ".join(batch.file_names), checksum=",".join(batch.checksums),
                                publish=publish, note=full_note, boundaries=batch.boundaries)


def stored_postcodes(engine: Engine):
    """The store's postcode table as a :class:`regen.ingest.PostcodeLookup` (postcodes read on demand,
    never all loaded), with ``info`` (rows, source, who, when) and a ``key`` naming this table; None
    when no table was ever stored."""
    from regen.ingest.postcodes import PostcodeLookup

    info = store.postcode_table_info(engine)
    if not info:
        return None
    lookup = PostcodeLookup.from_store(engine)
    lookup.info = info
    lookup.key = f"store:{info['at']}:{info['rows']}"
    return lookup

