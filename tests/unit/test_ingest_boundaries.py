"""regen.ingest.read_table with boundaries and a default region: areas filled in before validation.

The boundaries are made here: two ward squares in Sunderland (lon/lat), given as a GeoDataFrame, as a
GeoJSON read by regen.boundaries, or in British National Grid; Japanese points use the prefecture
outlines shipped in data/boundaries.
"""

from __future__ import annotations

import json
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from regen import boundaries as boundaries_mod
from regen import ingest
from regen.boundaries import read_boundaries
from regen.i18n import catalogue

try:
    from . import messy_corpus
except ImportError:  # run without the tests package
    import messy_corpus

WARDS = gpd.GeoDataFrame({"code": ["E05001001", "E05001002"], "name": ["Hendon", "Millfield"]},
                         geometry=[box(-1.40, 54.88, -1.36, 54.92), box(-1.44, 54.88, -1.40, 54.92)], crs=4326)
POSTCODES = pd.DataFrame({"postcode": ["SR2 8QW", "SR4 6JT", "SR2 0XX"],
                          "lat": [54.8986, 54.9060, 54.8700], "lon": [-1.3733, -1.4100, -1.3600]})

# A title line, then the header (file row 2): data rows are file rows 3-8. No area column.
LIST = (
    "Social enterprises, Sunderland (export)\n"
    "ID,Name,Legal form,Sector,Founded,Region,Postcode,Latitude,Longitude\n"
    "A1,Hendon Café,CIC,Food,2015,North East,,54.9000,-1.3800\n"  # coordinates in Hendon
    "A2,Villette Road Co-op,Co-op,Food,2012,North East,SR2 8QW,,\n"  # postcode in Hendon
    "A3,Millfield Energy,CIC,Community energy,2011,North East,SR4 6JT,,\n"  # postcode in Millfield
    "A4,Camden Bakery,CIC,Food,2010,North East,,51.5000,-0.1000\n"  # coordinates outside both wards
    "A5,Ryhope Repairs,CIC,Reuse,2016,North East,SR2 0XX,,\n"  # postcode outside both wards
    "A6,Nowhere Ltd,CIC,Food,2017,North East,,,\n"  # cannot be located at all
).encode()


def read(data: bytes = LIST, **kwargs) -> ingest.IngestResult:
    return ingest.read_table(data, name="list.csv", postcodes=POSTCODES, **kwargs)


def notes_by_code(result) -> dict:
    return {n.code: n for n in result.notes}


def row_problems(result) -> set:
    return {(p.row, p.column, p.code) for p in result.problems if p.row is not None}


def test_areas_filled_from_polygons_before_validation():
    result = read(boundaries=WARDS)
    assert result.error is None
    accepted = result.accepted
    assert list(accepted.index) == [3, 4, 5, 6, 7, 8]  # every row kept: what is not known says so
    assert list(accepted["area"]) == ["E05001001", "E05001001", "E05001002", "unknown", "unknown", "unknown"]
    assert list(accepted["geo_precision"]) == ["exact", "postcode", "postcode", "exact", "postcode", "none"]
    assert list(accepted["lat"])[:3] == [54.9, 54.8986, 54.906]
    assert row_problems(result) == {(6, "area", "outside_boundaries"), (7, "area", "outside_boundaries")}
    assert all(p.kept for p in result.problems)
    assert notes_by_code(result)["no_location"].rows == [8]
    outside = [p for p in result.problems if p.code == "outside_boundaries"]
    assert all("outside every area of the boundary file" in p.reason for p in outside)
    assert [p.value for p in outside] == ["51.50000, -0.10000", "54.87000, -1.36000"]
    filled = notes_by_code(result)["area_filled"]
    assert (filled.rows, filled.count, filled.column) == ([3, 4, 5], 3, "area")
    assert result.rows_accepted + result.rows_rejected == result.rows_read == 6
    json.dumps(result.to_json())


def test_without_boundaries_the_same_list_has_no_areas():
    result = read()
    assert result.rows_accepted == 6 and result.rows_read == 6
    assert set(result.accepted["area"]) == {"unknown"}
    assert notes_by_code(result)["area_unknown"].count == 6
    assert not {"area_filled", "outside_boundaries"} & set(notes_by_code(result))


@pytest.mark.parametrize("given", ["frame", "result", "bng", "no_crs"])
def test_boundaries_as_frame_result_or_in_another_crs(given):
    if given == "result":
        boundaries = read_boundaries(WARDS.to_json().encode(), name="wards.geojson")
        assert isinstance(boundaries, boundaries_mod.BoundaryResult) and boundaries.error is None
    elif given == "bng":
        boundaries = WARDS.set_geometry(shapely.segmentize(WARDS.geometry.to_numpy(), 0.005)).to_crs(27700)
    elif given == "no_crs":
        boundaries = gpd.GeoDataFrame(WARDS.drop(columns="geometry"), geometry=WARDS.geometry.to_numpy())
        assert boundaries.crs is None
    else:
        boundaries = WARDS
    result = read(boundaries=boundaries)
    assert list(result.accepted["area"])[:3] == ["E05001001", "E05001001", "E05001002"]
    assert sorted(row for row, _column, _code in row_problems(result)) == [6, 7]


def test_area_names_are_recognised_and_located_at_a_point_inside_the_area():
    data = ("ID,Name,Legal form,Sector,Founded,Region,Ward,Latitude,Longitude\n"
            "B1,Hendon Café,CIC,Food,2015,North East,hendon,,\n"  # no coordinates: the area's point
            "B2,Millfield Energy,CIC,Food,2015,North East,Millfield,54.9000,-1.3800\n"  # lies in Hendon
            "B3,Pallion Print,CIC,Food,2015,North East,Pallion,54.9000,-1.4200\n"  # unknown name, lies in Millfield
            ).encode()
    result = ingest.read_table(data, name="list.csv", boundaries=WARDS, mapping={
        "ID": "enterprise_id", "Name": "name", "Legal form": "legal_form", "Sector": "sector", "Founded": "founded",
        "Region": "region", "Ward": "area", "Latitude": "lat", "Longitude": "lon"})
    accepted = result.accepted
    assert list(accepted["area"]) == ["E05001001", "E05001002", "Pallion"]  # given areas are never replaced
    assert accepted.loc[2, "geo_precision"] == "area"
    assert WARDS.geometry[0].contains(shapely.Point(accepted.loc[2, "lon"], accepted.loc[2, "lat"]))
    notes = notes_by_code(result)
    assert notes["area_code_used"].count == 2
    disagrees = notes["area_disagrees"]
    assert (disagrees.rows, disagrees.count, disagrees.column) == ([3, 4], 2, "Ward")
    assert disagrees.detail == "3: E05001002 → E05001001, 4: Pallion → E05001002"
    assert disagrees.detail in disagrees.message
    shown = result.notes_frame("ja")["note"][result.notes.index(disagrees)]
    assert shown == catalogue("ja")["note.area_disagrees"] + f" ({disagrees.detail})"
    assert "area_filled" not in notes and result.rows_rejected == 0


def test_a_given_area_outside_every_polygon_is_kept_with_a_note():
    data = ("ID,Name,Legal form,Sector,Founded,Region,Local authority,Latitude,Longitude\n"
            "C1,Camden Bakery,CIC,Food,2010,London,E09000007,51.5400,-0.1400\n"
            "C2,Camden Repairs,CIC,Food,2010,London,,51.5400,-0.1400\n").encode()
    result = ingest.read_table(data, name="list.csv", boundaries=WARDS)
    assert list(result.accepted.index) == [2, 3] and result.accepted.loc[2, "area"] == "E09000007"
    assert result.accepted.loc[3, "area"] == "unknown"
    assert row_problems(result) == {(3, "Local authority", "outside_boundaries")}
    assert notes_by_code(result)["outside_boundaries"].rows == [2]


def test_overlapping_polygons_and_points_on_an_outline_are_notes():
    overlapping = pd.concat([WARDS, gpd.GeoDataFrame({"code": ["E05001003"], "name": ["Big"]},
                                                     geometry=[box(-1.39, 54.89, -1.37, 54.91)], crs=4326)],
                            ignore_index=True)
    data = ("ID,Name,Legal form,Sector,Founded,Region,Latitude,Longitude\n"
            "D1,In two,CIC,Food,2015,North East,54.9000,-1.3800\n"
            "D2,On the edge,CIC,Food,2015,North East,54.9000,-1.4000\n").encode()
    result = ingest.read_table(data, name="list.csv", boundaries=overlapping)
    assert list(result.accepted["area"]) == ["E05001001", "E05001001"]  # the first polygon counts
    notes = notes_by_code(result)
    assert (notes["overlapping_boundaries"].rows, notes["on_boundary_edge"].rows) == ([2], [3])


def test_region_from_the_area_the_polygon_gives():
    sunderland = gpd.GeoDataFrame({"code": ["E08000024"], "name": ["Sunderland"]},
                                  geometry=[box(-1.58, 54.80, -1.34, 54.95)], crs=4326)
    data = ("ID,Name,Legal form,Sector,Founded,Region,Latitude,Longitude\n"
            "F1,Hendon Café,CIC,Food,2015,,54.9000,-1.3800\n"
            "F2,Millfield Energy,CIC,Food,2015,London,54.9060,-1.4100\n").encode()
    result = ingest.read_table(data, name="list.csv", boundaries=sunderland)
    assert list(result.accepted["region"]) == ["north_east", "london"]  # never overwritten
    assert list(result.accepted["area"]) == ["E08000024", "E08000024"]
    assert notes_by_code(result)["region_from_area"].rows == [2]


JP_LIST = (
    "ID,Name,Legal form,Sector,Founded,Country,Region,Latitude,Longitude\n"
    "J1,さっぽろ食堂,NPO,Food,2010,JP,,43.0621,141.3544\n"  # Sapporo
    "J2,柏崎ワーカーズ,NPO,Care,2011,JP,,37.3717,138.5590\n"  # Kashiwazaki
    "J3,海辺の漁協,NPO,Food,2012,JP,,37.3700,138.5200\n"  # just off the outlines' coarse coastline
    "J4,沖合,NPO,Food,2013,JP,,37.3700,138.3000\n"  # far out at sea: no prefecture (but in the area's box)
    "J5,東京の会,NPO,Care,2014,JP,新潟県,35.6812,139.7671\n"  # in Tokyo, but the file says Niigata
).encode()
# Codes regen.places does not know, so that regions come from the prefecture outlines, not from the areas.
JP_AREAS = gpd.GeoDataFrame({"code": ["01100", "15222"], "name": ["札幌市", "上越市"]},
                            geometry=[box(141.0, 42.8, 141.6, 43.3), box(138.2, 37.2, 138.7, 37.5)], crs=4326)


def test_japanese_points_get_the_prefecture_they_lie_in():
    result = ingest.read_table(JP_LIST, name="jp.csv", boundaries=JP_AREAS)
    accepted = result.accepted
    assert list(accepted.index) == [2, 3, 4, 5, 6]
    assert list(accepted["region"]) == ["hokkaido", "niigata", "niigata", "unknown", "niigata"]
    assert list(accepted["area"]) == ["01100", "15222", "15222", "15222", "unknown"]
    assert notes_by_code(result)["region_from_prefecture"].rows == [2, 3, 4]
    assert notes_by_code(result)["region_unknown"].rows == [5]  # at sea: no prefecture
    assert row_problems(result) == {(6, "area", "outside_boundaries")}
    assert result.rows_accepted + result.rows_rejected == result.rows_read == 5


@pytest.mark.parametrize("region", ["north_east", "North East England", "north east", "北東イングランド"])
def test_default_region_by_code_or_name(region):
    data = ("ID,Name,Legal form,Sector,Founded,Country,Region,Local authority,Latitude,Longitude\n"
            "G1,Hendon Café,CIC,Food,2015,GB,,E05001001,54.9000,-1.3800\n"
            "G2,Millfield Energy,CIC,Food,2015,GB,London,E05001002,54.9060,-1.4100\n"
            "G3,柏崎ワーカーズ,NPO,Care,2011,JP,,J-99,37.0000,150.0000\n").encode()  # in Japan's box, at sea
    result = ingest.read_table(data, name="list.csv", region=region)
    assert list(result.accepted["region"]) == ["north_east", "london", "unknown"]
    note = notes_by_code(result)["region_default"]
    assert (note.rows, note.count) == ([2], 1) and "north_east" in note.message
    assert notes_by_code(result)["region_unknown"].rows == [4]  # a Japanese row gets no British region
    assert "region_from_prefecture" not in notes_by_code(result)


def test_default_region_comes_after_the_prefecture():
    result = ingest.read_table(JP_LIST, name="jp.csv", boundaries=JP_AREAS, region="新潟県")
    assert notes_by_code(result)["region_from_prefecture"].rows == [2, 3, 4]
    assert notes_by_code(result)["region_default"].rows == [5]
    assert row_problems(result) == {(6, "area", "outside_boundaries")}  # its region (Niigata) was kept
    assert list(result.accepted["region"]) == ["hokkaido", "niigata", "niigata", "niigata", "niigata"]


def test_bad_boundaries_and_regions_are_errors_not_exceptions():
    failed = read_boundaries(b"not json", name="x.geojson")
    for given, code in [(failed, "bad_boundaries"), (pd.DataFrame({"code": ["A"]}), "bad_boundaries"),
                        (WARDS.iloc[:0], "bad_boundaries")]:
        result = read(boundaries=given)
        assert result.error_code == code and result.error and result.rows_read == 0
    result = read(region="Atlantis")
    assert result.error_code == "bad_region" and "Atlantis" in result.error


def test_corpus_results_do_not_change_without_boundaries(tmp_path, monkeypatch):
    corpus = messy_corpus.build(tmp_path)
    before = {name: ingest.read_table(path, postcodes=messy_corpus.POSTCODES) for name, path in corpus.items()
              if name != "postcode_table.csv"}

    def refuse(*args, **kwargs):
        raise AssertionError("boundaries looked at without boundaries")

    monkeypatch.setattr(boundaries_mod, "match_areas", refuse)
    monkeypatch.setattr(boundaries_mod, "points_in_polygons", refuse)
    for name, first in before.items():
        again = ingest.read_table(corpus[name], postcodes=messy_corpus.POSTCODES, boundaries=None, region=None)
        assert again.to_json() == first.to_json(), name
        assert again.accepted.equals(first.accepted), name


def test_new_codes_are_translated_in_both_languages():
    new_notes = ("area_filled", "area_disagrees", "outside_boundaries", "overlapping_boundaries",
                 "on_boundary_edge", "region_from_prefecture", "region_default")
    assert set(new_notes) <= set(ingest.NOTE_CODES) and "outside_boundaries" in ingest.PROBLEM_CODES
    assert {"bad_boundaries", "bad_region"} <= set(ingest.ERROR_CODES)
    assert not set(boundaries_mod.ISSUE_CODES) & set(boundaries_mod.ERROR_CODES)  # one key space: boundary.<code>
    for lang in ("en", "ja"):
        cat = catalogue(lang)
        for code in new_notes:
            assert cat.get(f"note.{code}"), (lang, code)
        assert cat.get("problem.outside_boundaries") and cat.get("error.bad_boundaries") and \
            cat.get("error.bad_region")
        for code in boundaries_mod.ISSUE_CODES + boundaries_mod.ERROR_CODES:
            assert cat.get(f"boundary.{code}"), (lang, code)
    result = read(boundaries=WARDS)
    reasons = result.report_frame("ja").set_index("row")["reason"]
    assert reasons[6] == catalogue("ja")["problem.outside_boundaries"]


def test_100k_rows_and_400_polygons_add_little_time():
    rng = np.random.default_rng(3)
    n = 100_000
    cells = [shapely.segmentize(box(-3 + i * 0.1, 53 + j * 0.1, -2.9 + i * 0.1, 53.1 + j * 0.1), 0.002)
             for i in range(20) for j in range(20)]
    grid = gpd.GeoDataFrame({"code": [f"E0500{k:04d}" for k in range(400)], "name": [f"Ward {k}" for k in range(400)]},
                            geometry=cells, crs=4326)
    i, j = rng.integers(0, 20, n), rng.integers(0, 20, n)  # the cell of each point, never on an outline
    lon = (-3 + i * 0.1 + rng.uniform(0.001, 0.099, n)).round(5)
    lat = (53 + j * 0.1 + rng.uniform(0.001, 0.099, n)).round(5)
    frame = pd.DataFrame({"ID": [f"P{i}" for i in range(n)], "Name": [f"Enterprise {i}" for i in range(n)],
                          "Legal form": "CIC", "Sector": "Food", "Founded": 2010, "Region": "North West",
                          "Latitude": lat, "Longitude": lon})
    data = frame.to_csv(index=False).encode()

    def timed(**kwargs) -> tuple[float, ingest.IngestResult]:
        best, result = np.inf, None
        for _ in range(2):
            started = time.perf_counter()
            result = ingest.read_table(data, name="big.csv", **kwargs)
            best = min(best, time.perf_counter() - started)
        return best, result

    plain, _ = timed()
    with_boundaries, result = timed(boundaries=grid)
    extra = with_boundaries - plain
    print(f"100k rows: {plain:.2f} s; with 400 polygons {with_boundaries:.2f} s (+{extra:.2f} s)")
    assert result.rows_accepted == n
    assert (result.accepted["area"].to_numpy() == grid["code"].to_numpy()[i * 20 + j]).all()
    assert extra < 1.0  # 0.5 s on an idle machine; the margin absorbs a busy shared one
