"""Vectorised cleaning of text cells into numbers, years, codes and postcodes.

Each parser handles the common clean forms of a whole column at once with pyarrow compute (plain
numbers, "1,200", ISO dates, ...); whatever is left (the messy residue: "approx 15", "平成15年",
"£1.2m") is parsed once per distinct value, never once per row.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MISSING_TOKENS = frozenset({
    "", "n/a", "na", "n.a.", "n.a", "n / a", "-", "--", "---", "—", "–", "‐", "−", "none", "null", "nil", "nan",
    "?", "??", "unknown", "not known", "tbc", "tbd", "x", ".", "…", "...", "不明", "なし", "無し", "無", "ー", "―",
    "未定", "未記入", "該当なし", "非公開", "#n/a", "#value!", "#ref!", "#div/0!",
})


def _arrow(series: pd.Series) -> pa.ChunkedArray:
    """The column as an arrow string array (zero-copy for pandas' arrow-backed ``str`` dtype)."""
    arr = series.array
    if isinstance(arr, pd.arrays.ArrowStringArray):
        out = arr.__arrow_array__()
        return out if isinstance(out, pa.ChunkedArray) else pa.chunked_array([out])
    values = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v)
              for v in series.tolist()]
    return pa.chunked_array([pa.array(values, type=pa.large_string(), from_pandas=True)])


def to_series(arr: pa.ChunkedArray | pa.Array, index: pd.Index) -> pd.Series:
    """An arrow string array back to a pandas ``str`` Series on ``index``."""
    if isinstance(arr, pa.ChunkedArray) and arr.num_chunks != 1:
        arr = arr.combine_chunks()
    return pd.Series(arr.to_pandas().array, index=index, dtype="str")


def map_values(series: pd.Series, func) -> pd.Series:
    """Apply ``func`` (text → text or None) once per distinct value; returns a ``str`` Series."""
    if series.empty:
        return pd.Series([], index=series.index, dtype="str")
    enc = pc.dictionary_encode(_arrow(series)).combine_chunks()
    mapped = pa.array([func(v) for v in enc.dictionary.to_pylist()], type=pa.large_string())
    return to_series(pc.take(mapped, enc.indices), series.index)


def map_keep(series: pd.Series, func) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Apply ``func`` (text → text or None) once per distinct value, keeping a cell as written where
    it gives None: (result, mask of cells ``func`` gave a value for, mask of cells it changed).

    The same as ``mapped = map_values(series, func)`` then ``mapped`` where present, else ``series``,
    with one pass over the column; the column itself is returned when nothing changes."""
    n = len(series)
    if not n:
        return series.astype("str"), np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    enc = pc.dictionary_encode(_arrow(series)).combine_chunks()
    mapped = pa.array([func(v) for v in enc.dictionary.to_pylist()], type=pa.large_string())
    dictionary = enc.dictionary.cast(pa.large_string())
    hit_dict = pc.is_valid(mapped)
    changed_dict = pc.and_(hit_dict, pc.fill_null(pc.not_equal(mapped, dictionary), True))
    hit = pc.fill_null(pc.take(hit_dict, enc.indices), False).to_numpy(zero_copy_only=False)
    changed = pc.fill_null(pc.take(changed_dict, enc.indices), False).to_numpy(zero_copy_only=False)
    if not changed.any():
        return (series if series.dtype == "str" else to_series(_arrow(series), series.index)), hit, changed
    return to_series(pc.take(pc.coalesce(mapped, dictionary), enc.indices), series.index), hit, changed


def contains(series: pd.Series, pattern: str, *, non_ascii: bool = False) -> pd.Series:
    """Regex search (RE2 syntax) over a text column; missing → False. ``non_ascii``: the pattern can
    only match non-ASCII text, so ASCII cells are skipped."""
    if series.empty:
        return pd.Series([], index=series.index, dtype=bool)
    arr = _arrow(series)
    if non_ascii:
        ascii_ = pc.fill_null(pc.string_is_ascii(arr), True).to_numpy(zero_copy_only=False)
        if ascii_.all():
            return pd.Series(False, index=series.index, dtype=bool)
        if ascii_.mean() > 0.5:  # search the non-ASCII cells only
            others = np.flatnonzero(~ascii_)
            hits = pc.fill_null(pc.match_substring_regex(pc.take(arr, pa.array(others)), pattern), False)
            found = np.zeros(len(series), dtype=bool)
            found[others] = hits.to_numpy(zero_copy_only=False)
            return pd.Series(found, index=series.index, dtype=bool)
    found = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=series.index, dtype=bool)


_COMPATIBILITY = r"[\x{a0}\x{b2}\x{b3}\x{b9}\x{300}-\x{36f}\x{2000}-\x{206f}\x{2100}-\x{24ff}\x{3000}-\x{30ff}\x{3200}-\x{33ff}\x{f900}-\x{ffef}]"


def _normalise(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """NFKC (full-width → half-width, half-width kana → full-width ...) where needed, and trimmed.

    Only non-ASCII cells are looked at, and only those with compatibility characters normalised."""
    ascii_ = pc.fill_null(pc.string_is_ascii(arr), True)
    if not pc.all(ascii_).as_py():
        others = np.flatnonzero(~ascii_.to_numpy(zero_copy_only=False))
        sub = pc.take(arr, pa.array(others))
        needs = pc.fill_null(pc.match_substring_regex(sub, _COMPATIBILITY), False).to_numpy(zero_copy_only=False)
        if needs.any():
            positions = others[needs]
            fixed = pc.utf8_normalize(pc.take(arr, pa.array(positions)), "NFKC")
            mask = np.zeros(len(arr), dtype=bool)
            mask[positions] = True
            whole = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
            fixed = fixed.combine_chunks() if isinstance(fixed, pa.ChunkedArray) else fixed
            arr = pa.chunked_array([pc.replace_with_mask(whole, pa.array(mask), fixed)])
    return pc.utf8_trim_whitespace(arr)


def _series(values, index) -> pd.Series:
    return pd.Series(values, index=index)


def _codes(values: np.ndarray | None, n: int, index) -> pd.Series:
    """An object array of codes and None (None: all missing) as a ``str`` Series, built in arrow
    (pandas would look at every cell to infer the type)."""
    if values is None:
        return to_series(pa.nulls(n, pa.large_string()), index)
    return to_series(pa.array(values, type=pa.large_string(), from_pandas=True), index)


def _buffers_contain(arr: pa.ChunkedArray, needles: tuple[bytes, ...]) -> bool:
    """Whether any needle occurs in the arrays' data buffers (a quick whole-column test; a hit may be
    outside the array's slice, so it only says that a closer look is needed)."""
    for chunk in arr.chunks:
        buffers = chunk.buffers()
        if len(buffers) < 3 or buffers[2] is None:
            continue
        data = buffers[2].to_pybytes()
        if any(needle in data for needle in needles):
            return True
    return False


def text(series: pd.Series, *, nfkc: bool = True) -> pd.Series:
    """Text cells trimmed, with runs of whitespace (newlines too) collapsed to one space; empty → NA."""
    if series.empty:
        return series.astype("str")
    arr = _arrow(series)
    arr = _normalise(arr) if nfkc else pc.utf8_trim_whitespace(arr)
    if _buffers_contain(arr, (b"  ", b"\n", b"\r", b"\t", b"\x0b", b"\x0c")):
        needs = pc.fill_null(pc.match_substring_regex(arr, r"\s\s|[\t\r\n\v\f]"), False)
        if pc.any(needs).as_py():
            arr = pc.if_else(needs, pc.replace_substring_regex(arr, r"\s+", " "), arr)
            arr = pc.utf8_trim_whitespace(arr)
    empty = pc.equal(arr, "")
    if pc.any(empty).as_py():
        arr = pc.if_else(empty, None, arr)
    return to_series(arr, series.index)


# --- Numbers --------------------------------------------------------------------------------------

@dataclass
class Parsed:
    """Result of parsing a column: values plus flags, all aligned with the input index."""

    values: pd.Series
    approx: pd.Series  # bool
    invalid: pd.Series  # bool: a value was there but could not be read
    currency: pd.Series | None = None  # "GBP" / "JPY" / other code / NA, from signs in the cell


_APPROX_PREFIX = re.compile(
    r"^(?:approx(?:imately)?\.?|about|around|roughly|nearly|almost|circa|ca\.?|c\.|c(?=\s*\d)|est(?:imated?)?\.?|"
    r"~|≈|±|約|およそ|凡そ|概ね|大体|推定|推計|over|more than|less than|under|up to|at least|>|<|≥|≤)\s*")
_APPROX_SUFFIX = re.compile(
    r"\s*(?:\+|or more|or so|plus|odd|ish|approx\.?|est\.?|\(approx\.?\)|\(est\.?\)|\(estimate\)|以上|程度|前後|"
    r"くらい|ぐらい|位|ほど|超|強|弱|余り|あまり|余|以下|未満|頃|ごろ|年代|s)$")
_UNIT_SUFFIX = re.compile(
    r"\s*(?:people|persons?|staff|employees|jobs|fte|ftes|volunteers|人|名|人分|件|団体|事業所|per annum|p\.?a\.?|"
    r"/yr|/year|a year|per year|年間)$")
_RANGE = re.compile(r"^(\d[\d,.' ]*)\s*(?:-|–|—|〜|~|to|から)\s*(\d[\d,.' ]*)$")
_MULTIPLIERS = (
    (re.compile(r"\s*(?:bn|billion)$"), 1e9),
    (re.compile(r"\s*(?:m|mn|mil|million|mill)$"), 1e6),
    (re.compile(r"\s*(?:k|thousand)$"), 1e3),
    (re.compile(r"\s*百万$"), 1e6),
    (re.compile(r"\s*億$"), 1e8),
    (re.compile(r"\s*万$"), 1e4),
    (re.compile(r"\s*千$"), 1e3),
)


def _to_float(token: str, decimal_comma: bool) -> float | None:
    tok = re.sub(r"(?<=\d)[ '’](?=\d)", "", token.strip())
    if re.fullmatch(r"(?:\d+(?:\.\d+)?|\.\d+|\d+\.)(?:e[+-]?\d{1,3})?", tok):
        return float(tok)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", tok):
        return float(tok.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+", tok) or re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", tok):
        return float(tok.replace(".", "").replace(",", "."))
    if decimal_comma and re.fullmatch(r"\d{1,3}(?:\.\d{3})+", tok):
        return float(tok.replace(".", ""))
    m = re.fullmatch(r"(\d+),(\d+)", tok)
    if m:
        return float(f"{m.group(1)}.{m.group(2)}")
    return None


def _currency_of(low: str) -> tuple[str | None, str]:
    """Currency named by a sign or code in ``low`` (case-folded), and the text without it."""
    table = (
        (r"£|\bgbp\b|\bpounds?\b|ポンド", "GBP"),
        (r"¥|円|\bjpy\b|\byen\b", "JPY"),
        (r"\$|\busd\b|\bdollars?\b|ドル", "USD"),
        (r"€|\beur\b|\beuros?\b|ユーロ", "EUR"),
    )
    for pattern, code in table:
        if re.search(pattern, low):
            return code, re.sub(pattern, " ", low).strip()
    return None, low


def parse_number_text(value: str, decimal_comma: bool = False) -> tuple[float, bool, str | None, str]:
    """Parse one messy cell: (value, approximate, currency, status) with status "ok", "missing" or
    "invalid". "£12,500.00" → 12500.0; "approx 15" / "c. 20" / "15+" → approximate; "1,200万円" → 12000000."""
    low = unicodedata.normalize("NFKC", value).strip().casefold()
    if low in MISSING_TOKENS:
        return math.nan, False, None, "missing"
    currency, low = _currency_of(low)
    approx = False
    negative = False
    for _ in range(4):
        before = low
        m = _APPROX_PREFIX.match(low)
        if m and m.end() > 0:
            approx, low = True, low[m.end():]
        m = _APPROX_SUFFIX.search(low)
        if m and m.start() > 0 and not re.search(r"\d's$", low):
            approx, low = True, low[:m.start()]
        m = _UNIT_SUFFIX.search(low)
        if m and m.start() > 0:
            low = low[:m.start()]
        low = low.strip(" :=.").strip()
        if low.startswith("(") and low.endswith(")"):
            negative, low = True, low[1:-1].strip()
        if low.startswith("-") and len(low) > 1 and low[1:2].isdigit():
            negative, low = not negative, low[1:]
        elif low.startswith("+") and len(low) > 1:
            low = low[1:]
        if low == before:
            break
    if not low:
        return math.nan, False, currency, "invalid"
    # Japanese large-number units written together: 1億2,000万 → 120,000,000
    m = re.fullmatch(r"(?:([\d,.]+)億)?\s*(?:([\d,.]+)万)?\s*(?:([\d,.]+)千)?\s*([\d,.]+)?", low)
    if m and any(m.groups()[:3]) and (m.group(1) or m.group(2) or m.group(3)):
        total = 0.0
        for part, mult in zip(m.groups(), (1e8, 1e4, 1e3, 1.0)):
            if part:
                number = _to_float(part, decimal_comma)
                if number is None:
                    return math.nan, approx, currency, "invalid"
                total += number * mult
        return (-total if negative else total), approx, currency, "ok"
    multiplier = 1.0
    for pattern, mult in _MULTIPLIERS:
        m = pattern.search(low)
        if m and m.start() > 0 and re.search(r"\d$", low[:m.start()].strip()):
            multiplier, low = mult, low[:m.start()].strip()
            break
    m = _RANGE.match(low)
    if m:
        a, b = _to_float(m.group(1), decimal_comma), _to_float(m.group(2), decimal_comma)
        if a is None or b is None or b < a:
            return math.nan, approx, currency, "invalid"
        number = (a + b) / 2
        return number * multiplier, True, currency, "ok"
    number = _to_float(low, decimal_comma)
    if number is None:
        return math.nan, approx, currency, "invalid"
    number *= multiplier
    return (-number if negative else number), approx, currency, "ok"


_PLAIN_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?$"
_THOUSANDS = r"^[£¥$€]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"


def _try_cast(arr: pa.ChunkedArray, to: pa.DataType) -> pa.ChunkedArray | None:
    """The whole column cast at once when every cell is a plain number (the common case), else None."""
    if not pc.all(pc.fill_null(pc.string_is_ascii(arr), True)).as_py():
        return None
    try:
        out = pc.cast(arr, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if pa.types.is_floating(to):
        # "nan"/"inf" are not numbers a person wrote; leave such columns to the careful route.
        finite = pc.is_finite(out)
        if not pc.all(pc.fill_null(finite, True)).as_py():
            return None
    return out


def _residue(arr: pa.ChunkedArray, handled: pa.ChunkedArray) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Cells not yet handled: (positions, their distinct values, index of each cell's value)."""
    rest = pc.and_(pc.invert(handled), pc.is_valid(arr))
    positions = np.flatnonzero(rest.to_numpy(zero_copy_only=False))
    if not len(positions):
        return positions, [], positions
    enc = pc.dictionary_encode(pc.take(arr, pa.array(positions))).combine_chunks()
    return positions, enc.dictionary.to_pylist(), enc.indices.to_numpy(zero_copy_only=False)


def numbers(series: pd.Series, *, decimal_comma: bool = False, coordinate: bool = False) -> Parsed:
    """Parse a column of numbers written any common way; see :func:`parse_number_text`.

    The whole column is cast at once when every cell is a plain number. Otherwise the plain cells
    (the usual case) are cast at once and only the others go through the careful route; each cell's
    value depends on that cell alone, so the split changes nothing but the time taken."""
    index = series.index
    n = len(series)
    values = np.full(n, np.nan)
    approx = np.zeros(n, dtype=bool)
    invalid = np.zeros(n, dtype=bool)
    currency = None  # an object array once some cell names a currency

    def parsed() -> Parsed:
        return Parsed(_series(values, index), _series(approx, index), _series(invalid, index),
                      _codes(currency, n, index))

    if n == 0 or series.isna().all():
        return parsed()
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return parsed()
    arr = _arrow(series)
    direct = _try_cast(arr, pa.float64())
    if direct is not None:
        values = direct.to_numpy(zero_copy_only=False).astype(float)
        return parsed()
    # Plain numbers as written ("12", "-1.38", "2.5e3"): ASCII and trimmed, so cleaning would not
    # change them; cast at once. Non-finite results ("1e999") take the careful route with the rest.
    present = series.notna().to_numpy()
    digits = pc.fill_null(pc.ascii_is_decimal(arr), False).to_numpy(zero_copy_only=False)  # "1200"
    if digits.sum() * 2 >= n:  # mostly whole numbers: the pattern is only tried on the other cells
        simple = digits.copy()
        others = np.flatnonzero(~digits & present)
        if len(others):
            found = pc.match_substring_regex(pc.take(arr, pa.array(others)), _PLAIN_NUMBER)
            simple[others] = pc.fill_null(found, False).to_numpy(zero_copy_only=False)
        plain = pa.array(simple)
    else:
        plain = pc.fill_null(pc.match_substring_regex(arr, _PLAIN_NUMBER), False)
        simple = plain.to_numpy(zero_copy_only=False)
    if simple.any():
        cast = pc.cast(pc.filter(arr, plain), pa.float64()).to_numpy(zero_copy_only=False)
        finite = np.isfinite(cast)
        values[np.flatnonzero(simple)[finite]] = cast[finite]
        simple[np.flatnonzero(simple)[~finite]] = False
    rest = np.flatnonzero(~simple & present)
    if len(rest):
        sub_values, sub_approx, sub_invalid, sub_currency = _numbers_careful(pc.take(arr, pa.array(rest)),
                                                                             decimal_comma, coordinate)
        values[rest], approx[rest], invalid[rest] = sub_values, sub_approx, sub_invalid
        named = np.flatnonzero(pd.notna(sub_currency))
        if len(named):
            currency = np.full(n, None, dtype=object)
            currency[rest[named]] = sub_currency[named]
    return parsed()


def _careful_start(arr: pa.ChunkedArray | pa.Array) -> tuple[pa.ChunkedArray, np.ndarray, np.ndarray, np.ndarray]:
    """What the careful parsers start from: the cells normalised, empty ones as null; values all NaN,
    approximate and invalid all False."""
    if isinstance(arr, pa.Array):
        arr = pa.chunked_array([arr])
    n = len(arr)
    arr = _normalise(arr)
    arr = pc.if_else(pc.equal(arr, ""), None, arr)
    return arr, np.full(n, np.nan), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)


def _numbers_careful(arr: pa.ChunkedArray | pa.Array, decimal_comma: bool, coordinate: bool
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(values, approximate, invalid, currency) of cells that are not all plain numbers."""
    arr, values, approx, invalid = _careful_start(arr)
    currency = np.full(len(arr), None, dtype=object)
    plain = pc.fill_null(pc.match_substring_regex(arr, _PLAIN_NUMBER), False)
    if pc.any(plain).as_py():
        cast = pc.cast(pc.if_else(plain, arr, None), pa.float64())
        mask = plain.to_numpy(zero_copy_only=False)
        values[mask] = cast.to_numpy(zero_copy_only=False)[mask]
    handled = plain
    if not coordinate:
        thousands = pc.fill_null(pc.match_substring_regex(arr, _THOUSANDS), False)
        if pc.any(thousands).as_py():
            stripped = pc.if_else(thousands, arr, None)
            for sign in (",", "£", "¥", "$", "€"):
                stripped = pc.replace_substring(stripped, sign, "")
            cast = pc.cast(stripped, pa.float64())
            mask = thousands.to_numpy(zero_copy_only=False)
            values[mask] = cast.to_numpy(zero_copy_only=False)[mask]
            for sign, code in (("£", "GBP"), ("¥", "JPY"), ("$", "USD"), ("€", "EUR")):
                starts = pc.fill_null(pc.starts_with(arr, sign), False).to_numpy(zero_copy_only=False)
                currency[mask & starts] = code
            handled = pc.or_(handled, thousands)
    positions, uniq, inverse = _residue(arr, handled)
    if len(positions):
        parser = parse_coordinate_text if coordinate else parse_number_text
        parsed = [parser(u, decimal_comma) for u in uniq]
        v = np.array([p[0] for p in parsed], dtype=float)
        a = np.array([p[1] for p in parsed], dtype=bool)
        c = np.array([p[2] for p in parsed], dtype=object)
        s = np.array([p[3] for p in parsed], dtype=object)
        values[positions] = v[inverse]
        approx[positions] = a[inverse]
        currency[positions] = c[inverse]
        invalid[positions] = (s == "invalid")[inverse]
    return values, approx, invalid, currency


def parse_coordinate_text(value: str, decimal_comma: bool = False) -> tuple[float, bool, None, str]:
    """A latitude or longitude: "54.9", "54.9°N", "1.38 W", "N 54.9", "54°54'N" (degrees, minutes)."""
    low = unicodedata.normalize("NFKC", value).strip().casefold()
    if low in MISSING_TOKENS:
        return math.nan, False, None, "missing"
    sign = 1.0
    m = re.search(r"[nsew]|北緯|南緯|東経|西経", low)
    if m:
        if m.group(0) in ("s", "w", "南緯", "西経"):
            sign = -1.0
        low = re.sub(r"[nsew]|北緯|南緯|東経|西経", " ", low)
    dms = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*[°度]\s*(?:(\d+(?:\.\d+)?)\s*['′分])?\s*(?:(\d+(?:\.\d+)?)\s*(?:\"|″|''|秒))?\s*",
                       low)
    if dms:
        deg = float(dms.group(1))
        minutes = float(dms.group(2) or 0)
        seconds = float(dms.group(3) or 0)
        number = abs(deg) + minutes / 60 + seconds / 3600
        return sign * (-number if deg < 0 else number), False, None, "ok"
    low = low.replace("°", "").replace("度", "").strip()
    m = re.fullmatch(r"([+-]?)(\d+(?:[.,]\d+)?)", low)
    if not m:
        return math.nan, False, None, "invalid"
    number = float(m.group(2).replace(",", "."))
    return sign * (-number if m.group(1) == "-" else number), False, None, "ok"


# --- Years --------------------------------------------------------------------------------------

ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018}
_ERA_LETTERS = {"m": 1867, "t": 1911, "s": 1925, "h": 1988, "r": 2018}


def parse_year_text(value: str) -> tuple[float, bool, str]:
    """A year from a date or year written any common way: (year, approximate, status).

    "2015", "2015-12-31", "31/12/2015", "2015年4月", "平成15年" (2003), "令和元年" (2019), "H15",
    "２０１５年", "c. 1990", "1990s" (approximate), "31/12/15" (two-digit year, approximate)."""
    t = unicodedata.normalize("NFKC", value).strip()
    low = t.casefold()
    if low in MISSING_TOKENS:
        return math.nan, False, "missing"
    approx = False
    m = _APPROX_PREFIX.match(low)
    if m and m.end() > 0:
        approx, low = True, low[m.end():].strip()
    if re.search(r"\d0s$|\d0's$|年代|頃|ごろ|前後|\?$|early|mid|late|初頭|半ば|末|\best\b|estimated|approx|circa", low):
        approx = True
    m = re.search(r"(明治|大正|昭和|平成|令和)\s*(元|\d{1,2})\s*(?:年|[./\-]|$)", low)
    if m:
        n = 1 if m.group(2) == "元" else int(m.group(2))
        return float(ERAS[m.group(1)] + n), approx, "ok"
    m = re.match(r"^([mtshr])\.?\s*(元|\d{1,2})(?:\s*年|[./\-]|$)", low)
    if m:
        n = 1 if m.group(2) == "元" else int(m.group(2))
        return float(_ERA_LETTERS[m.group(1)] + n), approx, "ok"
    # Words other than dates and hedges ("Enterprise number 2015") mean this is not a year.
    words = re.sub(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?|"
                   r"\b(?:approx(?:imately)?|circa|about|around|roughly|founded|established|est|estimated|"
                   r"incorporated|registered|in|since|early|mid|late|the|of|fy|st|nd|rd|th|c|ca|year|y|on|"
                   r"and|or|to)\b|\bfy(?=\d)|(?<=\d)'?s\b|(?<=\d)(?:st|nd|rd|th)\b", " ", low)
    if re.search(r"[a-z]", words):
        return math.nan, approx, "invalid"
    m = re.search(r"(?<!\d)(\d{4})(?:\.0+)?(?!\d)", low)
    if m:
        year = int(m.group(1))
        if 1000 <= year <= 2999:
            return float(year), approx, "ok"
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2})", low)
    if m:
        yy = int(m.group(3))
        pivot = dt.date.today().year % 100
        return float(2000 + yy if yy <= pivot else 1900 + yy), True, "ok"
    return math.nan, approx, "invalid"


def years(series: pd.Series) -> Parsed:
    """Years from a column of dates or years written any common way; see :func:`parse_year_text`.

    Plain four-digit years are read at once; only the other cells go through the careful route
    (each cell's value depends on that cell alone)."""
    index = series.index
    n = len(series)
    values = np.full(n, np.nan)
    approx = np.zeros(n, dtype=bool)
    invalid = np.zeros(n, dtype=bool)
    if n == 0 or series.isna().all():
        return Parsed(_series(values, index), _series(approx, index), _series(invalid, index))
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return Parsed(_series(values, index), _series(approx, index), _series(invalid, index))
    arr = _arrow(series)
    direct = _try_cast(arr, pa.int64())
    if direct is not None:
        values = direct.to_numpy(zero_copy_only=False).astype(float)
        ok = np.isnan(values) | ((values >= 1000) & (values <= 2999))
        if ok.all():
            return Parsed(_series(values, index), _series(approx, index), _series(invalid, index))
        values = np.full(n, np.nan)
    # "2015": four ASCII digits from 1000 to 2999, cast at once.
    four = pc.fill_null(pc.and_(pc.equal(pc.binary_length(arr), 4), pc.ascii_is_decimal(arr)), False)
    simple = four.to_numpy(zero_copy_only=False)
    if simple.any():
        where = np.flatnonzero(simple)
        cast = pc.cast(pc.filter(arr, four), pa.float64()).to_numpy(zero_copy_only=False)
        ok = (cast >= 1000) & (cast <= 2999)
        values[where[ok]] = cast[ok]
        simple[where[~ok]] = False
    rest = np.flatnonzero(~simple & series.notna().to_numpy())
    if len(rest):
        values[rest], approx[rest], invalid[rest] = _years_careful(pc.take(arr, pa.array(rest)))
    return Parsed(_series(values, index), _series(approx, index), _series(invalid, index))


def _years_careful(arr: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, approximate, invalid) of cells that are not all plain years."""
    arr, values, approx, invalid = _careful_start(arr)
    # Clean forms at once: "2015", "2015-12-31", "2015/12/31 00:00", "31/12/2015", "31.12.2015".
    found = pc.extract_regex(arr, r"^(?:(?P<a>\d{4})(?:[-/.]\d{1,2}(?:[-/.]\d{1,2})?)?|"
                                  r"\d{1,2}[-/.]\d{1,2}[-/.](?P<b>\d{4}))(?:[ T][\d:.]+)?$")
    clean = pc.fill_null(pc.is_valid(found), False)
    if pc.any(clean).as_py():
        a, b = pc.struct_field(found, [0]), pc.struct_field(found, [1])
        head = pc.if_else(pc.equal(a, ""), b, a)
        cast = pc.cast(pc.if_else(clean, head, None), pa.float64())
        mask = clean.to_numpy(zero_copy_only=False)
        values[mask] = cast.to_numpy(zero_copy_only=False)[mask]
    positions, uniq, inverse = _residue(arr, clean)
    if len(positions):
        parsed = [parse_year_text(u) for u in uniq]
        values[positions] = np.array([p[0] for p in parsed], dtype=float)[inverse]
        approx[positions] = np.array([p[1] for p in parsed], dtype=bool)[inverse]
        invalid[positions] = (np.array([p[2] for p in parsed], dtype=object) == "invalid")[inverse]
    return values, approx, invalid


# --- Codes via vocabularies ---------------------------------------------------------------------

def few_distinct(series: pd.Series, sample: int = 20000, limit: int = 2000) -> bool:
    """Whether a column repeats a few values (then work on its distinct values only)."""
    if len(series) <= sample:
        return False
    head = _arrow(series).slice(0, sample)
    return len(pc.unique(head)) <= limit


def text_codes(series: pd.Series, func=None) -> tuple[pd.Series, pd.Series]:
    """Clean a column with repeated values via its distinct values: (cleaned text, func(cleaned)).

    Equivalent to ``text(series)`` and ``map_values(text(series), func)`` but touches each distinct
    value once, which is much faster for code-like columns (legal form, sector, region ...)."""
    if series.empty:
        empty = pd.Series([], index=series.index, dtype="str")
        return empty, empty.copy()
    enc = pc.dictionary_encode(_arrow(series)).combine_chunks()
    dictionary = pd.Series(enc.dictionary.to_pandas().array, dtype="str")
    cleaned_dict = text(dictionary)
    same = pc.all(pc.fill_null(pc.equal(enc.dictionary, _arrow(cleaned_dict)), False)).as_py() is not False
    if same and series.dtype == "str":
        cleaned = series  # already clean: the column itself (no copy)
    else:
        cleaned = to_series(pc.take(_arrow(cleaned_dict), enc.indices), series.index)
    if func is None:
        return cleaned, cleaned
    mapped_dict = pa.array([None if v is None else func(v) for v in _arrow(cleaned_dict).to_pylist()],
                           type=pa.large_string())
    return cleaned, to_series(pc.take(mapped_dict, enc.indices), series.index)


def vocabulary(series: pd.Series, mapper) -> tuple[pd.Series, pd.Series]:
    """Map each distinct value with ``mapper`` (value → code or None): (codes, unknown mask)."""
    cleaned, codes = text_codes(series, mapper)
    unknown = cleaned.notna() & codes.isna()
    return codes, unknown


# --- Postcodes ------------------------------------------------------------------------------------

UK_POSTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}"
JP_POSTCODE = r"[0-9]{3}-?[0-9]{4}"


def postcodes(series: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Normalise postcodes: UK to "SR2 8QW", Japanese to "123-4567".

    Returns (formatted or NA, country "GB"/"JP"/NA, invalid mask)."""
    if few_distinct(series):
        enc = pc.dictionary_encode(_arrow(series)).combine_chunks()
        codes = pc.fill_null(enc.indices, len(enc.dictionary)).to_numpy(zero_copy_only=False)
        distinct = pd.Series(enc.dictionary.to_pylist() + [None], dtype="str")
        out, country, invalid = _postcodes(distinct)
        take = pa.array(codes)
        return (to_series(pc.take(_arrow(out), take), series.index),
                to_series(pc.take(_arrow(country), take), series.index),
                pd.Series(invalid.to_numpy()[codes], index=series.index, dtype=bool))
    return _postcodes(series)


_UK_CANONICAL = r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}$"
_JP_CANONICAL = r"^[0-9]{3}-[0-9]{4}$"


def _postcodes(series: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    index = series.index
    if series.empty:
        empty = pd.Series([], index=index, dtype="str")
        return empty, empty.copy(), pd.Series([], index=index, dtype=bool)
    arr = pc.utf8_upper(_normalise(_arrow(series)))
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    # Most cells are already written the canonical way ("SR2 8QW", "945-0051"): they are kept as they
    # are; only the others go through the general route (no space, extra spaces, "〒", "POSTCODE:" ...).
    uk = pc.fill_null(pc.match_substring_regex(arr, _UK_CANONICAL), False)
    jp = pc.fill_null(pc.match_substring_regex(arr, _JP_CANONICAL), False)
    null = pa.scalar(None, arr.type)
    out = pc.if_else(pc.or_(uk, jp), arr, null)
    country = pc.if_else(uk, pa.scalar("GB", arr.type), pc.if_else(jp, pa.scalar("JP", arr.type), null))
    invalid = np.zeros(len(index), dtype=bool)
    rest = pc.and_(pc.invert(pc.or_(uk, jp)), pc.is_valid(arr))
    positions = np.flatnonzero(rest.to_numpy(zero_copy_only=False))
    if len(positions):
        sub_out, sub_country, sub_invalid = _postcodes_general(pc.take(arr, pa.array(positions)))
        out = pc.replace_with_mask(out, rest, sub_out)
        country = pc.replace_with_mask(country, rest, sub_country)
        invalid[positions] = sub_invalid
    return to_series(out, index), to_series(country, index), pd.Series(invalid, index=index, dtype=bool)


def _postcodes_general(arr: pa.Array) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """Postcodes written any way (cells trimmed, NFKC-normalised and upper case): (formatted or null,
    country or null, invalid)."""
    arr = pc.replace_substring_regex(arr, r"[\s〒]+|^POSTCODE:?", "")
    arr = pc.if_else(pc.equal(arr, ""), None, arr)
    uk = pc.fill_null(pc.match_substring_regex(arr, "^" + UK_POSTCODE + "$"), False)
    jp = pc.fill_null(pc.match_substring_regex(arr, "^" + JP_POSTCODE + "$"), False)
    space, dash, null = pa.scalar(" ", arr.type), pa.scalar("-", arr.type), pa.scalar(None, arr.type)
    uk_fmt = pc.binary_join_element_wise(pc.utf8_slice_codeunits(arr, 0, -3), pc.utf8_slice_codeunits(arr, -3, 10),
                                         space)
    digits = pc.replace_substring(arr, "-", "")
    jp_fmt = pc.binary_join_element_wise(pc.utf8_slice_codeunits(digits, 0, 3), pc.utf8_slice_codeunits(digits, 3, 7),
                                         dash)
    out = pc.if_else(uk, uk_fmt, pc.if_else(jp, jp_fmt, null))
    country = pc.if_else(uk, pa.scalar("GB", arr.type), pc.if_else(jp, pa.scalar("JP", arr.type), null))
    invalid = pc.and_(pc.is_valid(arr), pc.invert(pc.or_(uk, jp)))
    return out, country, invalid.to_numpy(zero_copy_only=False)


def normalise_postcode(value: object) -> str | None:
    """One postcode in canonical form, or None if it is not a valid UK or Japanese postcode."""
    out, _country, _invalid = postcodes(pd.Series([None if value is None else str(value)], dtype="str"))
    v = out.iloc[0]
    return None if pd.isna(v) else str(v)


_UK_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][ABD-HJLNP-UW-Z]{2})\b")
_JP_IN_TEXT = re.compile(r"〒?\s*([0-9]{3})-([0-9]{4})")


def postcode_in_text(value: str) -> str | None:
    """A postcode written inside an address, if any."""
    t = unicodedata.normalize("NFKC", value)
    m = _UK_IN_TEXT.search(t.upper())
    if m:
        return f"{m.group(1)} {m.group(2)}"
    m = _JP_IN_TEXT.search(t)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    return None
