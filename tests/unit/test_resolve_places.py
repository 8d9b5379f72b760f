"""Choosing the place a row's town name means: postcode areas, gazetteer candidates and resolution."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest

from regen import geo
from regen.places import REGIONS
from regen.postcode_areas import POSTCODE_AREAS, area_info, outward_code, postcode_area
from regen.resolve import Resolution, _regions_of, resolve_many, resolve_place

UK_BOX = (49.8, -8.7, 60.9, 1.8)  # south, west, north, east


def _km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(a))


# --- Postcode areas ----------------------------------------------------------------------------

def test_every_postcode_area_has_a_region_and_a_centre_in_the_uk():
    assert len(POSTCODE_AREAS) == 121
    gb_regions = {k for k, r in REGIONS.items() if r["country"] == "GB"}
    for code, area in POSTCODE_AREAS.items():
        assert code == area.area and code.isalpha() and code.isupper() and 1 <= len(code) <= 2
        assert area.regions and set(area.regions) <= gb_regions, code
        assert area.region == area.regions[0] and len(set(area.regions)) == len(area.regions)
        south, west, north, east = UK_BOX
        assert south <= area.lat <= north and west <= area.lon <= east, code
        info = area_info(code)
        assert info["post_town"] == area.post_town and info["region"] in gb_regions
        assert (info["lat"], info["lon"]) == (area.lat, area.lon)
    assert {"BT", "ZE", "HS", "KW", "TR", "EC", "WC", "E", "W", "N", "S", "G", "L", "M", "B"} <= set(POSTCODE_AREAS)
    assert not {"GY", "JE", "IM"} & set(POSTCODE_AREAS)  # Crown Dependencies, not the UK
    assert POSTCODE_AREAS["BT"].region == "northern_ireland"


def test_postcode_area_centres_match_the_gazetteer():
    for code, area in POSTCODE_AREAS.items():
        city = geo.geonames_city(area.geonameid)
        assert city is not None, code
        assert geo._norm(city["name"]) == geo._norm(area.centre_place), code
        assert _km(area.lat, area.lon, city["latitude"], city["longitude"]) < 30, code


@pytest.mark.parametrize("code,town,region", [
    ("NE", "Newcastle upon Tyne", "north_east"), ("DL", "Darlington", "north_east"), ("EH", "Edinburgh", "scotland"),
    ("NP", "Newport", "wales"), ("TW", "Twickenham", "london"), ("SR", "Sunderland", "north_east"),
    ("CA", "Carlisle", "north_west"), ("BT", "Belfast", "northern_ireland"), ("LS", "Leeds", "yorkshire_humber"),
    ("B", "Birmingham", "west_midlands"), ("NG", "Nottingham", "east_midlands"), ("CB", "Cambridge", "east_of_england"),
    ("BN", "Brighton", "south_east"), ("EX", "Exeter", "south_west"), ("EC", "London", "london"),
])
def test_named_postcode_areas(code, town, region):
    info = area_info(code)
    assert info["post_town"] == town and info["region"] == region
    assert area_info(code.lower()) == info


@pytest.mark.parametrize("text,area,outward", [
    ("NE1 4ST", "NE", "NE1"), ("ne1 4st", "NE", "NE1"), ("NE14ST", "NE", "NE1"), ("DL104QZ", "DL", "DL10"),
    ("DL10 4QZ", "DL", "DL10"), (" tw9  1dn ", "TW", "TW9"), ("EC1A 1BB", "EC", "EC1A"), ("W1A 0AX", "W", "W1A"),
    ("SR2", "SR", "SR2"), ("ＮＥ１ ４ＳＴ", "NE", "NE1"),
    ("", None, None), ("n/a", None, None), ("100-0001", None, None), ("〒100-0001", None, None),
    ("ZZ1 1AA", None, None), ("GIR 0AA", None, None), ("NE1 4STX", None, None), ("12345", None, None),
    (None, None, None), (float("nan"), None, None), (42, None, None), ("N", None, None),
])
def test_postcode_area_and_outward_code_never_raise(text, area, outward):
    assert postcode_area(text) == area
    assert outward_code(text) == outward


def test_area_info_odd_input():
    assert area_info("") is None and area_info("ZZ") is None and area_info(None) is None
    assert area_info("NE1 4ST")["area"] == "NE"


# --- Gazetteer candidates ----------------------------------------------------------------------

def test_gazetteer_candidates_newcastle_lists_every_newcastle():
    cands = geo.gazetteer_candidates("Newcastle", "GB")
    names = [c["name"] for c in cands]
    for expected in ("Newcastle upon Tyne", "Newcastle under Lyme", "Newcastle", "Newcastle Emlyn"):
        assert expected in names
    assert "Newcastleton" not in names  # not a short form: "-ton" is part of the word
    ids = [c["geonameid"] for c in cands if c["geonameid"] is not None]
    assert len(ids) == len(set(ids))
    for c in cands:
        assert {"name", "lat", "lon", "population", "geonameid", "admin1code", "source"} <= set(c)
        assert c["source"]
    ni = next(c for c in cands if c["name"] == "Newcastle")
    assert ni["admin1code"] == "NIR"
    assert [c["population"] for c in cands] == sorted((c["population"] for c in cands), reverse=True)


def test_gazetteer_candidates_other_names():
    richmonds = geo.gazetteer_candidates("Richmond", "GB")
    assert sorted(round(c["lat"]) for c in richmonds) == [51, 54]
    hendons = geo.gazetteer_candidates("Hendon", "GB")
    assert any(c["match"] == "places" and c["lat"] > 54 for c in hendons)  # Hendon, Sunderland (project table)
    assert any(c["lat"] < 52 for c in hendons)  # Hendon, London (GeoNames)
    assert [c["name"] for c in geo.gazetteer_candidates("Hull", "GB")] == ["Kingston upon Hull"]
    assert {c["name"] for c in geo.gazetteer_candidates("Stoke", "GB")} >= {"Stoke-on-Trent", "Stoke"}
    kashiwazaki = geo.gazetteer_candidates("柏崎市", "JP")
    assert len(kashiwazaki) == 1 and kashiwazaki[0]["geonameid"] == 1859908
    assert geo.gazetteer_candidates("", "GB") == [] and geo.gazetteer_candidates("Newcastle", "FR") == []
    assert geo.gazetteer_candidates("Nowhere-on-Nothing", "GB") == []


# --- Regions of Great Britain without boundary files -------------------------------------------

@pytest.mark.parametrize("name,region", [
    ("Leeds", "yorkshire_humber"), ("Chesterfield", "east_midlands"), ("Kendal", "north_west"),
    ("Hexham", "north_east"), ("Northallerton", "yorkshire_humber"), ("Todmorden", "yorkshire_humber"),
    ("Buxton", "east_midlands"), ("Burton upon Trent", "west_midlands"), ("Stamford", "east_midlands"),
    ("Peterborough", "east_of_england"), ("Milton Keynes", "south_east"), ("Watford", "east_of_england"),
    ("Croydon", "london"), ("Dartford", "south_east"), ("Staines", "south_east"), ("Swindon", "south_west"),
    ("Bournemouth", "south_west"), ("Lymington", "south_east"), ("Oswestry", "west_midlands"),
    ("Cardiff", "wales"), ("Inverness", "scotland"), ("Belfast", "northern_ireland"), ("Grays", "east_of_england"),
])
def test_gb_region_of_a_town_is_among_its_plausible_regions(name, region):
    cand = next(c for c in geo.gazetteer_candidates(name, "GB") if c["match"] in ("name", "alternate", "places"))
    regions, label = _regions_of(cand, "GB")
    assert region in regions and REGIONS[region]["en"] in label


# --- resolve_place -----------------------------------------------------------------------------

def _found(res: Resolution, lat: float, lon: float, km: float = 5.0) -> None:
    assert res.status == "found", res
    assert res.precision == "place" and res.source
    assert _km(res.lat, res.lon, lat, lon) < km, res
    assert len(res.candidates) == 1 and res.reason


def test_newcastle():
    _found(resolve_place("Newcastle", "GB", postcode="NE1 4ST"), 54.973, -1.614)
    _found(resolve_place("Newcastle", "GB", region="north_east"), 54.973, -1.614)
    _found(resolve_place("Newcastle", "GB", region="Tyne and Wear"), 54.973, -1.614)
    _found(resolve_place("Newcastle", "GB", county="Co. Down"), 54.218, -5.890)
    _found(resolve_place("Newcastle", "GB", county="Staffordshire"), 53.0, -2.233)
    res = resolve_place("Newcastle", "GB")
    assert res.status == "ambiguous" and res.lat is None and res.lon is None and res.precision is None
    assert len(res.candidates) == 4 and "Newcastle upon Tyne (North East England)" in res.candidates
    assert any(c.startswith("Newcastle (Northern Ireland") for c in res.candidates)
    assert any(c.startswith("Newcastle under Lyme (West Midlands") for c in res.candidates)
    assert "4 places" in res.reason


def test_richmond_by_postcode():
    north = resolve_place("Richmond", "GB", postcode="DL10 4QZ")
    _found(north, 54.40, -1.73)
    assert abs(north.lat - 54.40) < 0.05
    _found(resolve_place("Richmond", "GB", postcode="TW9 1DN"), 51.46, -0.31)
    _found(resolve_place("Richmond", "GB", region="yorkshire_humber"), 54.40, -1.73)
    _found(resolve_place("Richmond", "GB", region="london"), 51.46, -0.31)
    _found(resolve_place("Richmond", "GB", region="Yorkshire and Humber"), 54.40, -1.73)
    _found(resolve_place("Richmond", "GB", county="North Yorkshire"), 54.40, -1.73)
    unknown = resolve_place("Richmond", "GB", region="Narnia")
    assert unknown.status == "ambiguous" and "Narnia" in unknown.reason
    assert resolve_place("Richmond", "GB").status == "ambiguous"


def test_newbridge_near_edinburgh_never_wales():
    res = resolve_place("Newbridge", "GB", postcode="EH28 8LA")
    assert res.status in ("found", "not_found", "ambiguous")
    if res.status == "found":
        assert _km(res.lat, res.lon, 55.95, -3.19) < 30  # near Edinburgh
    assert not (res.lat is not None and res.lat < 53)  # never Wales
    assert resolve_place("Newbridge", "GB").status == "ambiguous"


def test_single_places_and_project_places():
    _found(resolve_place("Sunderland", "GB"), 54.905, -1.382)
    _found(resolve_place("Hendon", "GB", postcode="SR2 8PA"), 54.898, -1.372, km=1)
    assert resolve_place("Hendon", "GB").status == "ambiguous"  # London's Hendon too
    _found(resolve_place("柏崎市", "JP"), 37.367, 138.55)
    _found(resolve_place("柏崎", None), 37.367, 138.55)  # country taken from the one gazetteer that knows it
    _found(resolve_place("Hull", "GB"), 53.745, -0.335)
    _found(resolve_place("Sendai", "JP", region="miyagi"), 38.267, 140.867)
    _found(resolve_place("Sendai", "JP", county="鹿児島県"), 31.817, 130.3)
    assert resolve_place("Sendai", "JP").status == "ambiguous"


def test_a_larger_place_is_still_not_guessed():
    res = resolve_place("Washington", "GB")  # Sunderland's (67,000) and West Sussex's (1,900)
    assert res.status == "ambiguous" and res.lat is None
    assert "largest" in res.reason and "not picked" in res.reason


def test_not_found_and_contradictions():
    res = resolve_place("Nowhere-on-Nothing", "GB", postcode="NE1 4ST")
    assert res.status == "not_found" and res.lat is None and res.candidates == ()
    assert resolve_place("", "GB").status == "not_found"
    assert resolve_place(None, "GB").status == "not_found"
    assert resolve_place("Paris", "FR").status == "not_found"
    # The only Sunderland is far from the CA postcode area: left unlocated, with the reason.
    res = resolve_place("Sunderland", "GB", postcode="CA13 0XX")
    assert res.status == "not_found" and "CA" in res.reason
    res = resolve_place("Carlisle", "GB", region="north_east")
    assert res.status == "not_found" and "North East England" in res.reason
    # Unknown county text is ignored; an invalid postcode too.
    _found(resolve_place("Sunderland", "GB", county="Nowhereshire", postcode="n/a"), 54.905, -1.382)


def test_postcode_picks_the_place_inside_the_area():
    _found(resolve_place("Newport", "GB", postcode="NP20 1AA"), 51.588, -2.998)
    _found(resolve_place("Newport", "GB", postcode="PO30 1AA"), 50.701, -1.291)
    _found(resolve_place("Stoke", "GB", postcode="ST4 1AA"), 53.004, -2.185)
    _found(resolve_place("Kingston", "GB", postcode="KT1 1AA"), 51.413, -0.297)


def test_near_point():
    _found(resolve_place("Newcastle", "GB", near=(54.9, -1.4)), 54.973, -1.614)
    # London is near none of them: the point does not choose.
    assert resolve_place("Newcastle", "GB", near=(51.5, -0.1)).status == "ambiguous"
    # Richmond, London and Richmond, North Yorkshire: a point in between picks neither.
    assert resolve_place("Richmond", "GB", near=(53.0, -1.0)).status == "ambiguous"


def test_resolution_is_frozen():
    res = resolve_place("Sunderland", "GB")
    with pytest.raises(Exception):
        res.status = "ambiguous"  # type: ignore[misc]


# --- resolve_many ------------------------------------------------------------------------------

def test_resolve_many_keeps_order_and_index():
    frame = pd.DataFrame({
        "name": ["Newcastle", "Richmond", "Richmond", None, "Sunderland", "柏崎市", "Newcastle", "  ", "Hendon"],
        "country": ["GB", "GB", "gb", "GB", "GB", "JP", "GB", "GB", "GB"],
        "region": [None, None, None, None, np.nan, None, "north_east", None, None],
        "postcode": ["NE1 4ST", "DL10 4QZ", "TW9 1DN", "NE1 4ST", None, "945-0000", None, None, "SR2 8PA"],
    }, index=[90, 10, 80, 20, 70, 30, 60, 40, 50])
    out = resolve_many(frame)
    assert list(out.index) == list(frame.index)
    assert list(out.columns) == ["lat", "lon", "precision", "status", "candidates", "reason"]
    assert list(out["status"]) == ["found", "found", "found", "not_found", "found", "found", "found", "not_found",
                                   "found"]
    for idx, row in frame.iterrows():
        one = resolve_place(row["name"], row["country"], region=row["region"], postcode=row["postcode"])
        got = out.loc[idx]
        assert got["status"] == one.status and got["reason"] == one.reason
        assert got["candidates"] == "; ".join(one.candidates)
        if one.lat is None:
            assert np.isnan(got["lat"]) and np.isnan(got["lon"]) and pd.isna(got["precision"])
        else:
            assert got["lat"] == one.lat and got["lon"] == one.lon and got["precision"] == "place"
    assert out.loc[10, "lat"] == pytest.approx(54.40, abs=0.05)
    assert out.loc[80, "lat"] == pytest.approx(51.46, abs=0.05)


def test_resolve_many_missing_columns_and_empty():
    out = resolve_many(pd.DataFrame({"name": ["Newcastle", "Sunderland"]}, index=["a", "b"]))
    assert list(out["status"]) == ["ambiguous", "found"] and list(out.index) == ["a", "b"]
    assert "Newcastle upon Tyne (North East England)" in out.loc["a", "candidates"].split("; ")
    out = resolve_many(pd.DataFrame({"name": ["Newcastle"], "county": ["County Down"]}))
    assert out.loc[0, "status"] == "found" and out.loc[0, "lat"] == pytest.approx(54.218, abs=0.01)
    empty = resolve_many(pd.DataFrame({"name": pd.Series([], dtype=object)}))
    assert empty.empty and list(empty.columns) == ["lat", "lon", "precision", "status", "candidates", "reason"]


def _register(n: int, seed: int = 7) -> pd.DataFrame:
    """A register of ``n`` rows over 2,000 towns (1,700 GB, 300 JP). A GB row has its town's own postcode
    area (the nearest area centre) 60% of the time, another area 10%, none 30%."""
    cities = geo._geonames()
    rng = np.random.default_rng(seed)
    gb = rng.choice(np.array(list(cities["GB"].values()), dtype=object), 1700, replace=False)
    jp = rng.choice(np.array(list(cities["JP"].values()), dtype=object), 300, replace=False)
    towns = list(gb) + list(jp)
    codes = list(POSTCODE_AREAS)
    home = [min(codes, key=lambda a: _km(c["latitude"], c["longitude"], POSTCODE_AREAS[a].lat,
                                         POSTCODE_AREAS[a].lon)) for c in gb]
    pick = rng.integers(0, len(towns), n)
    roll = rng.random(n)
    names, countries, postcodes = [], [], []
    for i, t in enumerate(pick.tolist()):
        town = towns[t]
        names.append(town["name"])
        countries.append(town["countrycode"])
        if t >= len(gb) or roll[i] < 0.3:
            postcodes.append(None)
        else:
            area = home[t] if roll[i] < 0.9 else codes[int(roll[i] * 1000) % len(codes)]
            postcodes.append(f"{area}{1 + t % 9} {t % 10}AB")
    return pd.DataFrame({"name": names, "country": countries, "region": None, "postcode": postcodes},
                        index=rng.permutation(n))


def test_resolve_many_timing(capsys):
    from regen import resolve as resolve_module

    frame = _register(100_000)
    geo.gazetteer_candidates("Newcastle", "GB")  # load the gazetteer outside the timing
    geo.gazetteer_candidates("柏崎", "JP")
    resolve_module._resolve.cache_clear()
    resolve_module._places.cache_clear()
    start = time.perf_counter()
    out = resolve_many(frame)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    resolve_many(frame)
    warm = time.perf_counter() - start
    keys = frame.assign(area=[postcode_area(p) for p in frame["postcode"]])[["name", "country", "area"]]
    distinct = len(keys.drop_duplicates())
    counts = out["status"].value_counts().to_dict()
    with capsys.disabled():
        print(f"\nresolve_many: {len(frame):,} rows, {frame['name'].nunique():,} town names, {distinct:,} distinct "
              f"keys: {cold:.2f} s (nothing cached), {warm:.2f} s (results cached); {counts}")
    assert list(out.index) == list(frame.index)
    assert out["status"].isin(["found", "ambiguous", "not_found"]).all()
