"""The place, region and area tables: real places in the right country, region and area."""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from shapely.geometry import Point, shape

from regen import geo, places
from regen.places import AREAS, GEONAMES_JP_ADMIN1, PLACES, REGIONS, areas_frame, region_name
from regen.schema import AREA_COLUMNS, validate

# Independent rough boxes (south, west, north, east) written for this test.
COUNTRY_BOX = {"GB": (49.8, -8.7, 60.9, 1.8), "JP": (24.0, 122.9, 45.6, 146.0)}
GB_REGION_BOX = {
    "north_east": (54.4, -2.7, 55.85, -0.7),
    "north_west": (53.0, -3.7, 55.2, -2.0),
    "london": (51.28, -0.52, 51.70, 0.34),
}


@lru_cache(maxsize=1)
def _prefecture_shapes() -> dict:
    return {f["properties"]["code"]: shape(f["geometry"]) for f in geo.load_boundaries("jp_prefectures")["features"]}


def _inside(box: tuple[float, float, float, float], lat: float, lon: float) -> bool:
    south, west, north, east = box
    return south <= lat <= north and west <= lon <= east


@pytest.mark.parametrize("key", list(PLACES))
def test_place_in_its_country_region_and_area(key):
    place = PLACES[key]
    assert place.country in COUNTRY_BOX
    assert _inside(COUNTRY_BOX[place.country], place.lat, place.lon)
    assert REGIONS[place.region]["country"] == place.country
    area = AREAS[place.area]
    assert (area.country, area.region) == (place.country, place.region)
    if place.country == "GB":
        assert _inside(GB_REGION_BOX[place.region], place.lat, place.lon), "outside its region's box"
    else:
        assert _prefecture_shapes()[place.region].contains(Point(place.lon, place.lat)), "outside its prefecture"
        others = [code for code, poly in _prefecture_shapes().items()
                  if code != place.region and poly.contains(Point(place.lon, place.lat))]
        assert not others


@pytest.mark.parametrize("key", [k for k, p in PLACES.items() if p.geonameid])
def test_geonames_rows_match_the_gazetteer(key):
    place = PLACES[key]
    city = geo.geonames_city(place.geonameid)
    assert city is not None
    assert city["countrycode"] == place.country
    assert city["latitude"] == pytest.approx(place.lat, abs=1e-5)
    assert city["longitude"] == pytest.approx(place.lon, abs=1e-5)
    assert place.source.startswith(places.GEONAMES_SOURCE)
    if place.country == "JP":
        assert city["admin1code"] == GEONAMES_JP_ADMIN1[place.region]


def test_curated_rows_say_so():
    curated = [p for p in PLACES.values() if p.geonameid is None]
    assert {"hendon", "millfield", "pallion", "southwick", "genkai", "ikata", "rokkasho", "shika"} <= {
        p.key for p in curated}
    for place in curated:
        assert place.source.startswith("curated, approximate: ")


def test_hendon_is_in_sunderland_not_london():
    hendon = PLACES["hendon"]
    assert hendon.area == "E08000024" and hendon.region == "north_east"
    assert 54.88 < hendon.lat < 54.92 and -1.40 < hendon.lon < -1.34
    sunderland = PLACES["sunderland"]
    assert abs(hendon.lat - sunderland.lat) < 0.02 and abs(hendon.lon - sunderland.lon) < 0.03


def test_satsumasendai_is_in_kagoshima_not_miyagi():
    place = PLACES["satsumasendai"]
    assert place.region == "kagoshima" and place.area == "46215"
    assert place.lat == pytest.approx(31.82, abs=0.1) and place.lon == pytest.approx(130.3, abs=0.1)


def test_required_places_present():
    required = {
        "sunderland", "hendon", "millfield", "pallion", "southwick", "ryhope", "washington",
        "houghton_le_spring", "hetton_le_hole", "newcastle", "gateshead", "south_shields", "durham",
        "hartlepool", "middlesbrough", "carlisle", "workington", "whitehaven", "barrow_in_furness", "kendal",
        "hackney", "tower_hamlets", "southwark", "lambeth", "newham", "camden",
        "kashiwazaki", "tsuruga", "genkai", "ikata", "omaezaki", "rokkasho", "tomari", "onagawa",
        "satsumasendai", "matsue", "shika", "tokai",
    }
    assert required <= set(PLACES)
    for key in ("carlisle", "workington", "whitehaven"):
        assert PLACES[key].area == "E06000063"
    for key in ("barrow_in_furness", "kendal"):
        assert PLACES[key].area == "E06000064"
    assert PLACES["kashiwazaki"].name_ja == "柏崎市" and PLACES["rokkasho"].name_ja == "六ヶ所村"


def test_area_codes_are_official_shapes():
    for code, area in AREAS.items():
        pattern = r"E0[689]\d{6}" if area.country == "GB" else r"\d{5}"
        assert re.fullmatch(pattern, code), code
        assert area.name and area.name_ja
    assert AREAS["E08000024"].name == "Sunderland" and AREAS["02411"].name_ja == "六ヶ所村"


def test_areas_frame_validates_and_populations_come_from_geonames():
    frame = areas_frame()
    assert list(frame.columns) == list(AREA_COLUMNS)
    accepted, problems = validate(frame, "areas")
    assert problems == [] and len(accepted) == len(AREAS)
    for area in AREAS.values():
        if area.population is None:
            continue
        city = geo.geonames_city(area.population_geonameid)
        assert city["population"] == area.population
    with_pop = frame[frame["population"].notna()]
    assert (with_pop["population_source"] == places.POPULATION_SOURCE).all()
    assert frame["population_year"].isna().all()
    assert frame.loc[frame["population"].isna(), "population_source"].isna().all()


def test_region_names():
    assert region_name("north_east", "ja") == "北東イングランド"
    assert region_name("north_west", "en") == "North West England"
    assert region_name("niigata", "ja") == "新潟県" and region_name("niigata", "en") == "Niigata"
    assert region_name("nowhere", "ja") == "nowhere"
    assert len([r for r in REGIONS.values() if r["country"] == "JP"]) == 47
    assert GEONAMES_JP_ADMIN1["niigata"] == "29" and GEONAMES_JP_ADMIN1["okinawa"] == "47"


def test_every_ward_has_a_japanese_rendering():
    from regen.places import PLACES, ward_name

    wards = {p.ward for p in PLACES.values() if p.ward}
    assert "Hendon" in wards and ward_name("Hendon", "ja") == "ヘンドン" and ward_name("Hendon", "en") == "Hendon"
    for ward in wards:
        rendered = ward_name(ward, "ja")
        assert rendered != ward and all(ord(c) > 0x3000 for c in rendered.replace("・", "")), (ward, rendered)
    assert ward_name("Somewhere Else", "ja") == "Somewhere Else"  # an upload's own ward: as written
