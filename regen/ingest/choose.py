"""Choosing between columns that could hold the same field, by looking at their values.

:func:`regen.ingest.mapping.propose_mapping` works from headers only, so a file with two headers that
could each be the enterprise ID ("Registered Number", "CUK Organisation ID") or the year of its
figures ("Year End Date", "Economic Year") gets the first one. :func:`choose_columns` looks at (a
sample of) the values and picks the column that fits: an ID that joins the enterprises already known,
or is complete and unique; a year column holding plain years rather than full dates.

Pure pandas; never raises on odd data, and reads at most :data:`SAMPLE_ROWS` rows of a file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from regen.ingest.mapping import FIELDS, KIND_FIELDS, header_candidates, personal_header

SAMPLE_ROWS = 20_000
"""At most this many rows are looked at (evenly spaced runs of rows, so that neighbouring rows, such as
the years of one enterprise, stay together)."""
_SAMPLE_RUNS = 10

MOSTLY = 0.6
"""Share of a column's non-empty values that must look like years (or dates) for it to count as a
year (or date) column."""
JOIN_SHARE = 0.5
"""Share of a column's non-empty values that must be known enterprise IDs for it to count as joining."""

CHOICE_CODES: dict[str, str] = {
    "year_column_chosen": "Several columns could hold the year of the figures; one was chosen by its values.",
    "id_column_chosen": "Several columns could hold the enterprise ID; one was chosen by its values.",
}

_BLANKS = frozenset({"", "nan", "none", "null", "nat", "n/a", "na", "-", "--", "—"})

# Plain years: 2019, 2019.0, FY2019, 2019年, 2019年度, 令和元年度, 令和2, H30年度, 2019年3月期 (a Japanese
# fiscal year, named by the month it ends).
_PLAIN_YEAR = re.compile(
    r"^(?:fy\s*)?(?:1[89]\d\d|20\d\d|2100)(?:\.0+)?(?:\s*年度?)?$"
    r"|^(?:令和|平成|昭和)\s*(?:元|\d{1,2})\s*(?:年度?)?$|^[rhs]\s*(?:元|\d{1,2})\s*年度?$"
    r"|^(?:1[89]\d\d|20\d\d)\s*年\s*\d{1,2}\s*月期$"
)
# Fiscal years: 2019/20, 2019-20, 2019-2020, FY 2019/20 (second part the following year).
_FISCAL_YEAR = r"^(?:fy\s*)?(1[89]\d\d|20\d\d)\s*[/\-–—]\s*(\d{2}|\d{4})\s*(?:年度)?$"
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_TIME = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:z|[+\-]\d{2}:?\d{2})?)?"
# Full dates (or months) rather than years.
_DATE = re.compile(
    rf"^\d{{4}}[\-/.]\d{{1,2}}(?:[\-/.]\d{{1,2}})?{_TIME}$"
    rf"|^\d{{1,2}}[\-/.]\d{{1,2}}[\-/.]\d{{2,4}}{_TIME}$"
    rf"|^\d{{1,2}}[\-/.]\d{{4}}$"
    rf"|^(?:\d{{1,2}}(?:st|nd|rd|th)?[\s\-/]+)?{_MONTHS}[\s\-/,]+\d{{2,4}}{_TIME}$"
    rf"|^{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}$"
    r"|^(?:\d{4}|(?:令和|平成|昭和)\s*(?:元|\d{1,2}))\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?$"
    r"|^[1-9]\d{4}(?:\.0+)?$"  # spreadsheet serial day numbers (10000–99999)
)


@dataclass(frozen=True, eq=False)
class _Column:
    header: str
    index: int
    rank: int
    values: pd.Series  # stripped text, "" for blanks

    @property
    def filled(self) -> pd.Series:
        return self.values[self.values != ""]


def choose_columns(
    frame: pd.DataFrame,
    mapping: dict[str, str | None],
    kind: str | None,
    *,
    known_ids: Collection[str] | None = None,
) -> tuple[dict[str, str | None], list[tuple[str, str]]]:
    """Refine ``mapping`` (header → field or None, as proposed by ``propose_mapping``) by the values
    of ``frame`` (the file's cells as text, columns named by the headers).

    Returns the refined mapping (same keys, each field used at most once) and explanations as
    ``(code, message)``. Only two decisions are revisited: which column is the enterprise ID, and
    (for yearly figures, or a file of unknown kind) which column is the year. Every other decision
    is left as proposed. Never raises: on anything unexpected the mapping comes back unchanged.
    """
    try:
        base = {str(h): f for h, f in dict(mapping).items()}
    except Exception:  # noqa: BLE001 - a mapping we cannot even read is returned as given
        return mapping, []
    try:
        return _choose(frame, base, kind, known_ids)
    except Exception:  # noqa: BLE001 - choosing is a refinement: never fail the import over it
        return _one_each(base), []


def _choose(
    frame: pd.DataFrame, mapping: dict[str, str | None], kind: str | None, known_ids: Collection[str] | None
) -> tuple[dict[str, str | None], list[tuple[str, str]]]:
    refined = _one_each(mapping)
    notes: list[tuple[str, str]] = []
    if not isinstance(frame, pd.DataFrame) or not refined:
        return refined, notes
    allowed = set(KIND_FIELDS[kind]) if kind in KIND_FIELDS else set(FIELDS)
    sample, sampled = _sample(frame)
    headers = list(refined)
    freed: list[str] = []

    if kind in (None, "figures") and "year" in allowed:
        cands = _candidates(sample, headers, refined, "year")
        chosen, note = _choose_year(cands, _mapped(refined, "year"))
        if chosen is not None:
            freed += _assign(refined, "year", chosen)
        if note:
            notes.append(("year_column_chosen", note))

    if "enterprise_id" in allowed:
        cands = _candidates(sample, headers, refined, "enterprise_id")
        year_header = _mapped(refined, "year") if kind == "figures" else None
        year = _values(sample, year_header) if year_header else None
        chosen, note = _choose_id(cands, _mapped(refined, "enterprise_id"), year, known_ids, sampled)
        if chosen is not None:
            freed += _assign(refined, "enterprise_id", chosen)
        if note:
            notes.append(("id_column_chosen", note))

    # A column no longer read for its field takes another field that fits it, if one is free.
    for header in freed:
        if refined.get(header) is not None or personal_header(header):
            continue
        taken = {f for f in refined.values() if f}
        for _rank, fld in sorted(header_candidates(header)):
            if fld in allowed and fld not in taken:
                refined[header] = fld
                break
    return refined, notes


# --- Helpers -----------------------------------------------------------------------------------

def _one_each(mapping: Mapping[str, str | None]) -> dict[str, str | None]:
    """The mapping with each field used at most once (the first header keeps it)."""
    out: dict[str, str | None] = {}
    seen: set[str] = set()
    for header, fld in mapping.items():
        f = fld if isinstance(fld, str) and fld else None
        if f in seen:
            f = None
        if f:
            seen.add(f)
        out[header] = f
    return out


def _mapped(mapping: Mapping[str, str | None], fld: str) -> str | None:
    return next((h for h, f in mapping.items() if f == fld), None)


def _assign(mapping: dict[str, str | None], fld: str, header: str) -> list[str]:
    """Map ``header`` to ``fld``; return the header that lost it (now None), if any."""
    previous = _mapped(mapping, fld)
    if previous == header:
        return []
    if previous is not None:
        mapping[previous] = None
    mapping[header] = fld
    return [previous] if previous is not None else []


def _sample(frame: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    n = len(frame)
    if n <= SAMPLE_ROWS:
        return frame, False
    run = SAMPLE_ROWS // _SAMPLE_RUNS
    starts = np.linspace(0, n - run, _SAMPLE_RUNS).astype(np.int64)
    rows = np.unique(np.concatenate([np.arange(s, s + run) for s in starts]))
    return frame.iloc[rows], True


def _values(sample: pd.DataFrame, header: str) -> pd.Series | None:
    """A column of the sample as stripped text, blanks as "" (None when the frame has no such column)."""
    positions = [i for i, c in enumerate(sample.columns) if str(c) == header]
    if not positions:
        return None
    col = sample.iloc[:, positions[0]]
    col = pd.Series(col.to_numpy(dtype=object), dtype=object)
    text = col.where(col.notna(), "").map(_cell_text)
    text = text.str.normalize("NFKC").str.strip()
    return text.where(~text.str.casefold().isin(_BLANKS), "")


def _cell_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    try:
        return str(value)
    except Exception:  # noqa: BLE001
        return ""


def _candidates(
    sample: pd.DataFrame, headers: list[str], mapping: Mapping[str, str | None], fld: str
) -> list[_Column]:
    """Columns that could hold ``fld``: mapped to it now, or unmapped with a header that could be it.
    Columns mapped to another field, and personal data, are left alone."""
    out: list[_Column] = []
    for index, header in enumerate(headers):
        current = mapping.get(header)
        ranks = [r for r, f in header_candidates(header) if f == fld]
        if current == fld:
            rank = min(ranks, default=0)
        elif current is None and ranks and not personal_header(header):
            rank = min(ranks)
        else:
            continue
        values = _values(sample, header)
        if values is None:
            continue
        out.append(_Column(header, index, rank, values))
    return out


def _quote(header: str) -> str:
    return f"'{header}'"


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


# --- Year --------------------------------------------------------------------------------------

def _year_like(values: pd.Series) -> pd.Series:
    low = values.str.casefold()
    plain = low.str.match(_PLAIN_YEAR)
    parts = low.str.extract(_FISCAL_YEAR)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    fiscal = ((second == (first + 1) % 100) & (parts[1].str.len() == 2)) | (second == first + 1)
    return plain.fillna(False).astype(bool) | fiscal.fillna(False).astype(bool)


def _date_like(values: pd.Series) -> pd.Series:
    return values.str.casefold().str.match(_DATE).fillna(False).astype(bool)


def _choose_year(cands: list[_Column], current: str | None) -> tuple[str | None, str | None]:
    """The year column (None: keep the mapping) and a note when there was a choice to make."""
    scored = []
    for c in cands:
        filled = c.filled
        n = len(filled)
        year_like = _year_like(filled) if n else None
        years = int(year_like.sum()) if n else 0
        dates = int((_date_like(filled) & ~year_like).sum()) if n else 0
        if n and years / n >= MOSTLY and years > dates:
            kind = "years"
        elif n and dates / n >= MOSTLY:
            kind = "dates"
        else:
            kind = "other" if n else "empty"
        scored.append((c, kind, years / n if n else 0.0, dates / n if n else 0.0, len(c.values) - n))
    if len(scored) < 2:
        return None, None
    years = [s for s in scored if s[1] == "years"]
    dates = [s for s in scored if s[1] == "dates"]
    if years:
        best = min(years, key=lambda s: (-round(s[2], 2), s[4], s[0].rank, s[0].header != current, s[0].index))
        reason = "plain years"
    elif dates:
        now = next((s for s in dates if s[0].header == current), None)
        best = now or min(dates, key=lambda s: (-round(s[3], 2), s[4], s[0].rank, s[0].index))
        reason = "dates (no column holds plain years)"
    else:
        return None, None
    others = [s for s in scored if s is not best]
    described = {"years": "plain years", "dates": "full dates", "other": "values that are not years",
                 "empty": "no values"}
    rest = "; ".join(f"{_quote(s[0].header)} holds {described[s[1]]}" for s in others)
    note = f"The year is read from {_quote(best[0].header)}, which holds {reason}; {rest}."
    return best[0].header, note


# --- Enterprise ID -----------------------------------------------------------------------------

_DECIMAL_ZERO = re.compile(r"^(\d+)\.0+$")


def _loose_id(value: object) -> str:
    """A looser form of an ID for joining: width, case and spaces ignored, "123.0" and "00123" read as
    "123". Plain Python: it runs over every known ID, and per-string regexes in pandas are slower."""
    s = _cell_text(value)
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    s = s.casefold()
    if any(ch.isspace() for ch in s):
        s = "".join(s.split())
    if "." in s:
        m = _DECIMAL_ZERO.match(s)
        if m:
            s = m.group(1)
    if s.isdigit():
        s = s.lstrip("0") or "0"
    return s


class _Known:
    """Known enterprise IDs, matched exactly first and loosely only if needed."""

    def __init__(self, ids: Iterable[object]):
        try:
            self.exact = ids if isinstance(ids, (set, frozenset)) else set(ids)
        except TypeError:
            self.exact = set()
        self._loose: set[str] | None = None

    def __bool__(self) -> bool:
        return bool(self.exact)

    def share(self, filled: pd.Series) -> float:
        if not len(filled):
            return 0.0
        exact = _found(filled, self.exact)
        if exact >= JOIN_SHARE:
            return exact
        if self._loose is None:
            self._loose = {_loose_id(x) for x in self.exact if x is not None} - {""}
        return max(exact, _found(pd.Series([_loose_id(v) for v in filled.tolist()], dtype=object), self._loose))


def _found(values: pd.Series, known: Collection[object]) -> float:
    """Share of ``values`` in ``known`` (a plain set lookup per value: the sample is small, the set may
    be large, and hashing it again as pandas' ``isin`` does would be slow)."""
    if not len(values) or not known:
        return 0.0
    hits = 0
    for value in values.tolist():
        try:
            hits += value in known
        except TypeError:
            pass
    return hits / len(values)


def _choose_id(
    cands: list[_Column], current: str | None, year: pd.Series | None,
    known_ids: Collection[str] | None, sampled: bool,
) -> tuple[str | None, str | None]:
    if len(cands) < 2:
        return None, None
    known = _Known(known_ids) if known_ids is not None else None
    stats = []
    for c in cands:
        filled = c.filled
        blanks = len(c.values) - len(filled)
        keys = filled if year is None else filled + "\x1f" + year.reindex(filled.index).fillna("")
        dup_rows = int(keys.duplicated().sum())
        counts = keys.value_counts()
        repeated = int((counts > 1).sum())
        share = known.share(filled) if known else 0.0
        joins = bool(known) and share >= JOIN_SHARE
        complete = len(filled) > 0 and blanks == 0 and dup_rows == 0
        stats.append((c, blanks, repeated, dup_rows, share, joins, complete, len(filled)))
    if all(s[7] == 0 for s in stats):
        return None, None

    def key(s):
        c, blanks, _repeated, dups, share, joins, complete, n = s
        return (not joins, not complete, -round(share, 2) if joins else 0.0, n == 0, blanks + dups, c.rank,
                c.header != current, c.index)

    best = min(stats, key=key)
    per = " per enterprise and year" if year is not None else ""
    where = f" (from the {len(best[0].values):,} rows checked)" if sampled else ""

    def describe(s) -> str:
        c, blanks, repeated, _dups, share, _joins, complete, n = s
        if n == 0:
            text = f"{_quote(c.header)} is empty"
        elif complete:
            text = f"{_quote(c.header)} is complete and unique{per}"
        else:
            what = "repeated value" if year is None else "repeated enterprise-and-year pair"
            bad = [f"{blanks:,} blank{'s' if blanks != 1 else ''}"] if blanks else []
            bad += [f"{repeated:,} {what}{'s' if repeated != 1 else ''}"] if repeated else []
            text = f"{_quote(c.header)} has " + " and ".join(bad)
        if known and n:
            text += f" ({_share(round(share * n), n)} of its values match known enterprises)"
        return text

    if best[5]:
        why = "its values match the enterprises already known"
    elif best[6]:
        why = "it is complete and unique" + per
    else:
        why = "it has the fewest blanks and repeated values"
    others = "; ".join(describe(s) for s in stats if s is not best)
    note = f"The enterprise ID is read from {_quote(best[0].header)} because {why}{where}: {others}; {describe(best)}."
    return best[0].header, note
