"""Data model of Regen Atlas: enterprises, their yearly figures, and areas.

Each table is a pandera ``DataFrameSchema``. :func:`validate` runs a schema lazily and returns the
valid frame plus a list of :class:`Problem` (row, column, value, reason) instead of raising, so that
callers can keep good rows and report bad ones. Row numbers in problems are the frame's index
labels; ingest code sets the index to the file's row number before validating.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow.compute as pc
from pandera.errors import SchemaErrors

from regen.vocab import ALL_LEGAL_FORMS, COUNTRIES, CURRENCIES, GEO_PRECISIONS, SECTORS

MIN_YEAR = 1800
MAX_YEAR = 2100

ENTERPRISE_COLUMNS: tuple[str, ...] = (
    "enterprise_id", "name", "name_ja", "legal_form", "sector", "founded", "closed", "country",
    "region", "area", "ward", "lat", "lon", "geo_precision", "description", "legal_form_text", "sector_text",
    "description_ja",
)
FIGURE_COLUMNS: tuple[str, ...] = (
    "enterprise_id", "year", "employees", "fte", "disadvantaged_hires", "volunteers", "turnover", "currency",
)
AREA_COLUMNS: tuple[str, ...] = (
    "code", "name", "name_ja", "country", "region", "population", "population_year", "population_source",
)

_year = [pa.Check.in_range(MIN_YEAR, MAX_YEAR)]
_text = pa.Check.str_length(min_value=1)


def _closed_after_founded(df: pd.DataFrame) -> pd.Series:
    return (df["closed"].isna() | df["founded"].isna() | (df["closed"] >= df["founded"])).fillna(True)


def _fte_not_above_headcount(df: pd.DataFrame) -> pd.Series:
    return df["fte"].isna() | (df["fte"] <= df["employees"])


def _currency_with_turnover(df: pd.DataFrame) -> pd.Series:
    return df["turnover"].isna() | df["currency"].notna()


def _first_occurrence(series: pd.Series) -> pd.Series:
    """True where a value is seen for the first time (and where it is missing), False for repeats.

    The same rule as ``unique=True, report_duplicates="exclude_first"``, hashing the column once:
    pandera's built-in test hashes it twice (``is_unique``, then ``duplicated``) when any value
    repeats, which for a million text identifiers is most of the cost of validation."""
    values = series.array
    if isinstance(values, pd.arrays.ArrowStringArray):
        encoded = pc.dictionary_encode(values.__arrow_array__()).combine_chunks()
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    else:
        codes, _uniques = pd.factorize(values, use_na_sentinel=True)
    repeat = pd.Series(codes, copy=False).duplicated(keep="first").to_numpy() & (codes >= 0)
    return pd.Series(~repeat, index=series.index)


# Registered as a check named "unique" (reported as ``duplicate``): see _first_occurrence.
_unique = pa.Check(_first_occurrence, name="unique")


ENTERPRISES = pa.DataFrameSchema(
    {
        "enterprise_id": pa.Column(str, [_unique, _text]),
        "name": pa.Column(str, _text),
        "name_ja": pa.Column(str, nullable=True, required=False),
        "legal_form": pa.Column(str, pa.Check.isin(ALL_LEGAL_FORMS)),
        "sector": pa.Column(str, pa.Check.isin(SECTORS)),
        "founded": pa.Column("Int64", _year, nullable=True),
        "closed": pa.Column("Int64", _year, nullable=True, required=False),
        "country": pa.Column(str, pa.Check.isin(COUNTRIES)),
        "region": pa.Column(str, _text),
        "area": pa.Column(str, _text),
        "ward": pa.Column(str, nullable=True, required=False),
        "lat": pa.Column(float, pa.Check.in_range(-90, 90), nullable=True),
        "lon": pa.Column(float, pa.Check.in_range(-180, 180), nullable=True),
        "geo_precision": pa.Column(str, pa.Check.isin(GEO_PRECISIONS)),
        "description": pa.Column(str, nullable=True, required=False),
        # The file's own words where legal_form or sector is "other" (never shown as markup)
        "legal_form_text": pa.Column(str, nullable=True, required=False),
        "sector_text": pa.Column(str, nullable=True, required=False),
        # The description in Japanese, where there is one (``description`` is English or the file's language)
        "description_ja": pa.Column(str, nullable=True, required=False),
    },
    checks=[pa.Check(_closed_after_founded, error="closed before founded")],
    coerce=True,
    strict="filter",
    name="enterprises",
)

FIGURES = pa.DataFrameSchema(
    {
        "enterprise_id": pa.Column(str, _text),
        "year": pa.Column("Int64", _year),
        "employees": pa.Column("Int64", pa.Check.ge(0)),
        "fte": pa.Column(float, pa.Check.ge(0), nullable=True, required=False),
        "disadvantaged_hires": pa.Column("Int64", pa.Check.ge(0), nullable=True, required=False),
        "volunteers": pa.Column("Int64", pa.Check.ge(0), nullable=True, required=False),
        "turnover": pa.Column(float, pa.Check.ge(0), nullable=True, required=False),
        "currency": pa.Column(str, pa.Check.isin(tuple(CURRENCIES.values())), nullable=True, required=False),
    },
    checks=[
        pa.Check(_fte_not_above_headcount, error="fte above headcount"),
        pa.Check(_currency_with_turnover, error="turnover without currency"),
    ],
    unique=["enterprise_id", "year"],
    report_duplicates="exclude_first",
    coerce=True,
    strict="filter",
    name="figures",
)

AREAS = pa.DataFrameSchema(
    {
        "code": pa.Column(str, [_unique, _text]),
        "name": pa.Column(str, _text),
        "name_ja": pa.Column(str, nullable=True, required=False),
        "country": pa.Column(str, pa.Check.isin(COUNTRIES)),
        "region": pa.Column(str, _text),
        "population": pa.Column("Int64", pa.Check.ge(0), nullable=True, required=False),
        "population_year": pa.Column("Int64", _year, nullable=True, required=False),
        "population_source": pa.Column(str, nullable=True, required=False),
    },
    coerce=True,
    strict="filter",
    name="areas",
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {"enterprises": ENTERPRISES, "figures": FIGURES, "areas": AREAS}


@dataclass(frozen=True)
class Problem:
    """One reason a row was not accepted.

    ``row`` is the frame's index label (ingest sets it to the file's row number); ``code`` is a
    stable reason code (translated by the interface as ``problem.<code>``); ``reason`` is plain
    English; ``detail`` holds the allowed values or bounds where they help. ``kept``: the row was
    kept and only this value left out (an unreadable founding year does not cost the row its name).
    """

    row: object
    column: str | None
    value: object
    code: str
    reason: str
    detail: str = ""
    kept: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


_WIDE_CHECKS = {
    "closed before founded": ("closed_before_founded", "closed", "closing year is before the founding year"),
    "fte above headcount": ("fte_above_headcount", "fte", "FTE is larger than the headcount"),
    "turnover without currency": ("turnover_without_currency", "currency", "turnover given without a currency"),
}


def _describe(check: str) -> tuple[str, str, str]:
    """Map a pandera check name to (code, plain reason, detail)."""
    if check.startswith("coerce_dtype") or check.startswith("dtype("):
        wanted = check.split("(", 1)[-1].rstrip(")").strip("'")
        kind = "a whole number" if "int" in wanted.lower() else "a number" if "float" in wanted.lower() else "text"
        return "invalid_type", f"cannot be read as {kind}", wanted
    if check == "not_nullable":
        return "missing", "value is missing", ""
    if check in ("field_uniqueness", "multiple_fields_uniqueness", "unique"):
        return "duplicate", "duplicate of an earlier row", ""
    if check.startswith("isin("):
        allowed = check[len("isin("):-1].strip("()").replace("'", "")
        return "not_allowed", "not one of the allowed values", allowed
    if check.startswith("in_range("):
        bounds = check[len("in_range("):-1]
        return "out_of_range", "outside the allowed range", bounds.replace(", ", " to ")
    if check.startswith("greater_than_or_equal_to("):
        return "out_of_range", "must not be negative", ">= " + check.split("(")[1].rstrip(")")
    if check.startswith("str_length("):
        return "missing", "value is empty", ""
    if check in _WIDE_CHECKS:
        code, _column, reason = _WIDE_CHECKS[check]
        return code, reason, ""
    return "invalid", check, ""


def plain_value(value: object) -> object:
    """A plain Python value (None for missing) so that problems serialise to JSON."""
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    return value.item() if hasattr(value, "item") else value


def validate(frame: pd.DataFrame, kind: str, *, reject: Iterable = ()) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate ``frame`` against the schema for ``kind``; never raises on bad data.

    Returns the accepted rows (coerced to schema types, unknown columns dropped) and one
    :class:`Problem` per failure. A row with any problem is left out of the accepted frame;
    a missing required column rejects every row. ``reject`` names rows (index labels) the caller
    has already rejected for other reasons: they are validated like the others (their problems are
    reported) and left out of the accepted frame, so that it is filtered once.

    Every row goes through pandera once (lazily, all checks). When that pass fails only on rows
    (value checks, duplicates, cross-field checks) the accepted rows are the validated frame without
    the failing rows: removing rows cannot make another row fail. A second pass over the remaining
    rows runs only when a column could not be checked as a whole (a value that cannot be coerced to
    the column's type, or a check that raised), since its checks then still have to run.
    """
    schema = SCHEMAS[kind]
    # Optional columns that are absent are added empty so that the output shape is stable.
    absent = {name: pd.Series([None] * len(frame), index=frame.index, dtype=object)
              for name, column in schema.columns.items() if name not in frame.columns and not column.required}
    frame = frame.assign(**absent) if absent else frame
    problems: list[Problem] = []
    missing = [name for name, col in schema.columns.items() if col.required and name not in frame.columns]
    if missing:
        problems = [Problem(None, name, None, "missing_column", "required column is missing") for name in missing]
        return _empty(schema), problems
    bad_rows: set = set()
    rejected = set(reject)
    good = frame
    for _ in range(3):  # a second pass checks the columns the first could not check as a whole
        if bad_rows:
            good = frame.loc[~rows_mask(frame.index, bad_rows)]
        try:
            accepted = schema.validate(good, lazy=True)
            if rejected:
                accepted = _without(accepted, rejected)
            break
        except SchemaErrors as err:
            cases = err.failure_cases
            checked = err.data
        found, whole_column = _problems(frame, cases)
        if whole_column:  # pandera may name no row for a failed conversion: find the rows ourselves
            known = {(p.row, p.column) for p in found}
            found += [p for p in _unconvertible(good, schema) if (p.row, p.column) not in known]
        problems += found
        bad_rows.update(p.row for p in found)
        if not whole_column:
            accepted = _without(checked, bad_rows | rejected)
            break
    else:  # defensive: rows that still fail without a named cause are reported, never dropped silently
        left = [row for row in good.index if row not in bad_rows]
        problems += [Problem(row, None, None, "invalid", "the row could not be validated") for row in left]
        problems.sort(key=lambda p: (_sort_key(p.row), p.column or ""))
        return _empty(schema), problems
    problems.sort(key=lambda p: (_sort_key(p.row), p.column or ""))
    return accepted[list(schema.columns)], problems


def _unconvertible(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[Problem]:
    """Cells of numeric columns that cannot become the column's type (e.g. 12.5 as a whole number)."""
    found: list[Problem] = []
    for name, column in schema.columns.items():
        if name not in frame.columns:
            continue
        dtype = str(column.dtype).lower()
        whole = "int" in dtype
        if not whole and "float" not in dtype:
            continue
        values = frame[name]
        present = values.notna().to_numpy() & (values.astype(str).str.strip() != "").to_numpy()
        numbers = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
        bad = present & (np.isnan(numbers) | (whole & (np.nan_to_num(numbers) % 1 != 0)))
        for row in frame.index[bad]:
            found.append(Problem(row, name, plain_value(values.at[row]), "invalid_type",
                                 "cannot be read as a whole number" if whole else "cannot be read as a number",
                                 str(column.dtype)))
    return found


def rows_mask(index: pd.Index, rows) -> np.ndarray:
    """Boolean mask of the labels ``rows`` in ``index``: looks up the (few) rows rather than hashing
    the whole index, when its labels are unique."""
    rows = list(rows)
    if not index.is_unique:
        return index.isin(rows)
    mask = np.zeros(len(index), dtype=bool)
    if rows:
        at = index.get_indexer(rows)
        mask[at[at >= 0]] = True
    return mask


def _without(frame: pd.DataFrame, rows: set) -> pd.DataFrame:
    """``frame`` without the rows labelled ``rows`` (the frame itself when none of them is there)."""
    drop = rows_mask(frame.index, rows)
    return frame.loc[~drop] if drop.any() else frame


def _problems(frame: pd.DataFrame, cases: pd.DataFrame) -> tuple[list[Problem], bool]:
    """One problem per failing cell from pandera's failure cases, and whether any failure concerned a
    column as a whole (a value that could not be coerced, or a check that raised)."""
    checks = cases["check"].astype(str)
    whole_column = bool(cases["index"].isna().any()) or bool(
        checks.str.startswith("coerce_dtype").any() or checks.str.startswith("dtype(").any())
    rows = cases["index"]
    keep = rows.notna().to_numpy()  # column-level summaries are skipped: the per-row cases carry the detail
    if not keep.any():
        return [], whole_column
    rows = rows[keep].tolist()
    checks = checks[keep].tolist()
    columns = [c if isinstance(c, str) and c in frame.columns else None for c in cases["column"][keep].tolist()]
    columns = [_WIDE_CHECKS[ch][1] if ch in _WIDE_CHECKS else col for ch, col in zip(checks, columns)]
    values = _cell_values(frame, rows, columns)
    seen: set = set()
    out: list[Problem] = []
    for row, column, check, value in zip(rows, columns, checks, values):
        row = plain_value(row)
        if row is None or (row, column) in seen:
            continue  # one problem per cell is enough
        seen.add((row, column))
        code, reason, detail = _describe(check)
        out.append(Problem(row, column, plain_value(value), code, reason, detail))
    return out, whole_column


def _cell_values(frame: pd.DataFrame, rows: list, columns: list) -> list:
    """The cells (row label, column) of ``frame`` as written (None where there is no such column)."""
    values: list = [None] * len(rows)
    by_column: dict[str, list[int]] = {}
    for i, column in enumerate(columns):
        if column is not None:
            by_column.setdefault(column, []).append(i)
    unique = frame.index.is_unique
    for column, positions in by_column.items():
        labels = [rows[i] for i in positions]
        if unique:
            at = frame.index.get_indexer(labels)
            cells = frame[column].iloc[at].to_numpy(dtype=object) if (at >= 0).all() else \
                [frame.at[label, column] for label in labels]
        else:
            cells = [frame.at[label, column] for label in labels]
        for i, cell in zip(positions, cells):
            values[i] = cell
    return values


def _sort_key(row: object) -> tuple:
    return (0, row, "") if isinstance(row, (int, float)) else (1, 0, str(row))


def _empty(schema: pa.DataFrameSchema) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in schema.columns})
