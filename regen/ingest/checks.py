"""Validation against the schema (with stand-ins for cells already reported) and the final problem list."""

from __future__ import annotations

import numpy as np
import pandas as pd

from regen.ingest.context import Context
from regen.schema import SCHEMAS, Problem, rows_mask, validate
from regen.vocab import ALL_LEGAL_FORMS, GEO_PRECISIONS, SECTORS


# Valid stand-in values for cells whose row is already rejected (see check_rows).
_PLACEHOLDERS: dict[str, object] = {
    "name": "-", "region": "-", "area": "-", "legal_form": ALL_LEGAL_FORMS[0], "sector": SECTORS[0],
    "country": "GB", "geo_precision": GEO_PRECISIONS[0], "founded": 2000, "year": 2000, "lat": 0.0, "lon": 0.0,
    "employees": 0,
}
_UNIQUE_FIELDS = ("enterprise_id", "code")
_WIDE_FIELDS = {"closed_before_founded": ("closed", "founded"), "fte_above_headcount": ("fte", "employees"),
                "turnover_without_currency": ("turnover", "currency")}
_LOCATION_CODES = ("no_location", "invalid_postcode")


def check_rows(ctx: Context, frame: pd.DataFrame, kind: str, derived: set[str]) -> tuple[pd.DataFrame, set]:
    """Validate against the schema and record its problems; returns (accepted, rejected file rows).

    Cells this module already reported (an unreadable number, an unknown sector, no location ...)
    and required fields the file has no column for are given valid stand-ins before the schema runs:
    their rows are rejected anyway, and the schema would otherwise report each of them again as
    missing (slowly, one Python object per cell)."""
    schema = SCHEMAS[kind]
    missing_fields = [fld for fld, column in schema.columns.items()
                      if column.required and not column.nullable and fld not in ctx.source and fld not in ctx.fallback_column
                      and fld not in derived and frame[fld].isna().all()]
    located_from_file = {f for f in ("region", "area", "country", "ward") if f in ctx.source}
    explained: dict[str, set] = {}
    for row, fld, _value, code, *_ in ctx.problems:
        if row is None:
            continue
        fields = {fld}
        if code in _LOCATION_CODES:
            fields |= {"lat", "lon", "geo_precision"} | ({"region", "area", "country"} - located_from_file)
        if fld == "name" and "enterprise_id" in ctx.fallback_column:
            fields.add("enterprise_id")
        for f in fields:
            explained.setdefault(f, set()).add(row)
    work = frame
    filled: dict[str, np.ndarray] = {}
    for fld in schema.columns:
        if fld not in frame.columns:
            continue
        rows = rows_mask(frame.index, explained[fld]) if fld in explained else None
        if fld in missing_fields:
            mask = np.ones(len(frame), dtype=bool)
        elif rows is not None:
            mask = rows & frame[fld].isna().to_numpy()
        else:
            continue
        if not mask.any():
            continue
        if work is frame:
            work = frame.copy()
        if fld in _UNIQUE_FIELDS:
            stand_in = pd.Series(["\x00row" + str(r) for r in frame.index[mask]], index=frame.index[mask],
                                 dtype="str")
            work.loc[mask, fld] = stand_in
        elif fld in _PLACEHOLDERS:
            work.loc[mask, fld] = _PLACEHOLDERS[fld]
        else:
            continue
        filled[fld] = mask
    already = {row for row, *_ in ctx.problems if row is not None}
    accepted, problems = validate(work, kind, reject=already)
    filled_rows = {fld: set(frame.index[mask].tolist()) for fld, mask in filled.items()}
    for p in problems:
        if p.row is None:
            ctx.problems.append((None, p.column, None, p.code, p.reason, p.detail))
            continue
        involved = _WIDE_FIELDS.get(p.code, (p.column,))
        if any(p.row in filled_rows.get(f, ()) for f in involved):
            continue
        if p.code == "missing" and p.row in explained.get(p.column, ()):
            continue
        ctx.problems.append((p.row, p.column, p.value, p.code, p.reason, p.detail))
    for fld in missing_fields:
        ctx.problems.append((None, fld, None, "missing_column", "required column is missing",
                             "map a column of the file to it"))
    if missing_fields:
        return accepted.iloc[0:0], set(frame.index.tolist())
    rejected = set(frame.index.difference(accepted.index).tolist())
    rejected |= {row for row, *_ in ctx.problems if row is not None}
    return accepted, rejected


def finish_problems(ctx: Context, accepted: pd.Index) -> list[Problem]:
    """Problems with the file's column names and, where a file cell is concerned, the cell as written;
    then the values left out of rows that were kept (``Problem.kept``)."""
    # A problem on a row that was kept left a value out (an enterprise's unreadable figures, its
    # founding year ...): kept=True. A value left out of a row left out anyway is one of its problems.
    problems = ctx.problems + ctx.dropped
    if not problems:
        return []
    rows = [p[0] for p in problems if p[0] is not None]
    kept_rows = set(accepted[rows_mask(accepted, rows)].tolist()) if rows else set()
    columns: dict[str | None, str | None] = {}
    headers: dict[str | None, str | None] = {}
    by_header: dict[str, list[int]] = {}
    values = [p[2] for p in problems]
    for i, (row, fld, *_rest) in enumerate(problems):
        if fld not in columns:
            columns[fld] = ctx.column_of(fld) if isinstance(fld, str) else None
            headers[fld] = (ctx.source.get(fld) or ctx.fallback_column.get(fld)) if isinstance(fld, str) else None
        header = headers[fld]
        if row is not None and header is not None and header in ctx.position:
            by_header.setdefault(header, []).append(i)
    for header, positions in by_header.items():
        rows = np.array([problems[i][0] for i in positions], dtype=np.int64)
        cells = ctx.raw.frame[ctx.position[header]].reindex(rows).to_numpy(dtype=object, na_value=None)
        for i, cell in zip(positions, cells):
            values[i] = cell
    seen: set = set()
    out: list[Problem] = []
    for (row, fld, _value, code, reason, detail), value in zip(problems, values):
        column = columns[fld]
        key = (row, column, code)
        if key in seen:
            continue
        seen.add(key)
        if value is not None and not isinstance(value, str):
            value = _plain(value)
        out.append(Problem(None if row is None else int(row), column, value, code, reason, detail,
                           kept=row in kept_rows))
    out.sort(key=lambda p: (p.kept, p.row is not None, p.row or 0, p.column or ""))
    return out


def _plain(value):
    from regen.ingest.result import _plain as plain

    return plain(value)
