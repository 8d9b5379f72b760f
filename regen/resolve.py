"""Choose the place a register row means by its name, using the row's other facts, or say it can't.

A town name alone is often ambiguous: "Newcastle" is Newcastle upon Tyne, Newcastle-under-Lyme,
Newcastle (County Down) or Newcastle Emlyn; "Richmond" is in North Yorkshire or in London. The
gazetteer (:func:`regen.geo.gazetteer_candidates`) lists every plausible place and
:func:`resolve_place` narrows them with the row's postcode area, region, county and a point near
the file's other rows. When more than one place is left the row is left unlocated with the
candidates named (status ``"ambiguous"``): nothing is guessed silently, not even the largest.

* :func:`resolve_place` resolves one name; results are cached per distinct question.
* :func:`resolve_many` resolves a frame of rows, once per distinct (name, country, region,
  postcode area, county).

Regions of Great Britain are judged without boundary files: the nation by the GeoNames admin1 code
(ENG, SCT, WLS, NIR), the English region by the nearby postcode areas (:mod:`regen.postcode_areas`;
an area near a regional border counts for every region it reaches) and, for London, the distance
from Charing Cross. This is deliberately lenient: it can keep a place that is just outside a region
but does not drop one inside it. Japanese prefectures are judged by GeoNames admin1 code.

Nothing here imports Streamlit.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from regen import geo
from regen.places import GB_REGION_BBOX, GEONAMES_JP_ADMIN1, REGIONS
from regen.postcode_areas import POSTCODE_AREAS, postcode_area

SAME_PLACE_KM = 15.0  # candidates closer than this are one place (the most populous stands for it)
POSTCODE_KM = 60.0  # a candidate this close to a postcode area's centre fits the postcode
NEAR_KM = 80.0  # the `near` point picks a candidate at most this far away ...
NEAR_RATIO = 3.0  # ... when every other candidate is more than this many times farther
DOMINANT_RATIO = 10.0  # population ratio for "the largest" note (it is still not picked)
_REGION_SLACK_KM = 15.0  # postcode areas this much farther than the nearest one still count
_IN_AREA_SLACK_KM = 5.0  # "in the postcode area": at most this much farther from its centre than from the nearest
_CHARING_CROSS = (51.5074, -0.1278)
_LONDON_SURE_KM, _LONDON_MAX_KM = 16.0, 35.0  # always / never London by distance from Charing Cross

_NATION = {"SCT": "scotland", "WLS": "wales", "NIR": "northern_ireland"}
_ENGLISH = frozenset(k for k, r in REGIONS.items() if r["country"] == "GB" and k not in _NATION.values())
_JP_SLUG_BY_ADMIN1 = {code: slug for slug, code in GEONAMES_JP_ADMIN1.items()}
_COUNTRY_ALIASES = {"UK": "GB", "GBR": "GB", "UNITED KINGDOM": "GB", "GREAT BRITAIN": "GB", "JPN": "JP",
                    "JAPAN": "JP"}


@dataclass(frozen=True)
class Resolution:
    """Outcome of :func:`resolve_place`.

    ``status``: "found" (``lat``/``lon`` set, ``precision`` "place"), "ambiguous" (several places
    fit; ``candidates`` names them) or "not_found" (no place of that name, or the only ones
    contradict the row's postcode, region or county). ``candidates``: "Name (region)" of the
    places left after narrowing (the chosen one when found). ``reason``: short plain English.
    ``source``: provenance of the coordinates when found.
    """

    status: str
    lat: float | None = None
    lon: float | None = None
    precision: str | None = None
    candidates: tuple[str, ...] = ()
    reason: str = ""
    source: str | None = None

    @property
    def found(self) -> bool:
        return self.status == "found"


# --- Distances and regions ---------------------------------------------------------------------

def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 12742.0 * math.asin(min(1.0, math.sqrt(a)))


_AREAS = tuple(POSTCODE_AREAS.values())
_AREA_INDEX = {a.area: i for i, a in enumerate(_AREAS)}
_AREA_LAT = np.radians([a.lat for a in _AREAS])
_AREA_LON = np.radians([a.lon for a in _AREAS])


def _area_km(lat: float, lon: float) -> np.ndarray:
    """Distance (km) from a point to the centre of every postcode area, in ``_AREAS`` order."""
    p, q = math.radians(lat), math.radians(lon)
    a = np.sin((_AREA_LAT - p) / 2) ** 2 + math.cos(p) * np.cos(_AREA_LAT) * np.sin((_AREA_LON - q) / 2) ** 2
    return 12742.0 * np.arcsin(np.minimum(1.0, np.sqrt(a)))


@lru_cache(maxsize=65536)
def _gb_regions(lat: float, lon: float, admin1: str, known: str | None) -> tuple[frozenset[str], str]:
    """(regions the point plausibly lies in, display label) for a place in Great Britain or NI."""
    if known:
        return frozenset({known}), REGIONS[known]["en"]
    nation = _NATION.get(admin1)
    if nation:
        return frozenset({nation}), REGIONS[nation]["en"]
    allowed = _ENGLISH if admin1 == "ENG" else None
    dists = sorted(zip(_area_km(lat, lon).tolist(), (a.area for a in _AREAS)))
    limit = dists[0][0] + _REGION_SLACK_KM
    plausible: set[str] = set()
    for dist, code in dists:
        if dist > limit:
            break
        plausible.update(POSTCODE_AREAS[code].regions)
    for region, (south, west, north, east) in GB_REGION_BBOX.items():
        if south <= lat <= north and west <= lon <= east:
            plausible.add(region)
    if allowed is not None:
        plausible &= allowed
    from_london = _km(lat, lon, *_CHARING_CROSS)
    if from_london <= _LONDON_SURE_KM:
        plausible = {"london"}
    elif from_london > _LONDON_MAX_KM:
        plausible.discard("london")
    nearest = next((POSTCODE_AREAS[c] for _d, c in dists
                    if allowed is None or allowed & set(POSTCODE_AREAS[c].regions)), POSTCODE_AREAS[dists[0][1]])
    if not plausible:
        plausible = {next(r for r in nearest.regions if allowed is None or r in allowed)}
    ordered = [r for r in nearest.regions if r in plausible] + sorted(plausible - set(nearest.regions))
    return frozenset(plausible), " or ".join(REGIONS[r]["en"] for r in ordered)


def _regions_of(cand: dict, country: str) -> tuple[frozenset[str], str]:
    if country == "JP":
        slug = cand.get("region") or _JP_SLUG_BY_ADMIN1.get(cand.get("admin1code") or "")
        return (frozenset({slug}), REGIONS[slug]["en"]) if slug else (frozenset(), "Japan")
    return _gb_regions(round(cand["lat"], 5), round(cand["lon"], 5), cand.get("admin1code") or "",
                       cand.get("region"))


# --- Context text: regions and counties --------------------------------------------------------

NE, NW, LO, YH = "north_east", "north_west", "london", "yorkshire_humber"
EM, WM, EE, SE = "east_midlands", "west_midlands", "east_of_england", "south_east"
SW, SC, WA, NI = "south_west", "scotland", "wales", "northern_ireland"

# County and similar names (ceremonial, metropolitan, historic, unitary, Welsh and Scottish council
# areas, Northern Irish counties) -> the regions they lie in. General knowledge.
_COUNTIES: dict[tuple[str, ...], tuple[str, ...]] = {
    (NE,): ("Northumberland", "Tyne and Wear", "Durham", "County Durham", "Cleveland", "Teesside", "Darlington",
            "Hartlepool", "Middlesbrough", "Stockton-on-Tees", "Redcar and Cleveland", "Gateshead",
            "North Tyneside", "South Tyneside"),
    (NW,): ("Cumbria", "Cumberland", "Westmorland", "Westmorland and Furness", "Lancashire", "Greater Manchester",
            "Merseyside", "Cheshire", "Cheshire East", "Cheshire West and Chester", "Halton", "Warrington",
            "Blackpool", "Blackburn with Darwen", "Wirral"),
    (YH,): ("Yorkshire", "North Yorkshire", "West Yorkshire", "South Yorkshire", "East Yorkshire",
            "East Riding of Yorkshire", "East Riding", "North Lincolnshire", "North East Lincolnshire",
            "Kingston upon Hull", "Humberside"),
    (EM,): ("Derbyshire", "Nottinghamshire", "Leicestershire", "Rutland", "Northamptonshire", "Lincolnshire",
            "North Northamptonshire", "West Northamptonshire", "Notts", "Leics", "Northants", "Lincs"),
    (WM,): ("West Midlands", "Staffordshire", "Shropshire", "Salop", "Herefordshire", "Worcestershire",
            "Warwickshire", "Hereford and Worcester", "Telford and Wrekin", "Staffs", "Warks", "Worcs"),
    (EE,): ("Norfolk", "Suffolk", "Essex", "Cambridgeshire", "Hertfordshire", "Bedfordshire", "Central Bedfordshire",
            "Huntingdonshire", "Thurrock", "Southend-on-Sea", "Herts", "Beds", "Cambs"),
    (LO,): ("London", "Greater London", "City of London"),
    (LO, SE): ("Middlesex",),
    (SE,): ("Kent", "Surrey", "Sussex", "East Sussex", "West Sussex", "Hampshire", "Hants", "Isle of Wight",
            "Berkshire", "Berks", "Buckinghamshire", "Bucks", "Oxfordshire", "Oxon", "Medway", "Brighton and Hove",
            "West Berkshire", "Windsor and Maidenhead", "Wokingham", "Bracknell Forest"),
    (SW,): ("Cornwall", "Devon", "Somerset", "Dorset", "Wiltshire", "Wilts", "Gloucestershire", "Glos", "Bristol",
            "Avon", "North Somerset", "Bath and North East Somerset", "South Gloucestershire", "Isles of Scilly",
            "Torbay", "Bournemouth, Christchurch and Poole"),
    (WA,): ("Anglesey", "Isle of Anglesey", "Ynys Mon", "Gwynedd", "Conwy", "Denbighshire", "Flintshire", "Wrexham",
            "Powys", "Ceredigion", "Pembrokeshire", "Carmarthenshire", "Neath Port Talbot", "Bridgend",
            "Vale of Glamorgan", "Rhondda Cynon Taf", "Rhondda Cynon Taff", "Merthyr Tydfil", "Caerphilly",
            "Blaenau Gwent", "Torfaen", "Monmouthshire", "Clwyd", "Dyfed", "Gwent", "Glamorgan", "Mid Glamorgan",
            "South Glamorgan", "West Glamorgan", "Radnorshire", "Brecknockshire", "Breconshire", "Montgomeryshire",
            "Cardiganshire", "Merionethshire", "Caernarfonshire", "Carnarvonshire"),
    (SC,): ("Aberdeenshire", "Aberdeen City", "Angus", "Argyll and Bute", "Argyll", "Clackmannanshire",
            "Dumfries and Galloway", "Dumfriesshire", "East Ayrshire", "North Ayrshire", "South Ayrshire", "Ayrshire",
            "East Dunbartonshire", "West Dunbartonshire", "Dunbartonshire", "East Lothian", "West Lothian",
            "Midlothian", "Lothian", "East Renfrewshire", "Renfrewshire", "Inverclyde", "Fife", "Highland",
            "Highlands", "Moray", "Na h-Eileanan Siar", "Western Isles", "North Lanarkshire", "South Lanarkshire",
            "Lanarkshire", "Orkney", "Orkney Islands", "Shetland", "Shetland Islands", "Perth and Kinross",
            "Perthshire", "Scottish Borders", "Borders", "Stirling", "Stirlingshire", "Strathclyde", "Tayside",
            "Grampian", "Inverness-shire", "Ross-shire", "Ross and Cromarty", "Sutherland", "Caithness",
            "Kincardineshire", "Banffshire", "Berwickshire", "Roxburghshire", "Selkirkshire", "Peeblesshire",
            "Kirkcudbrightshire", "Wigtownshire", "Kinross-shire", "City of Edinburgh", "Glasgow City",
            "Dundee City"),
    (NI,): ("Antrim", "Armagh", "Down", "Fermanagh", "Londonderry", "Derry", "Tyrone", "Ulster"),
}
_NATIONS = {"england": _ENGLISH, "scotland": frozenset({SC}), "wales": frozenset({WA}),
            "northernireland": frozenset({NI}), "cymru": frozenset({WA})}
_REGION_ALIASES = {"North East": NE, "North West": NW, "Yorkshire and Humber": YH, "Yorkshire & Humber": YH,
                   "Yorkshire & the Humber": YH, "East Midlands": EM, "West Midlands": WM, "East of England": EE,
                   "East Anglia": EE, "South East": SE, "South West": SW, "NI": NI}
_PREFIX = re.compile(r"^(?:county|co\.?|city of|the)\s+")
_SUFFIX = re.compile(r"\s+(?:county|council)$")


@lru_cache(maxsize=1)
def _context_index() -> dict[str, frozenset[str]]:
    index: dict[str, frozenset[str]] = dict(_NATIONS)
    for regions, names in _COUNTIES.items():
        for name in names:
            index.setdefault(geo._norm(name), frozenset(regions))
    for slug, region in REGIONS.items():
        for text in (slug, region["en"], region["ja"]):
            index[geo._norm(text)] = frozenset({slug})
        if region["country"] == "JP":  # 新潟県 -> 新潟, Niigata-ken, Niigata Prefecture
            stem = re.sub(r"[都道府県]$", "", region["ja"]) if region["ja"] != "北海道" else region["ja"]
            for text in (stem, f"{region['en']} ken", f"{region['en']} prefecture"):
                index.setdefault(geo._norm(text), frozenset({slug}))
    for text, slug in _REGION_ALIASES.items():
        index.setdefault(geo._norm(text), frozenset({slug}))
    return index


def _context_regions(text: object) -> frozenset[str] | None:
    """Region slugs named by a region or county text ("north_east", "Co. Down", "新潟県"), or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    if text in REGIONS:
        return frozenset({text})
    clean = unicodedata.normalize("NFKC", text).casefold().strip()
    clean = _SUFFIX.sub("", _PREFIX.sub("", clean))
    return _context_index().get(geo._norm(clean)) or _context_index().get(geo._norm(text))


def _country_of(regions: frozenset[str]) -> str | None:
    countries = {REGIONS[r]["country"] for r in regions}
    return countries.pop() if len(countries) == 1 else None


# --- Resolving ---------------------------------------------------------------------------------

def _blank(value: object) -> bool:
    if value is None:
        return True
    try:
        if pd.isna(value):
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(value, str) and not value.strip()


def _text(value: object) -> str | None:
    return None if _blank(value) else str(value).strip()


def _country_code(country: object) -> str | None:
    text = _text(country)
    if text is None:
        return None
    code = text.upper()
    return _COUNTRY_ALIASES.get(code, code)


def resolve_place(name: str, country: str, *, region: str | None = None, postcode: str | None = None,
                  county: str | None = None, near: tuple[float, float] | None = None) -> Resolution:
    """Choose the place ``name`` means in ``country`` ("GB" or "JP") from the row's other facts.

    Steps: every candidate of :func:`regen.geo.gazetteer_candidates` (none: "not_found");
    candidates within 15 km of each other count as one place (the most populous); then, each only
    when it keeps at least one candidate, narrowing by the postcode's area (GB: the candidates in
    that area, judged by nearness to its centre against the other areas' centres, else those within
    60 km of its centre, else those in a region the area reaches), by ``region`` (a :data:`regen.places.REGIONS`
    slug, or a region or county name), by ``county`` (county, nation or prefecture name; unknown
    text is ignored) and by ``near`` (a (lat, lon) summarising the file's other located rows: a
    candidate within 80 km with every other more than 3x farther). One place left: "found". Several:
    "ambiguous", even when one is far larger. A postcode, region or county that no candidate fits
    is a contradiction: a single candidate is then "not_found" (the caller may fall back to the
    postcode area), several stay "ambiguous". ``country`` may be empty: it is then taken from
    the region or postcode, else from the one gazetteer that knows the name.

    Results are cached per (name, country, region, postcode area, county, near).
    """
    area = postcode_area(postcode) if not _blank(postcode) else None
    return _resolve(_text(name), _country_code(country), _text(region), area, _text(county), _near_key(near))


def _near_key(near: object) -> tuple[float, float] | None:
    if near is None:
        return None
    try:
        lat, lon = float(near[0]), float(near[1])  # type: ignore[index]
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    return (round(lat, 4), round(lon, 4)) if math.isfinite(lat) and math.isfinite(lon) else None


def _label(cand: dict) -> str:
    return f"{cand['name']} ({cand['_label']})"


def _cluster(cands: list[dict]) -> list[dict]:
    """One candidate per group of candidates closer than SAME_PLACE_KM (the most populous)."""
    kept: list[dict] = []
    order = {"name": 0, "places": 1, "alternate": 2, "short": 3}
    for cand in sorted(cands, key=lambda c: (-(c["population"] or 0), order.get(c.get("match"), 9))):
        if not any(k["_country"] == cand["_country"]
                   and _km(k["lat"], k["lon"], cand["lat"], cand["lon"]) < SAME_PLACE_KM for k in kept):
            kept.append(cand)
    return kept


@lru_cache(maxsize=16384)
def _places(name: str, countries: tuple[str, ...]) -> tuple[dict, ...]:
    """The candidates for a name with their regions and labels, one per place (shared: read only)."""
    cands = []
    for code in countries:
        for cand in geo.gazetteer_candidates(name, code):
            cand = dict(cand, _country=code)
            cand["_regions"], cand["_label"] = _regions_of(cand, code)
            if code == "GB":
                cand["_area_km"] = _area_km(cand["lat"], cand["lon"])
                cand["_area_min_km"] = float(cand["_area_km"].min())
            cands.append(cand)
    if len({c["_country"] for c in cands}) > 1:
        for cand in cands:
            cand["_label"] = f"{cand['_label']}, {cand['_country']}"
    cands = _cluster(cands)
    if len(cands) > 1:  # several places: say which post town each is near (unless it is one)
        for cand in cands:
            if "_area_km" in cand and cand["_area_min_km"] > 3.0:
                cand["_label"] += f", near {_AREAS[int(np.argmin(cand['_area_km']))].centre_place}"
        labels = [_label(c) for c in cands]
        for cand, label in zip(cands, labels):
            if labels.count(label) > 1:
                cand["_label"] += f", {cand['lat']:.2f} {cand['lon']:.2f}"
    return tuple(cands)


@lru_cache(maxsize=65536)
def _resolve(name: str | None, country: str | None, region: str | None, area: str | None, county: str | None,
             near: tuple[float, float] | None) -> Resolution:
    if not name:
        return Resolution("not_found", reason="no place name")
    region_set = _context_regions(region) if region else None
    county_set = _context_regions(county) if county else None
    notes: list[str] = []
    if region and region_set is None:
        notes.append(f"region '{region}' is not known and was ignored")
    if country is None:
        country = (_country_of(region_set) if region_set else None) or ("GB" if area else None)
    countries = [country] if country else list(geo.GAZETTEER_COUNTRIES)
    if country and country not in geo.GAZETTEER_COUNTRIES:
        return Resolution("not_found", reason=f"no offline gazetteer for country {country}")
    if area and "GB" not in countries:
        area = None  # a UK postcode shape on a Japanese row says nothing

    cands = list(_places(name, tuple(countries)))
    where = f"the {country} gazetteer" if country else "the gazetteer"
    if not cands:
        return Resolution("not_found", reason=f"no place called '{name}' in {where}")
    total = len(cands)
    used: list[str] = []
    conflicts: list[str] = []

    def narrow(keep: list[dict], what: str) -> None:
        nonlocal cands
        if keep:
            cands = keep
            used.append(what)
        else:
            conflicts.append(what)

    if area:
        info = POSTCODE_AREAS[area]
        what = f"postcode area {area} ({info.post_town})"
        gb = [c for c in cands if c["_country"] == "GB"]
        at = _AREA_INDEX[area]
        dist = [float(c["_area_km"][at]) for c in gb]
        keep = [c for c, d in zip(gb, dist)  # nearer this area's centre than (almost) any other's
                if d <= POSTCODE_KM and d <= c["_area_min_km"] + _IN_AREA_SLACK_KM]
        keep = keep or [c for c, d in zip(gb, dist) if d <= POSTCODE_KM]
        narrow(keep or [c for c in gb if c["_regions"] & set(info.regions)], what)
    for text, regions in ((region, region_set), (county, county_set)):
        if regions:
            names = sorted({REGIONS[r]["en"] for r in regions})
            what = f"'{text}'" if len(names) > 2 else " / ".join(names)
            narrow([c for c in cands if c["_regions"] & regions], what)
    if near is not None and len(cands) > 1:
        dist = [_km(c["lat"], c["lon"], *near) for c in cands]
        keep = [c for i, c in enumerate(cands)
                if dist[i] <= NEAR_KM and all(d > NEAR_RATIO * dist[i] for j, d in enumerate(dist) if j != i)]
        if keep:
            narrow(keep, "the file's other rows")

    labels = tuple(_label(c) for c in cands)
    quoted = f"'{name}'"
    verb = "fits" if len(cands) == 1 else "fit"
    fits = f" that {verb} {' and '.join(used)}" if used else ""
    against = f"; it does not fit {' or '.join(conflicts)}" if conflicts else ""
    tail = "".join(f"; {n}" for n in notes)
    if len(cands) == 1:
        only = cands[0]
        if conflicts:
            return Resolution("not_found", candidates=labels, reason=(
                f"the only place called {quoted} in {where}{fits}, {_label(only)}, is not in or near "
                f"{' or '.join(conflicts)}{tail}"))
        if total == 1:
            reason = f"the only place called {quoted} in {where}{fits}"
        else:
            reason = f"the only one of {total} places called {quoted}{fits}"
        return Resolution("found", only["lat"], only["lon"], "place", labels, reason + tail, only["source"])
    reason = f"{len(cands)} places called {quoted}{fits} (give a postcode, region or county to choose)"
    big = max(cands, key=lambda c: c["population"] or 0)
    if (big.get("match") in ("name", "places") and not conflicts
            and all((big["population"] or 0) >= DOMINANT_RATIO * max(c["population"] or 0, 1)
                    for c in cands if c is not big)):
        reason += f"; the largest, {_label(big)}, is not picked without more evidence"
    return Resolution("ambiguous", candidates=labels, reason=reason + against + tail)


# --- Many rows ---------------------------------------------------------------------------------

def _normalised(frame: pd.DataFrame, name: str, normalise) -> np.ndarray:
    """Column ``name`` with ``normalise`` applied once per distinct value (None where missing)."""
    if name not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    codes, uniques = pd.factorize(frame[name], use_na_sentinel=True)
    values = [None if _blank(v) else normalise(v) for v in uniques]
    return np.array(values + [None], dtype=object)[codes]  # code -1 (missing) -> the last entry, None


def resolve_many(frame: pd.DataFrame, *, near: tuple[float, float] | None = None) -> pd.DataFrame:
    """:func:`resolve_place` for every row of ``frame``.

    Reads columns ``name``, ``country``, ``region``, ``postcode`` and ``county`` (each may be
    missing or hold blanks). Returns a frame with ``frame``'s index and row order and columns
    ``lat``, ``lon`` (float, NaN unless found), ``precision``, ``status``, ``candidates`` (names
    joined by "; ") and ``reason``. Each distinct (name, country, region, postcode area, county)
    is resolved once; ``near`` applies to every row.
    """
    columns = ["lat", "lon", "precision", "status", "candidates", "reason"]
    n = len(frame)
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("lat", "lon") else object) for c in columns},
                            index=frame.index)
    names = _normalised(frame, "name", _text)
    countries = _normalised(frame, "country", _country_code)
    regions = _normalised(frame, "region", _text)
    counties = _normalised(frame, "county", _text)
    areas = _normalised(frame, "postcode", postcode_area)
    parts = pd.DataFrame({"a": names, "b": countries, "c": regions, "d": areas, "e": counties}, dtype=object)
    codes = parts.groupby(list(parts.columns), dropna=False, sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(n)).groupby(codes, sort=True).first().to_numpy()
    keys = [tuple(row) for row in parts.to_numpy(dtype=object)[first]]
    near_key = _near_key(near)
    results = [_resolve(nm, ct, rg, ar, cy, near_key) for nm, ct, rg, ar, cy in keys]
    lat = np.array([np.nan if r.lat is None else r.lat for r in results], dtype=float)
    lon = np.array([np.nan if r.lon is None else r.lon for r in results], dtype=float)
    pick = {
        "precision": np.array([r.precision for r in results], dtype=object),
        "status": np.array([r.status for r in results], dtype=object),
        "candidates": np.array(["; ".join(r.candidates) for r in results], dtype=object),
        "reason": np.array([r.reason for r in results], dtype=object),
    }
    out = pd.DataFrame({"lat": lat[codes], "lon": lon[codes], **{k: v[codes] for k, v in pick.items()}},
                       index=frame.index)
    return out[columns]
