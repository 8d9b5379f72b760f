"""read_table: file → mapped, cleaned, located and validated rows, with a report.

The orchestration lives here (:func:`read_table`); the layers it calls are modules of their own:

* :mod:`regen.ingest.read`: bytes → a raw table (encoding, delimiter, header row);
* :mod:`regen.ingest.rows`: personal-data columns, control characters, totals rows, samples, generated IDs;
* :mod:`regen.ingest.context`: :class:`~regen.ingest.context.Context`, the columns by field, problems and
  notes, columns parsed once, the analyst's value mapping;
* :mod:`regen.ingest.build`: the schema frames (enterprises, yearly figures, areas);
* :mod:`regen.ingest.locate` (with :mod:`regen.ingest.reference`): coordinates, postcodes, places, area
  centroids, countries, areas from boundaries and regions;
* :mod:`regen.ingest.checks`: validation against the schema and the final problem list.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from regen.ingest.build import (
    CARRIED_FIELDS, build_areas, build_enterprises, build_figures, country_for_figures, note_carried_forward,
)
from regen.ingest.checks import check_rows, finish_problems
from regen.ingest.context import NOTE_ROWS, PARALLEL_ROWS, Context
from regen.ingest.locate import AREA_EXAMPLES, PREFECTURE_SLACK, region_slug
from regen.ingest.mapping import (
    FIELDS, KIND_FIELDS, KINDS, detect_kind, is_known_header, map_country, mapping_signature, propose_mapping,
)
from regen.ingest.read import IngestError, RawTable, default_max_bytes, read_raw
from regen.ingest.reference import BBOX
from regen.ingest.result import IngestResult, Note
from regen.ingest.rows import (
    SAMPLE_CHARS, SAMPLE_ROWS, SAMPLE_VALUES, exclusions, generated_ids, samples, strip_controls, totals_rows,
)
from regen.schema import SCHEMAS, Problem, rows_mask

# The public names of this module from before it was split into the modules above, still importable from here.
__all__ = [
    "AREA_EXAMPLES", "BBOX", "CARRIED_FIELDS", "NOTE_ROWS", "PARALLEL_ROWS", "PREFECTURE_SLACK", "SAMPLE_CHARS",
    "SAMPLE_ROWS", "SAMPLE_VALUES", "read_table",
]


def read_table(source, *, kind: str | None = None, mapping: Mapping[str, str | None] | None = None,
               postcodes: pd.DataFrame | None = None, areas: pd.DataFrame | None = None, name: str | None = None,
               max_bytes: int | None = None, country: str | None = None, year: int | None = None,
               sheet: str | int | None = None, boundaries=None, region: str | None = None,
               values: Mapping[str, Mapping[str, str]] | None = None, known_ids=None,
               enterprises: pd.DataFrame | None = None) -> IngestResult:
    """Read a messy table (CSV, TSV, gzip'd CSV or .xlsx) into the schema, with a report.

    ``source`` is a path, bytes (give ``name`` so the type can be told) or a binary file object.
    ``kind`` is "enterprises", "figures" or "areas" (detected from the columns when None); ``mapping``
    (file column → field or None) overrides the proposed mapping; ``postcodes`` is an optional lookup
    table (postcode, lat, lon [, region, area, ward]; ONS Postcode Directory, NSPL or Code-Point Open as
    they come) or a :class:`regen.ingest.postcodes.PostcodeLookup` (e.g. the store's); a UK postcode it
    lacks is placed at its postcode district's centre; ``areas`` an optional table of areas (code, name
    [, name_ja, region, lat, lon]) used to recognise area names and as centroids; ``country`` ("GB"/"JP")
    fills rows that do not say; ``year`` dates the figures of an enterprise list without a year column.

    For an enterprise list, ``boundaries`` are area outlines: a GeoDataFrame (code, name, geometry;
    EPSG:4326 assumed when it has no CRS) or a :class:`regen.boundaries.BoundaryResult`. Their codes and
    names are recognised in the area column (like ``areas``) and a point inside each serves as the
    area's centroid; once rows are located, a row with coordinates and no area gets the area its point
    lies in, before validation (a row with no area outside every polygon is rejected on its row; an
    area that disagrees with the point is kept, with a note). ``region`` (a region code such as
    "north_east", or its English or Japanese name) fills rows still without a region, unless their
    country differs from the region's. With ``boundaries`` or ``region``, rows located in Japan without
    a region first get the prefecture their point lies in. Regions are never overwritten.

    ``values`` is the analyst's value mapping, ``{field: {value as written: code}}`` for the categorical
    fields (legal_form, sector, region, country), matched loosely and applied before the vocabularies;
    ``IngestResult.values`` lists each field's distinct values with the code used and the code proposed.
    ``known_ids`` (IDs of enterprises already known: the dataset's, or another file's of the same
    import) help choose the ID column of a file whose mapping is proposed; ``enterprises`` (a frame with
    ``enterprise_id`` and ``country``, see :func:`regen.imports.figure_context`) gives them with their
    country, so that a yearly figure's turnover without a currency takes its enterprise's currency.
    Only a name (or ID) is needed to keep an enterprise: a legal form or sector that matches no code is
    kept as "other" with its text, a missing one is "unknown"; a row that cannot be located is kept with
    no location; an unreadable year or number leaves that value out (``Problem.kept``), not the row.

    Never raises on bad input: an unreadable file gives a result with ``error`` set.
    """
    limit = default_max_bytes() if max_bytes is None else int(max_bytes)
    try:
        with np.errstate(all="ignore"):  # thread-local, unlike warnings filters
            return _read_table(source, kind=kind, mapping=mapping, postcodes=postcodes, areas=areas, name=name,
                               max_bytes=limit, country=country, year=year, sheet=sheet, boundaries=boundaries,
                               region=region, values=values, known_ids=known_ids, enterprises=enterprises)
    except IngestError as err:
        return _failed(err.code, err.message, name, source)
    except MemoryError:
        return _failed("too_large", "not enough memory to read this file", name, source)
    except Exception as err:  # noqa: BLE001 - a report, never a traceback (and a bug to fix: see tests)
        return _failed("internal_error", f"the file could not be read (unexpected {type(err).__name__}: {err})",
                       name, source)


def _read_table(source, *, kind, mapping, postcodes, areas, name, max_bytes, country, year, sheet, boundaries,
                region, values=None, known_ids=None, enterprises=None) -> IngestResult:
    if kind is not None and kind not in KINDS:
        raise IngestError("bad_kind", f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if country is not None:
        country = map_country(country) or str(country).upper()
    if region is not None:
        region = region_slug(region)
    if boundaries is not None:
        boundaries = _boundary_frame(boundaries)
    raw = read_raw(source, name=name, max_bytes=max_bytes, is_known=is_known_header, sheet=sheet)
    headers = raw.headers
    notes = [Note(code, message) for code, message in raw.notes]
    excluded = exclusions(raw)
    usable = [h for h in headers if h not in excluded]
    known_country = None
    if enterprises is not None and len(enterprises):
        known_country = dict(zip(enterprises["enterprise_id"].astype(str), enterprises["country"].astype(str)))
        if known_ids is None:
            known_ids = set(known_country)
    if mapping is None:
        proposed = propose_mapping(usable, kind)
        found_kind = kind or detect_kind(proposed.values())
        if kind is None and found_kind:
            proposed = propose_mapping(usable, found_kind)
        proposed = _choose_columns(raw, usable, proposed, found_kind, known_ids, notes)
        full = {h: proposed.get(h) for h in headers}
    else:
        given = {str(k): v for k, v in mapping.items()}
        refused = [h for h in given if h in excluded and given[h]]
        for h in refused:
            notes.append(Note("personal_column_refused", "this column holds personal data and is never read", h))
        full = _check_mapping({k: v for k, v in given.items() if k not in excluded}, headers, kind, notes)
        found_kind = kind or detect_kind(full.values())
    for h in excluded:
        full[h] = None
    result = IngestResult(
        kind=found_kind, encoding=raw.encoding, delimiter=raw.delimiter, header_row=raw.header_row, mapping=full,
        excluded_columns=[{"column": h, "reason": r} for h, r in excluded.items()],
        rows_read=len(raw.frame), file_name=name or (str(source) if isinstance(source, (str,)) or
                                                     hasattr(source, "__fspath__") else getattr(source, "name", None)),
        file_type=raw.file_type, compressed=raw.compressed, sheet=raw.sheet, headers=list(headers),
        signature=mapping_signature(headers), notes=notes,
    )
    unmapped = [h for h in headers if full.get(h) is None and h not in excluded]
    if unmapped:
        notes.append(Note("columns_ignored", "columns not mapped to any field were ignored: " + ", ".join(unmapped)))
    # Columns no field is read from (unmapped or personal data) are let go now: they are never read.
    result.samples = samples(raw, excluded)  # of every column, ignored ones too: to recognise them by
    unused = [i for i, h in enumerate(headers) if not full.get(h)]
    if unused and len(unused) < len(headers) and found_kind is not None and len(raw.frame.columns) == len(headers):
        raw.frame = raw.frame.drop(columns=unused)
    controls = strip_controls(raw)
    totals = totals_rows(raw, full) if found_kind in ("enterprises", "figures") else {}
    if totals:  # totals and subtotals are not enterprises: one clear reason each, no per-field complaints
        raw.frame = raw.frame.drop(index=list(totals))
    ctx = Context(raw, full, found_kind or "enterprises")
    ctx.values = {str(f): {str(v): str(c) for v, c in (m or {}).items()} for f, m in (values or {}).items()}
    for row, label in totals.items():
        ctx.problems.append((row, None, label, "totals_row", "a totals or subtotals row, not an enterprise", ""))
    for position, rows in controls.items():
        header = headers[position]
        shown = rows[:NOTE_ROWS]
        ctx.notes.append(Note("control_characters", f"{len(rows)} cell(s) held control characters (such as NUL "
                              "bytes); they were removed and the rest of the value kept", header, shown, len(rows)))
    for row, cells in raw.bad_rows.items():
        if cells < 0:
            ctx.problems.append((row, None, None, "bad_row", "the row cannot be read (broken quoting)", ""))
        else:
            ctx.problems.append((row, None, None, "extra_cells", "the row has more cells than the header",
                                 f"{cells} / {len(headers)}"))
    if found_kind is None:
        result.problems = [Problem(None, None, None, "unknown_kind",
                                   "could not tell whether the file holds enterprises, yearly figures or areas; "
                                   "choose the kind or map the columns")]
        result.rows_rejected = result.rows_read
        result.accepted = pd.DataFrame()
        return result
    if raw.frame.empty:
        result.accepted = _empty_schema_frame(found_kind)
        result.notes.append(Note("no_rows", "the file has a header but no rows"))
        return result
    figures_frame = None
    if found_kind == "enterprises":
        frame = _with_helper(ctx, build_enterprises, country=country, postcode_table=postcodes, areas=areas,
                             boundaries=boundaries, default_region=region)
        derived = {"geo_precision", "enterprise_id", "name_ja"} | ({"area"} if boundaries is not None else set())
        accepted, rejected = check_rows(ctx, frame, "enterprises", derived)
        has_figures = any(f in ctx.source for f in ("employees", "turnover", "fte", "volunteers",
                                                   "disadvantaged_hires"))
        if has_figures and ("year" in ctx.source or year is not None) and "employees" in ctx.source:
            figs = _with_helper(ctx, build_figures, frame["enterprise_id"], country=frame["country"], year=year)
            figs = figs[figs["employees"].notna() | ctx.raw_col("employees").notna()]
            fig_ok, fig_bad = check_rows(ctx, figs, "figures", {"enterprise_id"})
            # A row's figures that cannot be read are left out; the enterprise is kept.
            figures_frame = fig_ok[~rows_mask(fig_ok.index, rejected | fig_bad)]
        elif has_figures:
            ctx.note("figures_without_year", "employees and turnover were not read: the file does not say which "
                                             "year they are for (map a Year column or give the year)")
    elif found_kind == "figures":
        ident = ctx.text("enterprise_id")
        if ident is None and ctx.text("name") is not None:
            ident = generated_ids(ctx.text("name"))
            ctx.fallback_column["enterprise_id"] = ctx.source.get("name")
            ctx.note("generated_ids", "the file has no ID column: IDs were made from the names", "name",
                     ident.notna())
        frame = _with_helper(ctx, build_figures, ident,
                             country=country_for_figures(ctx, country, ident, known_country), year=year)
        accepted, rejected = check_rows(ctx, frame, "figures", set())
        note_carried_forward(ctx, accepted[~rows_mask(accepted.index, rejected)])
    else:
        frame = build_areas(ctx, country=country)
        accepted, rejected = check_rows(ctx, frame, "areas", set())
    drop = rows_mask(accepted.index, rejected)
    if drop.any():
        accepted = accepted[~drop]
    accepted.index.name = "row"
    result.accepted = accepted
    result.figures = figures_frame
    result.rows_accepted = len(accepted)
    result.rows_rejected = result.rows_read - result.rows_accepted
    result.problems = finish_problems(ctx, accepted.index)
    result.notes = notes + ctx.notes
    result.values = dict(ctx.value_tables)
    return result


def _with_helper(ctx: Context, build, *args, **kwargs) -> pd.DataFrame:
    """``build(ctx, ...)`` with a second thread for cleaning columns ahead (large files only)."""
    ctx.start_helper()
    try:
        return build(ctx, *args, **kwargs)
    finally:
        ctx.stop_helper()


def _boundary_frame(boundaries):
    """Boundaries given to read_table as a GeoDataFrame (code, name, geometry) in EPSG:4326."""
    import geopandas as gpd

    from regen.boundaries import BoundaryResult

    if isinstance(boundaries, BoundaryResult):
        if boundaries.error:
            raise IngestError("bad_boundaries", f"the boundary file cannot be used: {boundaries.error}")
        boundaries = boundaries.frame
    if not isinstance(boundaries, gpd.GeoDataFrame) or "code" not in boundaries.columns:
        raise IngestError("bad_boundaries", "boundaries must be a GeoDataFrame with code, name and geometry columns")
    boundaries = boundaries[boundaries["code"].notna()]
    if boundaries.empty:
        raise IngestError("bad_boundaries", "the boundaries have no areas")
    if boundaries.crs is None:
        boundaries = boundaries.set_crs(4326)
    elif boundaries.crs.to_epsg() != 4326:
        boundaries = boundaries.to_crs(4326)
    codes = boundaries["code"].astype(str).to_numpy(dtype=object)
    names = boundaries["name"].astype(object).to_numpy() if "name" in boundaries.columns else codes
    names = np.where(pd.isna(names), codes, names)
    return gpd.GeoDataFrame({"code": codes, "name": names}, geometry=boundaries.geometry.to_numpy(), crs=4326)


def _failed(code: str, message: str, name, source) -> IngestResult:
    file_name = name or (str(getattr(source, "name", "")) or None if not isinstance(source, (bytes, bytearray))
                         else None)
    if isinstance(source, (str,)) or hasattr(source, "__fspath__"):
        file_name = name or str(source)
    return IngestResult(error=message, error_code=code, file_name=file_name)


def _check_mapping(mapping: Mapping, headers: list[str], kind: str | None, notes: list[Note]) -> dict[str, str | None]:
    out: dict[str, str | None] = {h: None for h in headers}
    allowed = set(KIND_FIELDS[kind]) if kind in KIND_FIELDS else set(FIELDS)
    used: set[str] = set()
    for header, fld in mapping.items():
        header = str(header)
        if header not in out:
            notes.append(Note("mapping_unknown_column", f"the mapping names a column the file does not have: "
                                                        f"{header!r}", header))
            continue
        if fld in (None, "", "ignore"):
            continue
        if fld not in allowed:
            notes.append(Note("mapping_unknown_field", f"{fld!r} is not a field of {kind or 'any table'}; "
                                                       "column ignored", header))
            continue
        if fld in used:
            notes.append(Note("mapping_duplicate_field", f"{fld!r} is mapped from more than one column; the first "
                                                         "is used", header))
            continue
        out[header] = fld
        used.add(fld)
    return out


def _choose_columns(raw: RawTable, usable: list[str], proposed: dict[str, str | None], kind: str | None,
                    known_ids, notes: list[Note]) -> dict[str, str | None]:
    """The proposal checked against the file's contents (:func:`regen.ingest.choose.choose_columns`): a
    column of years over a date column for the year, the ID column that is complete, unique and joins."""
    from regen.ingest.choose import choose_columns

    if raw.frame.empty or len(raw.frame.columns) != len(raw.headers):
        return proposed
    position = {h: i for i, h in enumerate(raw.headers)}
    cells = pd.DataFrame({h: raw.frame[position[h]] for h in usable if h in position}, index=raw.frame.index)
    try:
        chosen, explained = choose_columns(cells, dict(proposed), kind, known_ids=known_ids)
    except Exception:  # noqa: BLE001 - a better choice is a help, never a reason to fail
        return proposed
    notes.extend(Note(code, message) for code, message in explained)
    return chosen


def _empty_schema_frame(kind: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in SCHEMAS[kind].columns})
