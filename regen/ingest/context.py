"""The reading context of one table (:class:`Context`): the file's columns by field, the problems and
notes recorded, columns parsed once (on a helper thread for large files), the analyst's value mapping;
and small column helpers shared by the builders."""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

import numpy as np
import pandas as pd

from regen.ingest import clean
from regen.ingest.mapping import norm
from regen.ingest.read import RawTable
from regen.ingest.result import Note
from regen.vocab import OTHER, UNKNOWN


NOTE_ROWS = 20
PARALLEL_ROWS = 50_000  # from this many rows, columns are cleaned on two threads


class Context:
    def __init__(self, raw: RawTable, mapping: dict[str, str | None], kind: str):
        self.raw = raw
        self.kind = kind
        self.mapping = mapping
        self.index = raw.frame.index
        self.position = {h: i for i, h in enumerate(raw.headers)}
        self.source: dict[str, str] = {}  # field → file column
        for header, fld in mapping.items():
            if fld and fld not in self.source:
                self.source[fld] = header
        self.problems: list[tuple[object, str | None, object, str, str, str]] = []  # (row, field, value, ...)
        # Values left out of a row that is kept (an unreadable founding year ...): same shape as problems.
        self.dropped: list[tuple[object, str | None, object, str, str, str]] = []
        self.notes: list[Note] = []
        self.fallback_column: dict[str, str] = {}
        self._text_cache: dict[str, pd.Series | None] = {}
        self._postcodes: tuple | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._pending: dict[tuple, Future] = {}
        self.values: dict[str, dict[str, str]] = {}  # the analyst's value mapping: field → {value: code}
        self.value_tables: dict[str, pd.DataFrame] = {}  # what record_values found, per field
        self._mappers: dict[tuple, object] = {}

    # Cleaning a column is pure work on that column (arrow kernels, which release the GIL): for
    # large files the columns needed later are cleaned on a second thread while this one works on
    # the others. Problems and notes are still recorded here, in the same order.
    def start_helper(self) -> None:
        if len(self.index) >= PARALLEL_ROWS and (os.cpu_count() or 1) > 1:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="regen-ingest")

    def stop_helper(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._pending.clear()

    def prefetch(self, *jobs: tuple) -> None:
        """Start cleaning columns ahead of use: jobs are ("numbers", field, coordinate), ("years", field),
        ("vocabulary", field, mapper) or ("postcodes",), for the columns the file has."""
        if self._pool is None:
            return
        for job in jobs:
            kind, fld = job[0], (job[1] if len(job) > 1 else "postcode")
            col = self.raw_col(fld)
            if kind == "vocabulary":
                job = (kind, fld, self.with_values(fld, job[2]))
            if col is None or job in self._pending:
                continue
            if kind == "numbers":
                task = partial(clean.numbers, col, decimal_comma=self.raw.decimal_comma, coordinate=job[2])
            elif kind == "years":
                task = partial(clean.years, col)
            elif kind == "vocabulary":
                task = partial(clean.vocabulary, col, job[2])
            else:
                task = partial(clean.postcodes, col)
            self._pending[job] = self._pool.submit(_quietly, task)

    def _computed(self, key: tuple, task):
        future = self._pending.pop(key, None)
        return future.result() if future is not None else task()

    # columns
    def raw_col(self, fld: str) -> pd.Series | None:
        header = self.source.get(fld)
        if header is None:
            return None
        return self.raw.frame[self.position[header]]

    def text(self, fld: str) -> pd.Series | None:
        if fld not in self._text_cache:
            col = self.raw_col(fld)
            if col is None:
                self._text_cache[fld] = None
            elif clean.few_distinct(col):
                self._text_cache[fld] = clean.text_codes(col)[0]
            else:
                self._text_cache[fld] = clean.text(col)
        return self._text_cache[fld]

    def postcodes(self) -> tuple[pd.Series, pd.Series, pd.Series] | None:
        """The postcode column cleaned (formatted, country, invalid), once; None without one."""
        col = self.raw_col("postcode")
        if col is not None and self._postcodes is None:
            self._postcodes = self._computed(("postcodes",), partial(clean.postcodes, col))
        return None if col is None else self._postcodes

    def column_of(self, fld: str | None) -> str | None:
        if fld is None:
            return None
        return self.source.get(fld) or self.fallback_column.get(fld) or fld

    # problems and notes
    def flag(self, mask: pd.Series, fld: str | None, code: str, reason: str, detail: str = "",
             values: pd.Series | None = None, *, keep_row: bool = False) -> None:
        """Report the rows of ``mask``: left out, or with ``keep_row`` kept without this field's value."""
        mask = mask.fillna(False).astype(bool) if mask.dtype != bool else mask
        if not mask.any():
            return
        rows = self.index[mask.to_numpy()]
        if values is None:
            values = self.raw_col(fld) if fld else None
        vals = values[mask].tolist() if values is not None else [None] * len(rows)
        into = self.dropped if keep_row else self.problems
        for row, value in zip(rows.tolist(), vals):
            into.append((row, fld, value, code, reason, detail))

    def note(self, code: str, message: str, fld: str | None = None, mask: pd.Series | None = None, *,
             detail: str = "", merge: bool = False) -> None:
        """Record a note on the rows of ``mask``; with ``merge``, add them to an earlier note of the same code
        and column if there is one."""
        if mask is not None:
            mask = mask.fillna(False).astype(bool)
            count = int(mask.sum())
            if not count:
                return
            rows = [int(r) for r in self.index[mask.to_numpy()][:NOTE_ROWS].tolist()]
        else:
            count, rows = 0, []
        column = self.column_of(fld) if fld else None
        earlier = next((n for n in self.notes if n.code == code and n.column == column), None) if merge else None
        if earlier is None:
            self.notes.append(Note(code, message, column, rows, count, detail))
        else:
            earlier.rows = sorted(set(earlier.rows) | set(rows))[:NOTE_ROWS]
            earlier.count += count

    def note_approx(self, fld: str, parsed: clean.Parsed) -> None:
        mask = parsed.approx & parsed.values.notna()
        if mask.any():
            examples = ", ".join(repr(v) for v in pd.unique(self.raw_col(fld)[mask])[:3])
            self.note("approximate", f"{int(mask.sum())} value(s) are approximate ({examples}); the number was kept",
                      fld, mask)

    # parsed columns
    def numbers(self, fld: str, *, coordinate: bool = False, keep_row: bool = True) -> clean.Parsed | None:
        """The column read as numbers; an unreadable value is left out (and its row kept unless the field
        is one the row cannot do without: ``keep_row=False``)."""
        col = self.raw_col(fld)
        if col is None:
            return None
        task = partial(clean.numbers, col, decimal_comma=self.raw.decimal_comma, coordinate=coordinate)
        parsed = self._computed(("numbers", fld, coordinate), task)
        what = "a coordinate" if coordinate else "a number"
        self.flag(parsed.invalid, fld, "invalid_number", f"cannot read {what} from this value", keep_row=keep_row)
        self.note_approx(fld, parsed)
        return parsed

    def years(self, fld: str, *, keep_row: bool = True) -> clean.Parsed | None:
        col = self.raw_col(fld)
        if col is None:
            return None
        parsed = self._computed(("years", fld), partial(clean.years, col))
        self.flag(parsed.invalid, fld, "invalid_year", "cannot read a year from this value", keep_row=keep_row)
        self.note_approx(fld, parsed)
        return parsed

    def vocabulary(self, fld: str, mapper, code: str, reason: str, detail: str, *,
                   keep_row: bool = True) -> pd.Series | None:
        """Codes for the column's values: the analyst's value mapping first (``values``), then ``mapper``.
        Values neither knows are reported with ``code`` (the value left out; see :meth:`categories` for
        fields where they become "other")."""
        col = self.raw_col(fld)
        if col is None:
            return None
        mapper = self.with_values(fld, mapper)
        codes, unknown = self._computed(("vocabulary", fld, mapper), partial(clean.vocabulary, col, mapper))
        self.flag(unknown, fld, code, reason, detail, keep_row=keep_row)
        return codes

    def categories(self, fld: str, mapper) -> tuple[pd.Series, pd.Series]:
        """(codes, the file's text where the code is "other") for a categorical field. A value neither the
        analyst's value mapping nor ``mapper`` knows becomes "other" with its text kept; a blank, or no
        column at all, is "unknown". Nothing is rejected."""
        idx = self.index
        col = self.raw_col(fld)
        if col is None:
            return pd.Series(UNKNOWN, index=idx, dtype=object), pd.Series(None, index=idx, dtype=object)
        chosen = self.with_values(fld, mapper)
        codes, unknown = self._computed(("vocabulary", fld, chosen), partial(clean.vocabulary, col, chosen))
        cleaned = self.text(fld)
        out = as_text(codes, idx)
        out = out.where(~unknown.to_numpy(), OTHER).where(cleaned.notna().to_numpy(), UNKNOWN)
        original = as_text(cleaned, idx).where((out == OTHER).to_numpy())
        self.record_values(fld, cleaned, out, mapper)
        other = out == OTHER
        if other.any():
            self.note("values_other", "values that match no code were kept as 'other', with the text as written",
                      fld, other, detail=top_values(cleaned[other]))
        return out, original

    def record_values(self, fld: str, cleaned: pd.Series, codes: pd.Series, mapper) -> None:
        """Each distinct value of a categorical field with its count, the code used and the code proposed
        (what the vocabulary alone gives), for the value-mapping step (``IngestResult.values``)."""
        positions, uniques = pd.factorize(cleaned, use_na_sentinel=True)  # a code per distinct value
        counts = np.bincount(positions[positions >= 0], minlength=len(uniques))
        _seen, first = np.unique(positions, return_index=True)  # the first row of each value (-1: blanks)
        used = codes.to_numpy(dtype=object, na_value=None)
        values = [""] if (positions < 0).any() else []
        counted = [int((positions < 0).sum())] if values else []
        firsts = list(first[_seen < 0]) if values else []
        table = pd.DataFrame({
            "value": values + [str(v) for v in uniques],
            "count": counted + counts.tolist(),
            "code": [used[i] or "" for i in firsts + list(first[_seen >= 0])],
        })
        table = table.sort_values(["count", "value"], ascending=[False, True], kind="stable").reset_index(drop=True)
        chosen = {norm(v): c for v, c in (self.values.get(fld) or {}).items() if c}

        def proposed(value: str) -> str:
            if not value:
                return UNKNOWN if fld in ("legal_form", "sector", "region", "area") else ""
            code = mapper(value)
            return code or (OTHER if fld in ("legal_form", "sector") else "")

        table["proposed"] = [proposed(v) for v in table["value"]]
        table["mapped"] = [bool(v) and norm(v) in chosen for v in table["value"]]
        table["count"] = table["count"].astype(int)
        self.value_tables[fld] = table[["value", "count", "code", "proposed", "mapped"]]

    def with_values(self, fld: str, mapper):
        """``mapper`` preceded by the analyst's choices for this field's values (matched loosely)."""
        chosen = {norm(value): code for value, code in (self.values.get(fld) or {}).items() if code}
        if not chosen:
            return mapper
        key = ("values", fld, mapper)
        if key not in self._mappers:
            def mapped(value, _chosen=chosen, _mapper=mapper):
                code = _chosen.get(norm(value))
                return code if code is not None else _mapper(value)
            self._mappers[key] = mapped
        return self._mappers[key]


def top_values(values: pd.Series, n: int = 3) -> str:
    """The most frequent few values, quoted, for a note's detail."""
    top = values.dropna().astype(str).value_counts().head(n)
    return ", ".join(f"'{v}' ({c})" for v, c in top.items())


def _quietly(task):
    with np.errstate(all="ignore"):  # as read_table does on its own thread (errstate is per thread)
        return task()


def int_years(parsed: clean.Parsed | None, index: pd.Index) -> pd.Series:
    if parsed is None:
        return pd.Series(pd.NA, index=index, dtype="Int64")
    return whole(parsed.values)


def whole(values: pd.Series) -> pd.Series:
    """Floats → nullable integers, rounding; values too large for an integer become missing (the caller
    has flagged them)."""
    values = values.where(values.abs() < 1e15)
    return values.round().astype("Int64")


def empty_text(index: pd.Index) -> pd.Series:
    return pd.Series(np.nan, index=index, dtype="str")


def as_text(series: pd.Series | None, index: pd.Index) -> pd.Series:
    """A text column as pandas' arrow-backed ``str`` dtype (missing = NaN); empty when None."""
    if series is None:
        return empty_text(index)
    if series.dtype == "str":
        return series
    return series.astype("str")
