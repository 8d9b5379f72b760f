"""read_table: file → mapped, cleaned, located and validated rows, with a report."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache, partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from regen.ingest import clean
from regen.ingest.mapping import (
    EMAIL_PATTERN, FIELDS, INTEGER_FIELDS, KIND_FIELDS, KINDS, PHONE_PATTERN, detect_kind, has_japanese, header_unit,
    map_country, map_currency, map_legal_form, map_sector, mapping_signature, norm, personal_header, propose_mapping,
    is_known_header,
)
from regen.ingest.read import IngestError, RawTable, default_max_bytes, read_raw
from regen.ingest.result import IngestResult, Note
from regen.schema import MAX_YEAR, MIN_YEAR, SCHEMAS, Problem, rows_mask, validate
from regen.vocab import ALL_LEGAL_FORMS, CURRENCIES, GEO_PRECISIONS, OTHER, SECTORS, UNKNOWN

# Rough bounding boxes (south, west, north, east) used to spot swapped coordinates and guess a country.
BBOX = {"GB": (49.8, -8.7, 60.9, 1.8), "JP": (24.0, 122.9, 45.6, 154.0)}
NOTE_ROWS = 20
AREA_EXAMPLES = 5  # disagreeing areas shown in a note's detail
PREFECTURE_SLACK = 0.05  # degrees (about 5 km): points this close to a prefecture's coarse outline are in it
PARALLEL_ROWS = 50_000  # from this many rows, columns are cleaned on two threads


def _in_box(country: str, lat: pd.Series, lon: pd.Series) -> pd.Series:
    s, w, n, e = BBOX[country]
    return lat.between(s, n) & lon.between(w, e)


# --- Reference tables (regions and areas), from regen.places when it is there --------------------

@lru_cache(maxsize=1)
def _places_reference() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, dict]]:
    """(region index norm→slug, region slug→country, area index norm→code, area code→info)."""
    regions: dict[str, str] = {}
    region_country: dict[str, str] = {}
    areas: dict[str, str] = {}
    area_info: dict[str, dict] = {}
    try:
        from regen import places
    except Exception:  # noqa: BLE001 - another module; ingest works without it
        return regions, region_country, areas, area_info
    for slug, info in getattr(places, "REGIONS", {}).items():
        region_country[slug] = info.get("country")
        for key in (slug, slug.replace("_", " "), info.get("en"), info.get("ja")):
            if key:
                regions.setdefault(norm(key), slug)
        en = info.get("en") or ""
        if en.endswith(" England"):
            regions.setdefault(norm(en[: -len(" England")]), slug)
        ja = info.get("ja") or ""
        if len(ja) > 2 and ja[-1] in "都府県":
            regions.setdefault(norm(ja[:-1]), slug)
    for code, area in getattr(places, "AREAS", {}).items():
        area_info[code] = {"region": area.region, "country": area.country, "name": area.name}
        for key in (code, area.name, area.name_ja):
            if key:
                areas.setdefault(norm(key), code)
    return regions, region_country, areas, area_info


_PREFECTURE_RE = r"東京都|北海道|大阪府|京都府|[^\s\d,、]{2,3}県"


# --- Context ------------------------------------------------------------------------------------

class _Context:
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
        out = _obj(codes, idx)
        out = out.where(~unknown.to_numpy(), OTHER).where(cleaned.notna().to_numpy(), UNKNOWN)
        original = _obj(cleaned, idx).where((out == OTHER).to_numpy())
        self.record_values(fld, cleaned, out, mapper)
        other = out == OTHER
        if other.any():
            self.note("values_other", "values that match no code were kept as 'other', with the text as written",
                      fld, other, detail=_examples(cleaned[other]))
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


def _examples(values: pd.Series, n: int = 3) -> str:
    """The most frequent few values, quoted, for a note's detail."""
    top = values.dropna().astype(str).value_counts().head(n)
    return ", ".join(f"'{v}' ({c})" for v, c in top.items())


def _quietly(task):
    with np.errstate(all="ignore"):  # as read_table does on its own thread (errstate is per thread)
        return task()


def _int_years(parsed: clean.Parsed | None, index: pd.Index) -> pd.Series:
    if parsed is None:
        return pd.Series(pd.NA, index=index, dtype="Int64")
    return _whole(parsed.values)


def _whole(values: pd.Series) -> pd.Series:
    """Floats → nullable integers, rounding; values too large for an integer become missing (the caller
    has flagged them)."""
    values = values.where(values.abs() < 1e15)
    return values.round().astype("Int64")


def _empty_text(index: pd.Index) -> pd.Series:
    return pd.Series(np.nan, index=index, dtype="str")


def _obj(series: pd.Series | None, index: pd.Index) -> pd.Series:
    """A text column as pandas' arrow-backed ``str`` dtype (missing = NaN); empty when None."""
    if series is None:
        return _empty_text(index)
    if series.dtype == "str":
        return series
    return series.astype("str")


_JP_TEXT = r"[\x{3040}-\x{30ff}\x{4e00}-\x{9fff}]"


# --- Personal data --------------------------------------------------------------------------------

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


def _exclusions(raw: RawTable) -> dict[str, str]:
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


# --- Countries, regions, areas, locations -----------------------------------------------------------

def _generated_ids(names: pd.Series) -> pd.Series:
    key = clean.text(names.astype("str")).str.casefold().fillna("")
    hashed = pd.util.hash_pandas_object(key, index=False).to_numpy()
    ids = pd.Series(hashed.astype(str), index=names.index, dtype="str")
    ids = "auto-" + ids
    return ids.where(names.notna())


def _redact(series: pd.Series) -> tuple[pd.Series, pd.Series]:
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


def _region_codes(ctx: _Context, region: pd.Series) -> pd.Series:
    regions, _rc, _areas, _info = _places_reference()
    if not regions or region.isna().all():
        return region
    result, known, _changed = clean.map_keep(region, lambda u: regions.get(norm(u)) if u else None)
    unknown = region.notna() & ~known
    if unknown.any():
        ctx.note("region_unrecognised", "region not among the known regions; kept as written", "region", unknown)
    return result


def _area_codes(ctx: _Context, area: pd.Series, extra: dict[str, str]) -> pd.Series:
    _r, _rc, areas, _info = _places_reference()
    index = {**areas, **extra}
    if not index or area.isna().all():
        return area
    result, _known, changed = clean.map_keep(
        area, lambda u: (index.get(norm(u)) or index.get(norm(re.sub(r"[市町村区]$", "", u)))) if u else None)
    if changed.any():
        ctx.note("area_code_used", "area names were replaced by their official area codes", "area",
                 pd.Series(changed, index=area.index))
    return result


def _areas_table(areas: pd.DataFrame | None) -> tuple[dict[str, str], dict[str, tuple[float, float]],
                                                      dict[str, dict]]:
    """(area index norm → code, code → centroid, code → info) from a caller's area table."""
    if areas is None or len(areas) == 0:
        return {}, {}, {}
    cols = {norm(c): c for c in areas.columns}
    code = cols.get("code") or cols.get("area") or cols.get("area code")
    if code is None:
        return {}, {}, {}
    index: dict[str, str] = {}
    centroid: dict[str, tuple[float, float]] = {}
    info: dict[str, dict] = {}
    lat = cols.get("lat") or cols.get("latitude") or cols.get("centroid lat")
    lon = cols.get("lon") or cols.get("longitude") or cols.get("lng") or cols.get("centroid lon")
    for rec in areas.to_dict("records"):
        c = rec.get(code)
        if c is None or (isinstance(c, float) and np.isnan(c)):
            continue
        c = str(c)
        for key in ("name", "name ja"):
            k = cols.get(key)
            if k and isinstance(rec.get(k), str):
                index.setdefault(norm(rec[k]), c)
        index.setdefault(norm(c), c)
        info[c] = {"region": rec.get(cols.get("region")) if cols.get("region") else None,
                   "country": rec.get(cols.get("country")) if cols.get("country") else None}
        if lat and lon:
            try:
                la, lo = float(rec[lat]), float(rec[lon])
            except (TypeError, ValueError):
                continue
            if not (np.isnan(la) or np.isnan(lo)):
                centroid[c] = (la, lo)
    return index, centroid, info


def _uk_place(address: str) -> str | None:
    text = unicodedata.normalize("NFKC", address)
    text = clean._UK_IN_TEXT.sub(" ", text.upper()).title() if clean._UK_IN_TEXT.search(text.upper()) else text
    parts = [p.strip() for p in re.split(r"[,\n;]", text) if p.strip()]
    skip = {"uk", "united kingdom", "england", "scotland", "wales", "gb", "great britain", "tyne and wear",
            "tyne & wear", "county durham", "greater london", "cumbria"}
    for part in reversed(parts):
        if re.search(r"\d", part) or norm(part) in skip:
            continue
        return part
    return None


def _locate_by_postcode(ctx: _Context, out: pd.DataFrame, lookup, formatted: pd.Series, precision: np.ndarray,
                        need: np.ndarray, fld: str | None) -> None:
    """Locate the rows still needing it by their postcode in ``lookup`` (a :class:`PostcodeLookup`: the
    file's postcode table or the store's); a UK postcode the table lacks is placed at the centre of its
    postcode district (the postcodes of the table sharing its outward code), precision "district"."""
    idx = out.index
    rows = np.flatnonzero(need & formatted.notna().to_numpy())
    found = lookup.find(formatted.iloc[rows])
    hit_here = (found["lat"].notna() & found["lon"].notna()).to_numpy()
    hit = rows[hit_here]
    if hit.size:
        out.iloc[hit, out.columns.get_loc("lat")] = found["lat"].to_numpy(dtype=float)[hit_here]
        out.iloc[hit, out.columns.get_loc("lon")] = found["lon"].to_numpy(dtype=float)[hit_here]
        precision[hit] = "postcode"
        need[hit] = False
        regions, _rc, areas, _info = _places_reference()
        names = {"region": regions, "area": areas}
        for extra in ("region", "area", "ward"):
            if extra not in found.columns:
                continue
            given = found[extra].to_numpy(dtype=object, na_value=None)[hit_here]
            fill = out[extra].isna().to_numpy()[hit] & ~pd.isna(given)
            if fill.any():
                known = names.get(extra) or {}
                out.iloc[hit[fill], out.columns.get_loc(extra)] = [known.get(norm(v)) or v for v in given[fill]]
    rest = rows[~hit_here]
    if not rest.size:
        return
    outward = formatted.iloc[rest].str.extract(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) [0-9][A-Z]{2}$", expand=False)
    districts = lookup.find_districts(outward)
    near = (districts["lat"].notna() & districts["lon"].notna()).to_numpy()
    if near.any():
        placed = rest[near]
        out.iloc[placed, out.columns.get_loc("lat")] = districts["lat"].to_numpy(dtype=float)[near]
        out.iloc[placed, out.columns.get_loc("lon")] = districts["lon"].to_numpy(dtype=float)[near]
        precision[placed] = "district"
        need[placed] = False
        mask = np.zeros(len(idx), dtype=bool)
        mask[placed] = True
        ctx.note("postcode_district", "the postcode is not in the postcode table: placed at the centre of its "
                                      "postcode district", fld, pd.Series(mask, index=idx))


def _as_lookup(postcodes):
    """``postcodes`` as a :class:`regen.ingest.postcodes.PostcodeLookup` (a table is normalised first)."""
    from regen.ingest.postcodes import PostcodeLookup, normalise_postcode_table

    if postcodes is None or isinstance(postcodes, PostcodeLookup):
        return postcodes
    table = normalise_postcode_table(postcodes)
    return None if table is None else PostcodeLookup.from_table(table)


def _locate(ctx: _Context, out: pd.DataFrame, *, postcode_table,
            area_centroids: dict[str, tuple[float, float]]) -> None:
    """Fill lat/lon/geo_precision along the chain file → postcode → place → area centroid."""
    idx = out.index
    n = len(idx)
    have = (out["lat"].notna() & out["lon"].notna()).to_numpy()
    precision = np.full(n, None, dtype=object)
    file_precision = ctx.text("geo_precision")
    precision[have] = "exact"
    if file_precision is not None:
        given = file_precision.str.casefold()
        ok = (given.isin(GEO_PRECISIONS).to_numpy() & have)
        precision[ok] = given.to_numpy(dtype=object)[ok]

    # Postcodes, from a postcode column or written inside the address.
    pcode = ctx.raw_col("postcode")
    address_raw = ctx.raw_col("address")
    address = None

    def address_for(rows: np.ndarray) -> pd.Series:
        """The address cleaned where ``rows``; NA elsewhere (addresses are long: clean only what is used)."""
        out_ = _empty_text(idx)
        if rows.any():
            out_[rows] = clean.text(address_raw[rows])
        return out_

    if address_raw is not None and pcode is None:
        address = address_for(~have)
    postcode_field = "postcode" if pcode is not None else ("address" if address_raw is not None else None)
    if pcode is not None:
        formatted, _pc_country, invalid = ctx.postcodes()
        invalid = invalid.to_numpy()
    elif address is not None:
        formatted = clean.postcodes(clean.map_values(address, clean.postcode_in_text))[0]
        invalid = np.zeros(n, dtype=bool)
    else:
        formatted = _empty_text(idx)
        invalid = np.zeros(n, dtype=bool)
    need = ~have
    has_pc = formatted.notna().to_numpy()
    if postcode_table is not None and (need & has_pc).any():
        _locate_by_postcode(ctx, out, postcode_table, formatted, precision, need, postcode_field)
    elif postcode_table is None and (need & has_pc).any():
        ctx.note("no_postcode_table", "postcodes were not used to locate rows: no postcode table was given",
                 postcode_field, pd.Series(need & has_pc, index=idx))

    # Place names: a place column, else the town or city in the address, via the gazetteer.
    if need.any():
        place = ctx.text("place")
        if address_raw is not None and address is None:
            address = address_for(need)
        candidates = np.full(n, None, dtype=object)
        if place is not None:
            candidates[need] = place.to_numpy(dtype=object, na_value=None)[need]
        if address is not None:
            missing = need & pd.isna(candidates) & address.notna().to_numpy()
            if missing.any():
                sub = address[missing]
                towns = clean.map_values(sub, lambda a: _jp_city(a) if has_japanese(a) else _uk_place(a))
                candidates[missing] = towns.to_numpy(dtype=object, na_value=None)
        ask = need & ~pd.isna(candidates)
        if ask.any():
            _locate_by_place(ctx, out, candidates, ask, formatted, precision, need,
                             "place" if place is not None else "address")

    # Area centroid.
    if need.any() and area_centroids:
        areas = out["area"].to_numpy(dtype=object, na_value=None)
        positions = np.flatnonzero(need)
        cent = [area_centroids.get(a) if isinstance(a, str) else None for a in areas[positions]]
        ok = np.array([c is not None for c in cent], dtype=bool)
        if ok.any():
            found = positions[ok]
            out.iloc[found, out.columns.get_loc("lat")] = [c[0] for c in cent if c is not None]
            out.iloc[found, out.columns.get_loc("lon")] = [c[1] for c in cent if c is not None]
            precision[found] = "area"
            need[found] = False

    precision[need] = "none"
    out["geo_precision"] = clean.to_series(pa.array(precision, type=pa.large_string(), from_pandas=True), idx)
    # Rows that could not be located are kept ("no location"): an invalid postcode is the clearest reason.
    bad_pc = need & invalid
    if postcode_field:
        ctx.flag(pd.Series(bad_pc, index=idx), postcode_field, "invalid_postcode",
                 "not a valid UK or Japanese postcode, and nothing else locates the row: kept with no location",
                 keep_row=True)
    located_bad = ~need & invalid
    if located_bad.any():
        ctx.note("invalid_postcode", "invalid postcodes (the row was located another way)", postcode_field,
                 pd.Series(located_bad, index=idx))
    rest = need & ~bad_pc
    if rest.any():
        where = next((f for f in ("lat", "postcode", "address", "place", "area") if ctx.source.get(f)), None)
        ctx.note("no_location", "no coordinates, known postcode, place or area: kept with no location (counted in "
                                "every figure, not drawn on the map)", where, pd.Series(rest, index=idx))


def _locate_by_place(ctx: _Context, out: pd.DataFrame, names: np.ndarray, ask: np.ndarray, postcodes: pd.Series,
                     precision: np.ndarray, need: np.ndarray, fld: str) -> None:
    """Locate the rows ``ask`` by their place name, chosen with the row's country, region and postcode
    area (:func:`regen.resolve.resolve_many`). A name that fits several places is left unlocated and
    reported with the candidates: never the largest by default ("Newcastle" is not County Down's)."""
    try:
        from regen.resolve import resolve_many
    except Exception:  # noqa: BLE001 - the gazetteer is optional for ingest
        ctx.note("gazetteer_unavailable", "place names were not used: the gazetteer is not available", fld,
                 pd.Series(ask, index=out.index))
        return
    idx = out.index
    positions = np.flatnonzero(ask)
    regions = out["region"].to_numpy(dtype=object, na_value=None)[positions]
    # "Richmond, North Yorkshire", "Newcastle, Co. Down": the words after a comma say which place
    written = pd.Series(names[positions], dtype=object)
    parts = written.str.split(",", n=1, expand=True)
    town = parts[0].str.strip()
    county = parts[1].str.strip() if parts.shape[1] > 1 else pd.Series(None, index=written.index, dtype=object)
    query = pd.DataFrame({
        "name": town.where(town.str.len() > 0, written).to_numpy(dtype=object),
        "country": out["country"].to_numpy(dtype=object, na_value=None)[positions],
        "region": [None if r == UNKNOWN else r for r in regions],
        "postcode": postcodes.to_numpy(dtype=object, na_value=None)[positions],
        "county": county.where(county.str.len() > 0).to_numpy(dtype=object),
    })
    found = resolve_many(query)
    status = found["status"].to_numpy(dtype=object)
    ok = status == "found"
    if ok.any():
        rows = positions[ok]
        lat, lon = found["lat"].to_numpy()[ok], found["lon"].to_numpy()[ok]
        out.iloc[rows, out.columns.get_loc("lat")] = lat
        out.iloc[rows, out.columns.get_loc("lon")] = lon
        unknown = out["country"].isna().to_numpy()[rows]
        if unknown.any():
            for code in BBOX:
                inside = unknown & _in_box(code, pd.Series(lat), pd.Series(lon)).to_numpy()
                out.iloc[rows[inside], out.columns.get_loc("country")] = code
        precision[rows] = "place"
        need[rows] = False
    for what, code, message in (
            ("ambiguous", "place_ambiguous", "the place name fits several places and nothing in the row (postcode, "
                                             "region, county) says which: left with no location rather than guessed"),
            ("not_found", "place_not_found", "the place name was not found in the gazetteer (or contradicts the "
                                             "row's postcode or region)")):
        hit = status == what
        if not hit.any():
            continue
        mask = np.zeros(len(idx), dtype=bool)
        mask[positions[hit]] = True
        shown = pd.DataFrame({"name": written.to_numpy()[hit], "why": found["candidates"].to_numpy()[hit]
                              if what == "ambiguous" else found["reason"].to_numpy()[hit]})
        top = shown.value_counts().head(3)
        detail = "; ".join(f"'{name}' ({count}): {why}" if what == "ambiguous" else f"'{name}' ({count})"
                           for (name, why), count in top.items())
        ctx.note(code, message, fld, pd.Series(mask, index=idx), detail=detail)


def _jp_city(address: str) -> str | None:
    text = unicodedata.normalize("NFKC", address)
    text = re.sub(r"^〒?\s*\d{3}-?\d{4}\s*", "", text)
    m = re.match(rf"\s*(?:{_PREFECTURE_RE})?\s*(?:[^\s\d]+?郡)?([^\s\d]+?[市区町村])", text)
    return m.group(1) if m else None


def _jp_prefecture(address: pd.Series) -> pd.Series:
    """Region slug from the prefecture at the start of Japanese addresses (``str`` Series)."""
    regions, _rc, _a, _i = _places_reference()
    if not regions:
        return _empty_text(address.index)

    def pref(a: str) -> str | None:
        m = re.match(rf"^(?:〒?\s*\d{{3}}-?\d{{4}}\s*)?({_PREFECTURE_RE})", a)
        return regions.get(norm(m.group(1))) if m else None

    jp = clean.contains(address, _JP_TEXT, non_ascii=True)
    out = _empty_text(address.index)
    if jp.any():
        out[jp] = clean.map_values(address[jp], pref)
    return out


def _country(ctx: _Context, out: pd.DataFrame, country: str | None, *, postcode_country: pd.Series | None,
             texts: list[pd.Series | None]) -> pd.Series:
    idx = out.index
    codes = ctx.vocabulary("country", map_country, "unknown_country", "not a known country", "GB, JP")
    result = _obj(codes, idx)
    if country:
        result = result.where(result.notna(), country)
    inferred = result.isna()
    if postcode_country is not None:
        result = result.where(result.notna(), postcode_country)
    if "lat" in out and "lon" in out:
        for code in BBOX:
            box = _in_box(code, out["lat"], out["lon"]) | _in_box(code, out["lon"], out["lat"])
            result = result.where(result.notna() | ~box, code)
    _r, region_country, _a, area_info = _places_reference()
    if "region" in out and region_country and result.isna().any():
        result = result.where(result.notna(), clean.map_values(out["region"], region_country.get))
    for series in texts:
        if series is not None and result.isna().any():
            jp = clean.contains(series, _JP_TEXT, non_ascii=True)
            result = result.where(result.notna() | ~jp, "JP")
    if result.isna().any() and codes is None and not country:
        distinct = result.dropna().unique()
        if len(distinct) == 1:  # every row that says agrees: the rest are in the same country
            result = result.fillna(distinct[0])
    inferred = inferred & result.notna()
    if inferred.any():
        ctx.note("country_inferred", "country was not given; it was worked out from postcodes, coordinates or "
                                     "place names", "country", inferred)
    return result


# --- Builders -------------------------------------------------------------------------------------

def _build_enterprises(ctx: _Context, *, country: str | None, postcode_table, areas, boundaries,
                       default_region: str | None) -> pd.DataFrame:
    idx = ctx.index
    ctx.prefetch(("vocabulary", "legal_form", map_legal_form), ("vocabulary", "sector", map_sector),
                 ("years", "founded"), ("years", "closed"), ("numbers", "lat", True), ("numbers", "lon", True),
                 ("postcodes",), ("vocabulary", "country", map_country))
    out = pd.DataFrame(index=idx)
    name, name_ja = ctx.text("name"), ctx.text("name_ja")
    if name is None and name_ja is not None:
        name = name_ja
        ctx.fallback_column["name"] = ctx.source.get("name_ja")
    if name is not None and name_ja is None:
        japanese = clean.contains(name, _JP_TEXT, non_ascii=True).to_numpy()
        name_ja = clean.to_series(pc.if_else(pa.array(japanese), clean._arrow(name),
                                             pa.scalar(None, pa.large_string())), name.index)
    ident = ctx.text("enterprise_id")
    if ident is None and name is not None:
        ident = _generated_ids(name)
        ctx.fallback_column["enterprise_id"] = ctx.source.get("name") or ctx.fallback_column.get("name")
        ctx.note("generated_ids", "the file has no ID column: IDs were made from the names", "name",
                 ident.notna())
    elif ident is not None and name is not None:
        blank = ident.isna() & name.notna()
        if blank.any():  # a row with a name but no ID keeps a stable ID made from its name
            ident = ident.where(~blank, _generated_ids(name[blank]).reindex(idx))
            ctx.note("generated_ids", "the ID was empty: an ID was made from the name", "enterprise_id", blank)
    out["enterprise_id"] = _obj(ident, idx)
    out["name"] = _obj(name, idx)
    out["name_ja"] = _obj(name_ja, idx)
    out["legal_form"], out["legal_form_text"] = ctx.categories("legal_form", map_legal_form)
    out["sector"], out["sector_text"] = ctx.categories("sector", map_sector)
    for fld in ("founded", "closed"):
        years = _int_years(ctx.years(fld), idx)
        outside = ((years < MIN_YEAR) | (years > MAX_YEAR)).fillna(False).astype(bool)
        if outside.any():
            ctx.flag(outside, fld, "out_of_range", f"the year is outside {MIN_YEAR}–{MAX_YEAR}: left out, the rest of "
                     "the row kept", f"{MIN_YEAR} to {MAX_YEAR}", keep_row=True)
            years = years.mask(outside)
        out[fld] = years
    backwards = (out["closed"] < out["founded"]).fillna(False).astype(bool)
    if backwards.any():
        ctx.flag(backwards, "closed", "closed_before_founded", "the closing year is before the founding year: both "
                 "years were left out, the rest of the row kept", keep_row=True)
        out["founded"] = out["founded"].mask(backwards)
        out["closed"] = out["closed"].mask(backwards)
    # The address is read only where it is needed: Japanese addresses give the prefecture and the
    # municipality; any address may give a postcode or a town when nothing better locates the row.
    address_raw = ctx.raw_col("address")
    jp_address = None
    if address_raw is not None:
        jp = clean.contains(address_raw, _JP_TEXT, non_ascii=True)
        if jp.any():
            jp_address = clean.text(address_raw[jp])
    region = _obj(ctx.text("region"), idx)
    if jp_address is not None:
        pref = _jp_prefecture(jp_address).reindex(idx)
        fill = region.isna() & pref.notna()
        if fill.any():
            region = region.where(~fill, pref)
            ctx.note("region_from_address", "prefecture read from the address", "address", fill)
    out["region"] = _obj(_region_codes(ctx, region.astype("str")), idx) if region.notna().any() else region
    extra_index, centroids, extra_info = _areas_table(areas)
    if boundaries is not None:  # the boundaries' codes and names are recognised; their points are centroids
        from regen.boundaries import BoundaryResult

        boundary_index, boundary_centroids, _info = _areas_table(BoundaryResult(frame=boundaries).areas_table())
        extra_index = {**boundary_index, **extra_index}
        centroids = {**boundary_centroids, **centroids}
    area = ctx.text("area")
    if area is None and jp_address is not None:
        city = clean.map_values(jp_address, _jp_city).reindex(idx)
        if city.notna().any():
            area = city.astype("str")
            ctx.fallback_column["area"] = ctx.source.get("address")
    out["area"] = _obj(_area_codes(ctx, area, extra_index), idx) if area is not None else _empty_text(idx)
    _r, region_country, _a, area_info = _places_reference()
    info = {**area_info, **extra_info}
    _region_from_area(ctx, out, info)
    out["ward"] = _obj(ctx.text("ward"), idx)
    description = ctx.text("description")
    if description is not None:
        description, redacted = _redact(description)
        if redacted.any():
            ctx.note("personal_data_removed", "email addresses or phone numbers were removed from descriptions",
                     "description", redacted)
    out["description"] = _obj(description, idx)

    # Coordinates in the file.
    lat_p, lon_p = ctx.numbers("lat", coordinate=True), ctx.numbers("lon", coordinate=True)
    lat = lat_p.values if lat_p is not None else pd.Series(np.nan, index=idx)
    lon = lon_p.values if lon_p is not None else pd.Series(np.nan, index=idx)
    zero = (lat == 0) & (lon == 0)
    if zero.any():
        ctx.note("coordinates_zero", "coordinates 0,0 were treated as missing", "lat", zero)
        lat, lon = lat.mask(zero), lon.mask(zero)
    half = lat.notna() ^ lon.notna()
    if half.any():
        ctx.note("coordinates_incomplete", "only one of latitude and longitude was given; ignored", "lat", half)
        lat, lon = lat.mask(half), lon.mask(half)
    out["lat"], out["lon"] = lat, lon

    pcode = ctx.raw_col("postcode")
    pc_country = ctx.postcodes()[1] if pcode is not None else None
    out["country"] = _country(ctx, out, country, postcode_country=pc_country,
                              texts=[name, address_raw, ctx.text("place")])
    # Swapped coordinates: latitude beyond ±90, or the pair only fits the country the other way round.
    swap = (lat.abs() > 90) & (lon.abs() <= 90)
    for code in BBOX:
        is_c = out["country"] == code
        swap |= is_c & ~_in_box(code, lat, lon) & _in_box(code, lon, lat)
    if swap.any():
        ctx.note("coordinates_swapped", "latitude and longitude were swapped; corrected", "lat", swap)
        out.loc[swap, ["lat", "lon"]] = np.column_stack([lon[swap].to_numpy(), lat[swap].to_numpy()])
    _locate(ctx, out, postcode_table=_as_lookup(postcode_table), area_centroids=centroids)
    ctx.flag(out["country"].isna(), "country", "country_unknown", "the country cannot be told from the row (no "
             "country, postcode, coordinates or place name): choose the country of the file")
    if boundaries is not None:
        filled = _areas_from_boundaries(ctx, out, boundaries)
        _region_from_area(ctx, out, info, filled)
    if boundaries is not None or default_region is not None:
        _region_from_prefecture(ctx, out)
    if default_region is not None:
        _region_default(ctx, out, default_region)
    _region_from_postcode(ctx, out)
    for fld, what in (("region", "region"), ("area", "area")):
        missing = out[fld].isna()
        if missing.any():  # kept, and counted under "not known"
            out[fld] = out[fld].where(~missing, UNKNOWN)
            ctx.note(f"{fld}_unknown", f"the {what} is not given and could not be found from the location: kept as "
                                       "'not known'", fld, missing)
    return out


def _region_from_area(ctx: _Context, out: pd.DataFrame, info: dict[str, dict], rows: np.ndarray | None = None) -> None:
    """Fill missing regions with the region of the row's area, where the area is known (only ``rows`` if given)."""
    if not info:
        return
    area = out["area"] if rows is None else out["area"].where(rows)
    from_area = clean.map_values(area, lambda a: (info.get(a) or {}).get("region") if a else None)
    fill = out["region"].isna() & from_area.notna()
    if fill.any():
        out.loc[fill, "region"] = from_area[fill]
        ctx.note("region_from_area", "region filled in from the area", "area", fill, merge=True)


def _areas_from_boundaries(ctx: _Context, out: pd.DataFrame, boundaries) -> np.ndarray:
    """Give rows with coordinates and no area the area of the boundary polygon they lie in, and report
    what the spatial join found: a row with no area outside every polygon is rejected; disagreeing
    areas, overlapping polygons and points on an outline are notes. Returns the rows filled."""
    from regen.boundaries import match_areas

    idx = out.index
    match = match_areas(out[["lat", "lon", "area"]], boundaries)
    filled = match.filled
    if filled.any():
        out["area"] = match.frame["area"]
        ctx.note("area_filled", "area filled in from the boundary file: the area the coordinates lie in", "area",
                 pd.Series(filled, index=idx))
    if match.disagrees.any():
        codes = boundaries["code"].to_numpy(dtype=object)
        positions = np.flatnonzero(match.disagrees)[:AREA_EXAMPLES]
        detail = ", ".join(f"{idx[i]}: {out['area'].iloc[i]} → {codes[match.found[i]]}" for i in positions)
        if match.disagrees.sum() > AREA_EXAMPLES:
            detail += ", …"
        ctx.note("area_disagrees", f"the area given differs from the area of the boundary file the coordinates lie "
                                   f"in (kept as given; check them): {detail}", "area",
                 pd.Series(match.disagrees, index=idx), detail=detail)
    outside = match.outside
    lost = outside & ~match.given
    if lost.any():
        coords = pd.Series(None, index=idx, dtype=object)
        coords[lost] = [f"{la:.5f}, {lo:.5f}" for la, lo in zip(out["lat"].to_numpy()[lost],
                                                                 out["lon"].to_numpy()[lost])]
        ctx.flag(pd.Series(lost, index=idx), "area", "outside_boundaries",
                 "lies outside every area of the boundary file, so its area is not known", values=coords,
                 keep_row=True)
    ctx.note("outside_boundaries", "the coordinates lie outside every area of the boundary file (the area given "
                                   "was kept)", "area", pd.Series(outside & match.given, index=idx))
    ctx.note("overlapping_boundaries", "the point lies in more than one area of the boundary file (the areas "
                                       "overlap); the first was used", "area", pd.Series(match.overlapping, index=idx))
    ctx.note("on_boundary_edge", "the point lies exactly on an outline of the boundary file; the first area "
                                 "touching it was used", "area", pd.Series(match.on_edge, index=idx))
    return filled


@lru_cache(maxsize=1)
def _prefectures() -> tuple[np.ndarray, np.ndarray]:
    """(region slugs, valid polygons) of Japan's prefectures, from the offline outlines of regen.geo."""
    import shapely

    from regen.geo import load_boundaries

    features = load_boundaries("jp_prefectures")["features"]
    geoms = shapely.make_valid(np.array([shapely.geometry.shape(f["geometry"]) for f in features], dtype=object))
    return np.array([f["id"] for f in features], dtype=object), geoms


def _region_from_prefecture(ctx: _Context, out: pd.DataFrame) -> None:
    """Rows in Japan with coordinates and no region get the prefecture their point lies in (or, just off the
    coarse coastline of the outlines, the nearest one within PREFECTURE_SLACK degrees)."""
    need = (out["region"].isna() & (out["country"] == "JP") & out["lat"].notna() & out["lon"].notna()).to_numpy()
    if not need.any():
        return
    import shapely

    from regen.boundaries import points_in_polygons

    slugs, geoms = _prefectures()
    positions = np.flatnonzero(need)
    lat, lon = out["lat"].to_numpy(dtype=float)[positions], out["lon"].to_numpy(dtype=float)[positions]
    found = points_in_polygons(lat, lon, geoms)[0]
    off = np.flatnonzero(found < 0)
    if off.size:
        at, nearest = shapely.STRtree(geoms).query_nearest(shapely.points(lon[off], lat[off]),
                                                           max_distance=PREFECTURE_SLACK, all_matches=False)
        found[off[at]] = nearest
    hit = found >= 0
    if not hit.any():
        return
    fill = np.zeros(len(out), dtype=bool)
    fill[positions[hit]] = True
    out.loc[fill, "region"] = slugs[found[hit]]
    ctx.note("region_from_prefecture", "region filled in from the prefecture the coordinates lie in", "region",
             pd.Series(fill, index=out.index))


def _region_from_postcode(ctx: _Context, out: pd.DataFrame) -> None:
    """Rows in Great Britain still without a region get the region of their postcode area, where the area
    lies in one region only (NE: North East; not DL, which reaches Yorkshire too)."""
    if ctx.raw_col("postcode") is None:
        return
    need = out["region"].isna() & (out["country"] == "GB")
    if not need.any():
        return
    from regen.postcode_areas import area_info

    def single(postcode: str) -> str | None:
        info = area_info(postcode)
        return info["region"] if info and len(info["regions"]) == 1 else None

    formatted = ctx.postcodes()[0]
    found = clean.map_values(formatted.where(need.to_numpy()), single)
    fill = need & found.notna()
    if fill.any():
        out.loc[fill, "region"] = found[fill]
        ctx.note("region_from_postcode", "region filled in from the postcode area (where the area lies in one region)",
                 "postcode", fill)


def _region_default(ctx: _Context, out: pd.DataFrame, region: str) -> None:
    """Rows still without a region get ``region`` (a slug), unless they are in another country than it."""
    _r, region_country, _a, _i = _places_reference()
    fill = out["region"].isna()
    if region_country.get(region):
        fill &= out["country"].isna() | (out["country"] == region_country[region])
    if fill.any():
        out.loc[fill, "region"] = region
        ctx.note("region_default", f"region not given: {region} was used (the default region)", "region", fill)


def _build_figures(ctx: _Context, ident: pd.Series | None, *, country: pd.Series | str | None,
                   year: int | None) -> pd.DataFrame:
    idx = ctx.index
    ctx.prefetch(*[("numbers", f, False) for f in ("fte", "turnover", "disadvantaged_hires", "volunteers")],
                 ("vocabulary", "currency", map_currency))
    out = pd.DataFrame(index=idx)
    out["enterprise_id"] = _obj(ident, idx)
    years = ctx.years("year", keep_row=False)
    if years is not None:
        out["year"] = _int_years(years, idx)
        # A blank year: one clear reason (an unreadable one was reported as such)
        ctx.flag(out["year"].isna() & ~years.invalid, "year", "figures_without_year",
                 "no year for these figures: they are left out")
    else:
        out["year"] = pd.Series(year if year is not None else pd.NA, index=idx, dtype="Int64")
    for fld in ("employees", "fte", "disadvantaged_hires", "volunteers"):
        parsed = ctx.numbers(fld, keep_row=fld != "employees")
        if parsed is None:
            out[fld] = np.nan
            continue
        values = parsed.values
        if fld in INTEGER_FIELDS:
            values = values.where(~parsed.approx, values.round())
        out[fld] = values
        if fld == "employees":  # jobs not reported are not 0 jobs: the year's figures are left out
            ctx.flag(values.isna() & ~parsed.invalid, "employees", "no_headcount",
                     "no headcount for this year: the year's figures are left out (jobs not reported)")
    parsed = ctx.numbers("turnover")
    currency = _empty_text(idx)
    if parsed is not None:
        header_currency, multiplier = header_unit(ctx.source["turnover"])
        out["turnover"] = parsed.values * multiplier
        signs = parsed.currency.astype("str")
        currency = signs.copy()
        codes = ctx.vocabulary("currency", map_currency, "unknown_currency", "not a known currency", "GBP, JPY")
        if codes is not None:
            column = _obj(codes, idx)
            currency = currency.where(currency.notna(), column)
            clash = signs.notna() & column.notna() & (signs != column)
            ctx.flag(clash, "currency", "currency_mismatch", "the currency column disagrees with the sign in the "
                     "turnover: the turnover was left out", values=ctx.raw_col("currency"), keep_row=True)
            if clash.any():
                out["turnover"] = out["turnover"].mask(clash)
        if header_currency:
            currency = currency.where(currency.notna(), header_currency)
        present = set(signs.dropna().unique().tolist())
        need = currency.isna() & out["turnover"].notna()
        if need.any() and len(present) == 1:
            currency = currency.where(~need, next(iter(present)))
            ctx.note("currency_inferred", f"turnover without a currency sign taken as {next(iter(present))}, "
                                          "like the rest of the column", "turnover", need)
            need = currency.isna() & out["turnover"].notna()
        if need.any() and country is not None:
            by_country = (country.map(CURRENCIES) if isinstance(country, pd.Series)
                          else pd.Series(CURRENCIES.get(country), index=idx))
            fill = need & by_country.notna()
            currency = currency.where(~fill, by_country)
            if fill.any():
                ctx.note("currency_inferred", "turnover currency taken from the country", "turnover", fill)
        need = currency.isna() & out["turnover"].notna()
        if need.any():  # the turnover alone is left out: the row's jobs are kept
            ctx.flag(need, "turnover", "turnover_without_currency", "the turnover has no currency and the file does "
                     "not say which country: the turnover was left out, the rest of the row kept", keep_row=True)
            out["turnover"] = out["turnover"].mask(need)
    else:
        out["turnover"] = np.nan
    out["currency"] = currency.astype("str")
    above = out["fte"].notna() & out["employees"].notna() & (out["fte"] > out["employees"])
    if above.any():
        ctx.flag(above, "fte", "fte_above_headcount", "FTE is larger than the headcount: the FTE was left out",
                 keep_row=True)
        out["fte"] = out["fte"].mask(above)
    return out


def _build_areas(ctx: _Context, *, country: str | None) -> pd.DataFrame:
    idx = ctx.index
    out = pd.DataFrame(index=idx)
    out["code"] = _obj(ctx.text("code"), idx)
    name, name_ja = ctx.text("name"), ctx.text("name_ja")
    if name is None and name_ja is not None:
        name = name_ja
    out["name"] = _obj(name, idx)
    out["name_ja"] = _obj(name_ja, idx)
    out["region"] = _obj(ctx.text("region"), idx)
    if out["region"].notna().any():
        out["region"] = _obj(_region_codes(ctx, ctx.text("region")), idx)
    codes = ctx.vocabulary("country", map_country, "unknown_country", "not a known country", "GB, JP")
    c = _obj(codes, idx)
    if country:
        c = c.where(c.notna(), country)
    _r, region_country, _a, _i = _places_reference()
    if region_country:
        c = c.where(c.notna(), clean.map_values(out["region"], region_country.get))
    if codes is None and c.isna().any():
        gss = out["code"].astype(str).str.match(r"^[EWSN]\d{8}$")
        jis = out["code"].astype(str).str.match(r"^\d{5,6}$")
        c = c.where(c.notna() | ~gss, "GB").where(lambda s: s.notna() | ~jis, "JP")
    out["country"] = c.astype("str")
    pop = ctx.numbers("population")
    if pop is not None:
        ctx.flag(pop.values.abs() >= 1e15, "population", "out_of_range", "the number is too large")
        out["population"] = _whole(pop.values)
    else:
        out["population"] = pd.Series(pd.NA, index=idx, dtype="Int64")
    out["population_year"] = _int_years(ctx.years("population_year"), idx)
    out["population_source"] = _obj(ctx.text("population_source"), idx)
    return out


# --- Validation and assembly --------------------------------------------------------------------------

# Valid stand-in values for cells whose row is already rejected (see _validate).
_PLACEHOLDERS: dict[str, object] = {
    "name": "-", "region": "-", "area": "-", "legal_form": ALL_LEGAL_FORMS[0], "sector": SECTORS[0],
    "country": "GB", "geo_precision": GEO_PRECISIONS[0], "founded": 2000, "year": 2000, "lat": 0.0, "lon": 0.0,
    "employees": 0,
}
_UNIQUE_FIELDS = ("enterprise_id", "code")
_WIDE_FIELDS = {"closed_before_founded": ("closed", "founded"), "fte_above_headcount": ("fte", "employees"),
                "turnover_without_currency": ("turnover", "currency")}
_LOCATION_CODES = ("no_location", "invalid_postcode")


def _validate(ctx: _Context, frame: pd.DataFrame, kind: str, derived: set[str]) -> tuple[pd.DataFrame, set]:
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


def _finish_problems(ctx: _Context, accepted: pd.Index) -> list[Problem]:
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


def _empty_schema_frame(kind: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in SCHEMAS[kind].columns})


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


def _region_slug(region: str) -> str:
    """The region code of a default region given as a code or an English or Japanese name."""
    regions, _rc, _a, _i = _places_reference()
    slug = regions.get(norm(str(region))) if regions else str(region)
    if not slug:
        raise IngestError("bad_region", f"{region!r} is not a known region; give a region code such as north_east "
                                        "or hokkaido, or its name")
    return slug


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


SAMPLE_VALUES, SAMPLE_ROWS, SAMPLE_CHARS = 3, 200, 40


def _samples(raw: RawTable, excluded) -> dict[str, list[str]]:
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


def _read_table(source, *, kind, mapping, postcodes, areas, name, max_bytes, country, year, sheet, boundaries,
                region, values=None, known_ids=None, enterprises=None) -> IngestResult:
    if kind is not None and kind not in KINDS:
        raise IngestError("bad_kind", f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if country is not None:
        country = map_country(country) or str(country).upper()
    if region is not None:
        region = _region_slug(region)
    if boundaries is not None:
        boundaries = _boundary_frame(boundaries)
    raw = read_raw(source, name=name, max_bytes=max_bytes, is_known=is_known_header, sheet=sheet)
    headers = raw.headers
    notes = [Note(code, message) for code, message in raw.notes]
    excluded = _exclusions(raw)
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
    result.samples = _samples(raw, excluded)  # of every column, ignored ones too: to recognise them by
    unused = [i for i, h in enumerate(headers) if not full.get(h)]
    if unused and len(unused) < len(headers) and found_kind is not None and len(raw.frame.columns) == len(headers):
        raw.frame = raw.frame.drop(columns=unused)
    controls = _strip_controls(raw)
    totals = _totals_rows(raw, full) if found_kind in ("enterprises", "figures") else {}
    if totals:  # totals and subtotals are not enterprises: one clear reason each, no per-field complaints
        raw.frame = raw.frame.drop(index=list(totals))
    ctx = _Context(raw, full, found_kind or "enterprises")
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
        frame = _with_helper(ctx, _build_enterprises, country=country, postcode_table=postcodes, areas=areas,
                             boundaries=boundaries, default_region=region)
        derived = {"geo_precision", "enterprise_id", "name_ja"} | ({"area"} if boundaries is not None else set())
        accepted, rejected = _validate(ctx, frame, "enterprises", derived)
        has_figures = any(f in ctx.source for f in ("employees", "turnover", "fte", "volunteers",
                                                   "disadvantaged_hires"))
        if has_figures and ("year" in ctx.source or year is not None) and "employees" in ctx.source:
            figs = _with_helper(ctx, _build_figures, frame["enterprise_id"], country=frame["country"], year=year)
            figs = figs[figs["employees"].notna() | ctx.raw_col("employees").notna()]
            fig_ok, fig_bad = _validate(ctx, figs, "figures", {"enterprise_id"})
            # A row's figures that cannot be read are left out; the enterprise is kept.
            figures_frame = fig_ok[~rows_mask(fig_ok.index, rejected | fig_bad)]
        elif has_figures:
            ctx.note("figures_without_year", "employees and turnover were not read: the file does not say which "
                                             "year they are for (map a Year column or give the year)")
    elif found_kind == "figures":
        ident = ctx.text("enterprise_id")
        if ident is None and ctx.text("name") is not None:
            ident = _generated_ids(ctx.text("name"))
            ctx.fallback_column["enterprise_id"] = ctx.source.get("name")
            ctx.note("generated_ids", "the file has no ID column: IDs were made from the names", "name",
                     ident.notna())
        frame = _with_helper(ctx, _build_figures, ident,
                             country=_country_for_figures(ctx, country, ident, known_country), year=year)
        accepted, rejected = _validate(ctx, frame, "figures", set())
        _note_carried_forward(ctx, accepted[~rows_mask(accepted.index, rejected)])
    else:
        frame = _build_areas(ctx, country=country)
        accepted, rejected = _validate(ctx, frame, "areas", set())
    drop = rows_mask(accepted.index, rejected)
    if drop.any():
        accepted = accepted[~drop]
    accepted.index.name = "row"
    result.accepted = accepted
    result.figures = figures_frame
    result.rows_accepted = len(accepted)
    result.rows_rejected = result.rows_read - result.rows_accepted
    result.problems = _finish_problems(ctx, accepted.index)
    result.notes = notes + ctx.notes
    result.values = dict(ctx.value_tables)
    return result


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TOTAL_NAME = re.compile(r"^(?:.*\s)?(?:(?:grand|sub)[\s-]?)?totals?\s*:?\s*$|^(?:.*)?(?:合計|小計|総計)\s*$", re.I)
_NO_ID = {"", "n/a", "na", "-", "–", "—", "none", "null", "total", "totals", "合計", "小計", "総計"}


_CONTROL_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20)) + b"\x7f"


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


def _strip_controls(raw: RawTable) -> dict[int, list[int]]:
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


def _totals_rows(raw: RawTable, mapping: dict[str, str | None]) -> dict[int, str]:
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


def _with_helper(ctx: _Context, build, *args, **kwargs) -> pd.DataFrame:
    """``build(ctx, ...)`` with a second thread for cleaning columns ahead (large files only)."""
    ctx.start_helper()
    try:
        return build(ctx, *args, **kwargs)
    finally:
        ctx.stop_helper()


CARRIED_FIELDS = ("employees", "fte", "turnover", "volunteers", "disadvantaged_hires")


def _note_carried_forward(ctx: _Context, figures: pd.DataFrame) -> None:
    """Note the yearly rows that repeat the year before exactly, at the end of an enterprise's record
    (the same headcount, turnover ... year after year, up to its last year): often a register carrying
    the last return forward rather than new figures. Kept, and said so, for the analyst to check."""
    if len(figures) < 2:
        return
    ids = pd.factorize(figures["enterprise_id"])[0]
    years = figures["year"].to_numpy(dtype="float64", na_value=np.nan)
    order = np.lexsort((years, ids))  # by enterprise, then year (integer codes: no string sort)
    ids, years = ids[order], years[order]
    values = np.column_stack([figures[f].to_numpy(dtype="float64", na_value=np.nan)[order]
                              for f in CARRIED_FIELDS if f in figures])
    same_id = np.r_[False, ids[1:] == ids[:-1]]
    next_year = np.r_[False, years[1:] == years[:-1] + 1]
    both_nan = np.isnan(values[1:]) & np.isnan(values[:-1])
    same = np.r_[False, ((values[1:] == values[:-1]) | both_nan).all(axis=1)]
    # two figures or more, all the same as the year before (one headcount alone repeats by chance)
    repeat = same_id & next_year & same & ((~np.isnan(values)).sum(axis=1) >= 2)
    # only runs of repeats that reach the enterprise's last year
    run_to_end = pd.Series(repeat[::-1]).groupby(ids[::-1], sort=False).cummin().to_numpy(dtype=bool)[::-1]
    carried = pd.Series(False, index=figures.index)
    carried.iloc[order[run_to_end]] = True
    frame = figures
    if carried.any():
        mask = pd.Series(False, index=ctx.index)
        mask[carried[carried].index] = True
        enterprises = frame.loc[carried.to_numpy(), "enterprise_id"].nunique()
        ctx.note("carried_forward", f"the figures of {enterprises} enterprise(s) repeat the year before exactly up to "
                                    "their last year (carried forward rather than new returns?): kept; check them",
                 "year", mask)


def _country_for_figures(ctx: _Context, country: str | None, ident: pd.Series | None = None,
                         known: Mapping[str, str] | None = None) -> pd.Series | str | None:
    """Each figure row's country: the file's country column, else its enterprise's (``known``: ID →
    country), else ``country``."""
    codes = ctx.vocabulary("country", map_country, "unknown_country", "not a known country", "GB, JP")
    if codes is None and not (known and ident is not None):
        return country
    series = _obj(codes, ctx.index) if codes is not None else pd.Series(None, index=ctx.index, dtype=object)
    if known and ident is not None:
        series = series.where(series.notna(), clean.map_values(ident, known.get))
    if country:
        series = series.where(series.notna(), country)
    return series
