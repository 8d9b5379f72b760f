"""Row- and cell-level passes over the raw table before building: columns of personal data, personal data
in descriptions, IDs made from names, control characters, totals rows, and column samples."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from regen.ingest import clean
from regen.ingest.mapping import EMAIL_PATTERN, PHONE_PATTERN, personal_header
from regen.ingest.read import RawTable


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TOTAL_NAME = re.compile(r"^(?:.*\s)?(?:(?:grand|sub)[\s-]?)?totals?\s*:?\s*$|^(?:.*)?(?:合計|小計|総計)\s*$", re.I)
_NO_ID = {"", "n/a", "na", "-", "–", "—", "none", "null", "total", "totals", "合計", "小計", "総計"}
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20)) + b"\x7f"


def _first_values(series: pd.Series, n: int = 500) -> pd.Series:
    """The first ``n`` values of a column that are not missing (read in windows, not the whole column)."""
    parts: list[pd.Series] = []
    got, pos, step = 0, 0, 4 * n
    while pos < len(series) and got < n:
        window = series.iloc[pos:pos + step].dropna()
        parts.append(window)
        got += len(window)
        pos += step
        step *= 4
    if not parts:
        return series.iloc[0:0]
    return (pd.concat(parts) if len(parts) > 1 else parts[0]).iloc[:n]


def _personal_by_content(series: pd.Series) -> str | None:
    values = _first_values(series)
    if values.empty:
        return None
    sample = values.astype("str")
    arr = pa.array(sample.tolist(), type=pa.string())
    arr = pc.utf8_normalize(arr, "NFKC")
    n = len(arr)
    emails = pc.sum(pc.match_substring_regex(arr, EMAIL_PATTERN)).as_py() or 0
    if emails >= max(1, 0.3 * n):
        return "email addresses"
    phones = pc.sum(pc.match_substring_regex(pc.utf8_trim_whitespace(arr), PHONE_PATTERN, ignore_case=True)).as_py() or 0
    if phones >= max(1, 0.5 * n):
        return "phone numbers"
    return None


def exclusions(raw: RawTable) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, header in enumerate(raw.headers):
        reason = personal_header(header)
        if reason:
            out[header] = f"personal data: {reason} (by column name)"
            continue
        if raw.frame.empty:
            continue
        reason = _personal_by_content(raw.frame[i])
        if reason:
            out[header] = f"personal data: {reason} (by content)"
    return out


def generated_ids(names: pd.Series) -> pd.Series:
    key = clean.text(names.astype("str")).str.casefold().fillna("")
    hashed = pd.util.hash_pandas_object(key, index=False).to_numpy()
    ids = pd.Series(hashed.astype(str), index=names.index, dtype="str")
    ids = "auto-" + ids
    return ids.where(names.notna())


def redact(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    if series.isna().all():
        return series, pd.Series(False, index=series.index)
    arr = clean._arrow(series)
    email = clean.contains(series, EMAIL_PATTERN) if clean._buffers_contain(arr, (b"@",)) else \
        pd.Series(False, index=series.index)
    phone = clean.contains(series, r"(?:\+44|\+81|\b0\d{1,4}[\s\-]\d{2,4}[\s\-]\d{3,4}\b|\b0[789]0\d{8}\b|\b07\d{9}\b)")
    mask = email | phone
    if not mask.any():
        return series, mask
    fixed = series.copy()
    sub = fixed[mask].str.replace(EMAIL_PATTERN, "[email removed]", regex=True)
    sub = sub.str.replace(r"(?:\+44|\+81)[\d\s\-()]{8,}\d|\b0\d{1,4}[\s\-]\d{2,4}[\s\-]\d{3,4}\b|\b0[789]0\d{8}\b|"
                          r"\b07\d{9}\b", "[phone removed]", regex=True)
    fixed[mask] = sub
    return fixed, mask


SAMPLE_VALUES, SAMPLE_ROWS, SAMPLE_CHARS = 3, 200, 40


def samples(raw: RawTable, excluded) -> dict[str, list[str]]:
    """The first few distinct non-empty values of each column (from the first rows), shortened; none
    for the columns of personal data."""
    if len(raw.frame.columns) != len(raw.headers):
        return {}
    head = raw.frame.head(SAMPLE_ROWS)
    out: dict[str, list[str]] = {}
    for position, header in enumerate(raw.headers):
        if header in excluded or position not in head.columns:
            continue
        values = head[position].dropna().astype(str).str.replace(_CONTROL, "", regex=True).str.strip()
        values = values[values != ""].drop_duplicates().head(SAMPLE_VALUES)
        out[header] = [v if len(v) <= SAMPLE_CHARS else v[:SAMPLE_CHARS - 1] + "…" for v in values]
    return out


def _has_control(column: pd.Series) -> bool:
    """Whether a text column may hold a control character: its data buffers, as UTF-8 bytes, shrink when
    those bytes are deleted (UTF-8 never uses them inside another character). A yes is checked per cell."""
    try:
        arr = clean._arrow(column)
    except (TypeError, ValueError, pa.ArrowException):
        return True
    for chunk in arr.chunks:
        buffers = chunk.buffers()
        if len(buffers) < 3 or buffers[2] is None:
            continue
        data = buffers[2].to_pybytes()
        if len(data.translate(None, _CONTROL_BYTES)) != len(data):
            return True
    return False


def strip_controls(raw: RawTable) -> dict[int, list[int]]:
    """Remove control characters (NUL bytes and the like, never tab or newline) from the text cells of
    ``raw`` in place; return the file rows touched, by column position. The value is kept: a damaged
    cell is a note on its row, not a reason to refuse the row or the file."""
    touched: dict[int, list[int]] = {}
    for position in raw.frame.columns:
        column = raw.frame[position]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        if not _has_control(column):  # one pass over the column's bytes: almost every column is clean
            continue
        text = column.astype("string")
        hit = text.str.contains(_CONTROL.pattern, regex=True, na=False).to_numpy(dtype=bool)  # pattern text: arrow
        if hit.any():
            raw.frame.loc[hit, position] = text[hit].str.replace(_CONTROL, "", regex=True).astype(object).to_numpy()
            touched[position] = [int(r) for r in raw.frame.index[hit]]
    return touched


def totals_rows(raw: RawTable, mapping: dict[str, str | None]) -> dict[int, str]:
    """File rows that are totals or subtotals of a report ("North East Total", "Grand total", "合計"),
    with the label found: the name (or, for figures, the ID) says total and the row has no ID of its own
    (blank, "N/a", "-"). A real enterprise named "Total Recycling CIC", or one with an ID, is kept."""
    position = {h: i for i, h in enumerate(raw.headers)}
    columns = {fld: position[h] for h, fld in mapping.items() if fld in ("name", "enterprise_id") and h in position}
    if not columns or raw.frame.empty:
        return {}
    frame = raw.frame

    def text(fld: str) -> pd.Series | None:
        pos = columns.get(fld)
        if pos is None or pos not in frame.columns:
            return None
        return frame[pos].astype("string").fillna("").str.strip()

    name, ident = text("name"), text("enterprise_id")
    labels = name if name is not None else ident
    # a cheap test of every row first (arrow), the full pattern only on the few that mention a total
    says_total = labels.str.contains(r"(?i)total|合計|小計|総計", regex=True, na=False).to_numpy(dtype=bool)
    if ident is not None and name is not None and says_total.any():
        says_total &= ident.str.casefold().isin(_NO_ID).to_numpy(dtype=bool)
    if says_total.any():
        found = np.flatnonzero(says_total)
        full = labels.iloc[found].str.match(_TOTAL_NAME).fillna(False).to_numpy(dtype=bool)
        says_total[found[~full]] = False
    return {int(r): str(v) for r, v in zip(frame.index[says_total], labels[says_total])}
