"""Locating rows and filling their places: coordinates → postcode table → place name (regen.resolve) →
area centroid; countries; region and area codes; areas from boundary polygons; regions from the area,
the prefecture, the postcode area or a default."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa

from regen.ingest import clean
from regen.ingest.context import Context, as_text, empty_text
from regen.ingest.mapping import has_japanese, map_country, norm
from regen.ingest.read import IngestError
from regen.ingest.reference import BBOX, JP_TEXT, PREFECTURE_RE, in_box, places_reference
from regen.vocab import GEO_PRECISIONS, UNKNOWN


AREA_EXAMPLES = 5  # disagreeing areas shown in a note's detail
PREFECTURE_SLACK = 0.05  # degrees (about 5 km): points this close to a prefecture's coarse outline are in it


def region_codes(ctx: Context, region: pd.Series) -> pd.Series:
    regions, _rc, _areas, _info = places_reference()
    if not regions or region.isna().all():
        return region
    result, known, _changed = clean.map_keep(region, lambda u: regions.get(norm(u)) if u else None)
    unknown = region.notna() & ~known
    if unknown.any():
        ctx.note("region_unrecognised", "region not among the known regions; kept as written", "region", unknown)
    return result


def area_codes(ctx: Context, area: pd.Series, extra: dict[str, str]) -> pd.Series:
    _r, _rc, areas, _info = places_reference()
    index = {**areas, **extra}
    if not index or area.isna().all():
        return area
    result, _known, changed = clean.map_keep(
        area, lambda u: (index.get(norm(u)) or index.get(norm(re.sub(r"[市町村区]$", "", u)))) if u else None)
    if changed.any():
        ctx.note("area_code_used", "area names were replaced by their official area codes", "area",
                 pd.Series(changed, index=area.index))
    return result


def areas_table(areas: pd.DataFrame | None) -> tuple[dict[str, str], dict[str, tuple[float, float]],
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


def _locate_by_postcode(ctx: Context, out: pd.DataFrame, lookup, formatted: pd.Series, precision: np.ndarray,
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
        regions, _rc, areas, _info = places_reference()
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


def as_lookup(postcodes):
    """``postcodes`` as a :class:`regen.ingest.postcodes.PostcodeLookup` (a table is normalised first)."""
    from regen.ingest.postcodes import PostcodeLookup, normalise_postcode_table

    if postcodes is None or isinstance(postcodes, PostcodeLookup):
        return postcodes
    table = normalise_postcode_table(postcodes)
    return None if table is None else PostcodeLookup.from_table(table)


def locate_rows(ctx: Context, out: pd.DataFrame, *, postcode_table,
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
        out_ = empty_text(idx)
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
        formatted = empty_text(idx)
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
                towns = clean.map_values(sub, lambda a: jp_city(a) if has_japanese(a) else _uk_place(a))
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


def _locate_by_place(ctx: Context, out: pd.DataFrame, names: np.ndarray, ask: np.ndarray, postcodes: pd.Series,
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
                inside = unknown & in_box(code, pd.Series(lat), pd.Series(lon)).to_numpy()
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


def jp_city(address: str) -> str | None:
    text = unicodedata.normalize("NFKC", address)
    text = re.sub(r"^〒?\s*\d{3}-?\d{4}\s*", "", text)
    m = re.match(rf"\s*(?:{PREFECTURE_RE})?\s*(?:[^\s\d]+?郡)?([^\s\d]+?[市区町村])", text)
    return m.group(1) if m else None


def jp_prefecture(address: pd.Series) -> pd.Series:
    """Region slug from the prefecture at the start of Japanese addresses (``str`` Series)."""
    regions, _rc, _a, _i = places_reference()
    if not regions:
        return empty_text(address.index)

    def pref(a: str) -> str | None:
        m = re.match(rf"^(?:〒?\s*\d{{3}}-?\d{{4}}\s*)?({PREFECTURE_RE})", a)
        return regions.get(norm(m.group(1))) if m else None

    jp = clean.contains(address, JP_TEXT, non_ascii=True)
    out = empty_text(address.index)
    if jp.any():
        out[jp] = clean.map_values(address[jp], pref)
    return out


def row_countries(ctx: Context, out: pd.DataFrame, country: str | None, *, postcode_country: pd.Series | None,
             texts: list[pd.Series | None]) -> pd.Series:
    idx = out.index
    codes = ctx.vocabulary("country", map_country, "unknown_country", "not a known country", "GB, JP")
    result = as_text(codes, idx)
    if country:
        result = result.where(result.notna(), country)
    inferred = result.isna()
    if postcode_country is not None:
        result = result.where(result.notna(), postcode_country)
    if "lat" in out and "lon" in out:
        for code in BBOX:
            box = in_box(code, out["lat"], out["lon"]) | in_box(code, out["lon"], out["lat"])
            result = result.where(result.notna() | ~box, code)
    _r, region_country, _a, area_info = places_reference()
    if "region" in out and region_country and result.isna().any():
        result = result.where(result.notna(), clean.map_values(out["region"], region_country.get))
    for series in texts:
        if series is not None and result.isna().any():
            jp = clean.contains(series, JP_TEXT, non_ascii=True)
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


def region_from_area(ctx: Context, out: pd.DataFrame, info: dict[str, dict], rows: np.ndarray | None = None) -> None:
    """Fill missing regions with the region of the row's area, where the area is known (only ``rows`` if given)."""
    if not info:
        return
    area = out["area"] if rows is None else out["area"].where(rows)
    from_area = clean.map_values(area, lambda a: (info.get(a) or {}).get("region") if a else None)
    fill = out["region"].isna() & from_area.notna()
    if fill.any():
        out.loc[fill, "region"] = from_area[fill]
        ctx.note("region_from_area", "region filled in from the area", "area", fill, merge=True)


def areas_from_boundaries(ctx: Context, out: pd.DataFrame, boundaries) -> np.ndarray:
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


def region_from_prefecture(ctx: Context, out: pd.DataFrame) -> None:
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


def region_from_postcode(ctx: Context, out: pd.DataFrame) -> None:
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


def region_default(ctx: Context, out: pd.DataFrame, region: str) -> None:
    """Rows still without a region get ``region`` (a slug), unless they are in another country than it."""
    _r, region_country, _a, _i = places_reference()
    fill = out["region"].isna()
    if region_country.get(region):
        fill &= out["country"].isna() | (out["country"] == region_country[region])
    if fill.any():
        out.loc[fill, "region"] = region
        ctx.note("region_default", f"region not given: {region} was used (the default region)", "region", fill)


def region_slug(region: str) -> str:
    """The region code of a default region given as a code or an English or Japanese name."""
    regions, _rc, _a, _i = places_reference()
    slug = regions.get(norm(str(region))) if regions else str(region)
    if not slug:
        raise IngestError("bad_region", f"{region!r} is not a known region; give a region code such as north_east "
                                        "or hokkaido, or its name")
    return slug
