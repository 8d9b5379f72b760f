"""Data model of Regen Atlas: enterprises, their yearly figures, and areas.

Each table is a pandera ``DataFrameSchema``. :func:`validate` runs a schema lazily and returns the
valid frame plus a list of :class:`Problem` (row, column, value, reason) instead of raising, so that
callers can keep good rows and report bad ones. Row numbers in problems are the frame's index
labels; ingest code sets the index to the file's row number before validating.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from regen.vocab import ALL_LEGAL_FORMS, COUNTRIES, CURRENCIES, GEO_PRECISIONS, SECTORS

MIN_YEAR = 1800
MAX_YEAR = 2100

ENTERPRISE_COLUMNS: tuple[str, ...] = (
    "enterprise_id", "name", "name_ja", "legal_form", "sector", "founded", "closed", "country",
    "region", "area", "ward", "lat", "lon", "geo_precision", "description",
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
    return df["closed"].isna() | (df["closed"] >= df["founded"])


def _fte_not_above_headcount(df: pd.DataFrame) -> pd.Series:
    return df["fte"].isna() | (df["fte"] <= df["employees"])


def _currency_with_turnover(df: pd.DataFrame) -> pd.Series:
    return df["turnover"].isna() | df["currency"].notna()


ENTERPRISES = pa.DataFrameSchema(
    {
        "enterprise_id": pa.Column(str, _text, unique=True, report_duplicates="exclude_first"),
        "name": pa.Column(str, _text),
        "name_ja": pa.Column(str, nullable=True, required=False),
        "legal_form": pa.Column(str, pa.Check.isin(ALL_LEGAL_FORMS)),
        "sector": pa.Column(str, pa.Check.isin(SECTORS)),
        "founded": pa.Column("Int64", _year),
        "closed": pa.Column("Int64", _year, nullable=True, required=False),
        "country": pa.Column(str, pa.Check.isin(COUNTRIES)),
        "region": pa.Column(str, _text),
        "area": pa.Column(str, _text),
        "ward": pa.Column(str, nullable=True, required=False),
        "lat": pa.Column(float, pa.Check.in_range(-90, 90)),
        "lon": pa.Column(float, pa.Check.in_range(-180, 180)),
        "geo_precision": pa.Column(str, pa.Check.isin(GEO_PRECISIONS)),
        "description": pa.Column(str, nullable=True, required=False),
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
        "code": pa.Column(str, _text, unique=True, report_duplicates="exclude_first"),
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
    English; ``detail`` holds the allowed values or bounds where they help.
    """

    row: object
    column: str | None
    value: object
    code: str
    reason: str
    detail: str = ""

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


def _scalar(value: object) -> object:
    """A plain Python value (None for missing) so that problems serialise to JSON."""
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    return value.item() if hasattr(value, "item") else value


def validate(frame: pd.DataFrame, kind: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate ``frame`` against the schema for ``kind``; never raises on bad data.

    Returns the accepted rows (coerced to schema types, unknown columns dropped) and one
    :class:`Problem` per failure. A row with any problem is left out of the accepted frame;
    a missing required column rejects every row.
    """
    schema = SCHEMAS[kind]
    frame = frame.copy()
    # Optional columns that are absent are added empty so that the output shape is stable.
    for name, column in schema.columns.items():
        if name not in frame.columns and not column.required:
            frame[name] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    problems: list[Problem] = []
    missing = [name for name, col in schema.columns.items() if col.required and name not in frame.columns]
    if missing:
        problems = [Problem(None, name, None, "missing_column", "required column is missing") for name in missing]
        return _empty(schema), problems
    bad_rows: set = set()
    for _ in range(3):  # a second pass can surface cross-row failures among the remaining rows
        good = frame.loc[~frame.index.isin(list(bad_rows))]
        try:
            accepted = schema.validate(good, lazy=True)
            break
        except SchemaErrors as err:
            cases = err.failure_cases
        seen: set = set()
        for case in cases.itertuples(index=False):
            row = _scalar(case.index)
            if row is None:
                continue  # column-level summaries; the per-row cases carry the detail
            check = str(case.check)
            column = case.column if isinstance(case.column, str) and case.column in frame.columns else None
            if check in _WIDE_CHECKS:
                column = _WIDE_CHECKS[check][1]
            if (row, column) in seen:
                continue  # one problem per cell is enough
            seen.add((row, column))
            value = _scalar(frame.at[row, column]) if column in frame.columns else None
            code, reason, detail = _describe(check)
            problems.append(Problem(row, column, value, code, reason, detail))
            bad_rows.add(row)
    else:  # pragma: no cover - defensive: give up on the rows that still fail
        return _empty(schema), problems
    problems.sort(key=lambda p: (_sort_key(p.row), p.column or ""))
    return accepted[list(schema.columns)], problems


def _sort_key(row: object) -> tuple:
    return (0, row, "") if isinstance(row, (int, float)) else (1, 0, str(row))


def _empty(schema: pa.DataFrameSchema) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in schema.columns})
