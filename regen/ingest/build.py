"""Building the schema frames from a :class:`~regen.ingest.context.Context`: enterprises, yearly figures
(currencies, carried-forward figures) and areas."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from regen.ingest import clean
from regen.ingest.context import Context, as_text, empty_text, int_years, whole
from regen.ingest.locate import (
    area_codes, areas_from_boundaries, areas_table, as_lookup, jp_city, jp_prefecture, locate_rows, region_codes,
    region_default, region_from_area, region_from_postcode, region_from_prefecture, row_countries,
)
from regen.ingest.mapping import INTEGER_FIELDS, header_unit, map_country, map_currency, map_legal_form, map_sector
from regen.ingest.reference import BBOX, JP_TEXT, in_box, places_reference
from regen.ingest.rows import generated_ids, redact
from regen.schema import MAX_YEAR, MIN_YEAR
from regen.vocab import CURRENCIES, UNKNOWN


def build_enterprises(ctx: Context, *, country: str | None, postcode_table, areas, boundaries,
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
        japanese = clean.contains(name, JP_TEXT, non_ascii=True).to_numpy()
        name_ja = clean.to_series(pc.if_else(pa.array(japanese), clean._arrow(name),
                                             pa.scalar(None, pa.large_string())), name.index)
    ident = ctx.text("enterprise_id")
    if ident is None and name is not None:
        ident = generated_ids(name)
        ctx.fallback_column["enterprise_id"] = ctx.source.get("name") or ctx.fallback_column.get("name")
        ctx.note("generated_ids", "the file has no ID column: IDs were made from the names", "name",
                 ident.notna())
    elif ident is not None and name is not None:
        blank = ident.isna() & name.notna()
        if blank.any():  # a row with a name but no ID keeps a stable ID made from its name
            ident = ident.where(~blank, generated_ids(name[blank]).reindex(idx))
            ctx.note("generated_ids", "the ID was empty: an ID was made from the name", "enterprise_id", blank)
    out["enterprise_id"] = as_text(ident, idx)
    out["name"] = as_text(name, idx)
    out["name_ja"] = as_text(name_ja, idx)
    out["legal_form"], out["legal_form_text"] = ctx.categories("legal_form", map_legal_form)
    out["sector"], out["sector_text"] = ctx.categories("sector", map_sector)
    for fld in ("founded", "closed"):
        years = int_years(ctx.years(fld), idx)
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
        jp = clean.contains(address_raw, JP_TEXT, non_ascii=True)
        if jp.any():
            jp_address = clean.text(address_raw[jp])
    region = as_text(ctx.text("region"), idx)
    if jp_address is not None:
        pref = jp_prefecture(jp_address).reindex(idx)
        fill = region.isna() & pref.notna()
        if fill.any():
            region = region.where(~fill, pref)
            ctx.note("region_from_address", "prefecture read from the address", "address", fill)
    out["region"] = as_text(region_codes(ctx, region.astype("str")), idx) if region.notna().any() else region
    extra_index, centroids, extra_info = areas_table(areas)
    if boundaries is not None:  # the boundaries' codes and names are recognised; their points are centroids
        from regen.boundaries import BoundaryResult

        boundary_index, boundary_centroids, _info = areas_table(BoundaryResult(frame=boundaries).areas_table())
        extra_index = {**boundary_index, **extra_index}
        centroids = {**boundary_centroids, **centroids}
    area = ctx.text("area")
    if area is None and jp_address is not None:
        city = clean.map_values(jp_address, jp_city).reindex(idx)
        if city.notna().any():
            area = city.astype("str")
            ctx.fallback_column["area"] = ctx.source.get("address")
    out["area"] = as_text(area_codes(ctx, area, extra_index), idx) if area is not None else empty_text(idx)
    _r, region_country, _a, area_info = places_reference()
    info = {**area_info, **extra_info}
    region_from_area(ctx, out, info)
    out["ward"] = as_text(ctx.text("ward"), idx)
    description = ctx.text("description")
    if description is not None:
        description, redacted = redact(description)
        if redacted.any():
            ctx.note("personal_data_removed", "email addresses or phone numbers were removed from descriptions",
                     "description", redacted)
    out["description"] = as_text(description, idx)

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
    out["country"] = row_countries(ctx, out, country, postcode_country=pc_country,
                              texts=[name, address_raw, ctx.text("place")])
    # Swapped coordinates: latitude beyond ±90, or the pair only fits the country the other way round.
    swap = (lat.abs() > 90) & (lon.abs() <= 90)
    for code in BBOX:
        is_c = out["country"] == code
        swap |= is_c & ~in_box(code, lat, lon) & in_box(code, lon, lat)
    if swap.any():
        ctx.note("coordinates_swapped", "latitude and longitude were swapped; corrected", "lat", swap)
        out.loc[swap, ["lat", "lon"]] = np.column_stack([lon[swap].to_numpy(), lat[swap].to_numpy()])
    locate_rows(ctx, out, postcode_table=as_lookup(postcode_table), area_centroids=centroids)
    ctx.flag(out["country"].isna(), "country", "country_unknown", "the country cannot be told from the row (no "
             "country, postcode, coordinates or place name): choose the country of the file")
    if boundaries is not None:
        filled = areas_from_boundaries(ctx, out, boundaries)
        region_from_area(ctx, out, info, filled)
    if boundaries is not None or default_region is not None:
        region_from_prefecture(ctx, out)
    if default_region is not None:
        region_default(ctx, out, default_region)
    region_from_postcode(ctx, out)
    for fld, what in (("region", "region"), ("area", "area")):
        missing = out[fld].isna()
        if missing.any():  # kept, and counted under "not known"
            out[fld] = out[fld].where(~missing, UNKNOWN)
            ctx.note(f"{fld}_unknown", f"the {what} is not given and could not be found from the location: kept as "
                                       "'not known'", fld, missing)
    return out


def build_figures(ctx: Context, ident: pd.Series | None, *, country: pd.Series | str | None,
                   year: int | None) -> pd.DataFrame:
    idx = ctx.index
    ctx.prefetch(*[("numbers", f, False) for f in ("fte", "turnover", "disadvantaged_hires", "volunteers")],
                 ("vocabulary", "currency", map_currency))
    out = pd.DataFrame(index=idx)
    out["enterprise_id"] = as_text(ident, idx)
    years = ctx.years("year", keep_row=False)
    if years is not None:
        out["year"] = int_years(years, idx)
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
    currency = empty_text(idx)
    if parsed is not None:
        header_currency, multiplier = header_unit(ctx.source["turnover"])
        out["turnover"] = parsed.values * multiplier
        signs = parsed.currency.astype("str")
        currency = signs.copy()
        codes = ctx.vocabulary("currency", map_currency, "unknown_currency", "not a known currency", "GBP, JPY")
        if codes is not None:
            column = as_text(codes, idx)
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


def build_areas(ctx: Context, *, country: str | None) -> pd.DataFrame:
    idx = ctx.index
    out = pd.DataFrame(index=idx)
    out["code"] = as_text(ctx.text("code"), idx)
    name, name_ja = ctx.text("name"), ctx.text("name_ja")
    if name is None and name_ja is not None:
        name = name_ja
    out["name"] = as_text(name, idx)
    out["name_ja"] = as_text(name_ja, idx)
    out["region"] = as_text(ctx.text("region"), idx)
    if out["region"].notna().any():
        out["region"] = as_text(region_codes(ctx, ctx.text("region")), idx)
    codes = ctx.vocabulary("country", map_country, "unknown_country", "not a known country", "GB, JP")
    c = as_text(codes, idx)
    if country:
        c = c.where(c.notna(), country)
    _r, region_country, _a, _i = places_reference()
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
        out["population"] = whole(pop.values)
    else:
        out["population"] = pd.Series(pd.NA, index=idx, dtype="Int64")
    out["population_year"] = int_years(ctx.years("population_year"), idx)
    out["population_source"] = as_text(ctx.text("population_source"), idx)
    return out


CARRIED_FIELDS = ("employees", "fte", "turnover", "volunteers", "disadvantaged_hires")


def note_carried_forward(ctx: Context, figures: pd.DataFrame) -> None:
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
    if carried.any():
        mask = pd.Series(False, index=ctx.index)
        mask[carried[carried].index] = True
        enterprises = figures.loc[carried.to_numpy(), "enterprise_id"].nunique()
        ctx.note("carried_forward", f"the figures of {enterprises} enterprise(s) repeat the year before exactly up to "
                                    "their last year (carried forward rather than new returns?): kept; check them",
                 "year", mask)


def country_for_figures(ctx: Context, country: str | None, ident: pd.Series | None = None,
                         known: Mapping[str, str] | None = None) -> pd.Series | str | None:
    """Each figure row's country: the file's country column, else its enterprise's (``known``: ID →
    country), else ``country``."""
    codes = ctx.vocabulary("country", map_country, "unknown_country", "not a known country", "GB, JP")
    if codes is None and not (known and ident is not None):
        return country
    series = as_text(codes, ctx.index) if codes is not None else pd.Series(None, index=ctx.index, dtype=object)
    if known and ident is not None:
        series = series.where(series.notna(), clean.map_values(ident, known.get))
    if country:
        series = series.where(series.notna(), country)
    return series
