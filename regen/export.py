"""Downloads of tables as CSV and Excel, safe to open in a spreadsheet.

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) are prefixed with an apostrophe, as OWASP recommends for CSV injection; numbers are
left as numbers, and a column of floats that are all whole numbers (counts carried as floats because
some are missing) is written as whole numbers ("2016", not "2016.0"). Excel files are written with every text cell as a string, never a formula.
Only columns of the public schema are exported, so personal data cannot leave through a download.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # incl. full-width


def neutralise_text(value: object) -> object:
    """Prefix a text value with ``'`` when a spreadsheet would treat it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns cannot be run as spreadsheet formulas."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_float_dtype(series):
            values = series.to_numpy(dtype=float, na_value=float("nan"))
            present = values[~np.isnan(values)]
            if len(present) and np.all(present == np.round(present)) and np.all(np.abs(present) < 2**53):
                out[column] = series.astype("Int64")  # whole numbers written as 2016, not 2016.0
            continue
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        out[column] = series.map(neutralise_text).astype(object)
    out.columns = [neutralise_text(str(c)) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM (so Excel on Windows reads Japanese correctly), formulas neutralised."""
    return neutralise(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "enterprises") -> bytes:
    """An .xlsx workbook with one sheet; text is written as text, never as a formula."""
    buffer = io.BytesIO()
    safe = neutralise(frame)
    with pd.ExcelWriter(
        buffer,
        engine="xlsxwriter",
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}},
    ) as writer:
        safe.to_excel(writer, sheet_name=sheet[:31], index=False)
        worksheet = writer.sheets[sheet[:31]]
        for i, column in enumerate(safe.columns):
            lengths = safe[column].dropna().astype(str).str.len()
            typical = int(lengths.quantile(0.9)) if len(lengths) else 0
            worksheet.set_column(i, i, min(60, max(10, typical + 2, len(str(column)) + 2)))
        worksheet.freeze_panes(1, 0)
    return buffer.getvalue()
