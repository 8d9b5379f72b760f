"""Tests of the real-export fixture generators themselves (tests/fixtures/real_exports.py).

They check that the generators are deterministic, that the files have the promised shape and
quirks, and that each truth frame lines up with its file; they do not test the app's import.
"""

from __future__ import annotations

import io
import math
import re
import time

import numpy as np
import pandas as pd
import pytest

from tests.fixtures import real_exports as rx

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@pytest.fixture(scope="module")
def register():
    return rx.register_organisations()


@pytest.fixture(scope="module")
def economy(register):
    return rx.register_economy(register[1])


@pytest.fixture(scope="module")
def survey():
    return rx.survey_export()


def _read(data: bytes, encoding: str = "utf-8-sig", header="infer") -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding=encoding, header=header)


def _haversine_m(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


# --- Determinism and speed ---------------------------------------------------------------------

def test_same_seed_same_bytes_and_truth(register, economy, survey):
    data, truth = rx.register_organisations()
    assert data == register[0]
    pd.testing.assert_frame_equal(truth, register[1])
    e_data, e_truth = rx.register_economy(truth)
    assert e_data == economy[0]
    pd.testing.assert_frame_equal(e_truth, economy[1])
    s_data, s_truth = rx.survey_export()
    assert s_data == survey[0]
    pd.testing.assert_frame_equal(s_truth, survey[1])
    truths = [register[1], survey[1]]
    assert rx.onspd_postcodes(truths) == rx.onspd_postcodes(list(reversed(truths)))
    assert rx.codepoint_open(truths) == rx.codepoint_open(truths)


def test_other_seed_other_bytes(register, survey):
    assert rx.register_organisations(seed=7)[0] != register[0]
    assert rx.survey_export(seed=7)[0] != survey[0]


def test_defaults_are_fast():
    start = time.perf_counter()
    _, orgs = rx.register_organisations()
    rx.register_economy(orgs)
    _, answers = rx.survey_export()
    rx.onspd_postcodes([orgs, answers])
    rx.codepoint_open([orgs, answers])
    assert time.perf_counter() - start < 2.0


# --- Register organisations ------------------------------------------------------------------------

def test_register_shape_and_alignment(register):
    data, truth = register
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    frame = _read(data)
    assert list(frame.columns) == rx.REGISTER_COLUMNS
    assert len(frame) == len(truth) == 1200 + 3
    assert truth["file_row"].tolist() == list(range(2, len(truth) + 2))
    assert truth["kind_of_row"].value_counts().to_dict() == {"organisation": 1200, "total": 3}
    orgs = truth["kind_of_row"] == "organisation"
    ids = frame.loc[orgs.to_numpy(), "CUK Organisation ID"]
    assert ids.tolist() == truth.loc[orgs, "org_id"].tolist()
    assert ids.str.fullmatch(r"CUK-\d{6}").all() and ids.is_unique
    assert frame["Registered City"].tolist() == truth["city_written"].tolist()
    assert frame["Registered Postcode"].tolist() == truth["postcode_written"].tolist()
    assert frame["Legal Form"].tolist() == truth["legal_form_written"].tolist()
    assert frame["Sector"].tolist() == truth["sector_written"].tolist()
    assert truth.loc[orgs, ["true_town", "true_region", "true_lat", "true_lon"]].notna().all().all()


def test_register_totals_rows(register):
    data, truth = register
    frame = _read(data)
    totals = frame[truth["kind_of_row"].eq("total").to_numpy()]
    assert totals["Registered Name"].tolist() == ["North East Total", "Scotland Total", "Grand Total"]
    assert set(totals["CUK Organisation ID"]) <= {"", "N/a"}
    assert totals["Sector"].str.fullmatch(r"[\d,]+").all()
    assert totals["Sector"].iloc[-1] == "1,200"
    assert int(totals["Sector"].iloc[0]) == int((truth["true_region"] == "north_east").sum())
    assert truth["kind_of_row"].iloc[-1] == "total"


def test_register_control_characters(register):
    data, truth = register
    assert data.count(b"\x00") == 1 and data.count(b"\x07") == 1 and data.count(b"\x0b") == 1
    frame = _read(data)
    dirty = frame.apply(lambda col: col.str.contains(CONTROL)).any(axis=1)
    assert dirty.sum() == 3
    assert dirty.tolist() == truth["has_control_chars"].tolist()
    assert frame["Registered Name"].str.contains("\x00", regex=False).sum() == 1


def test_register_quirk_rates(register):
    data, truth = register
    frame = _read(data)
    orgs = frame[truth["kind_of_row"].eq("organisation").to_numpy()]
    assert 0.12 <= (truth["true_region"] == "north_east").sum() / len(orgs) <= 0.18
    assert 0.05 <= (orgs["Registered Postcode"] == "").mean() <= 0.11
    assert 0.02 <= (orgs["Registered City"] == "").mean() <= 0.08
    assert 0.01 <= (orgs["Registered Number"] == "").mean() <= 0.06
    numbers = orgs["Registered Number"][orgs["Registered Number"] != ""]
    assert 1 <= numbers.duplicated().sum() <= 0.03 * len(numbers)
    assert set(orgs["Status"]) == {"Active", "Dead", "Dormant"}
    assert (orgs.loc[orgs["Status"] != "Dead", "Dissolved Date"] == "").all()
    dated = orgs["Incorporation Date"][orgs["Incorporation Date"] != ""]
    assert dated.str.fullmatch(r"\d{2}/\d{2}/\d{4}").all()
    assert {"Society", "Community Interest Company", "Friendly Society", ""} <= set(orgs["Legal Form"])
    assert orgs["Contact Email"][orgs["Contact Email"] != ""].str.endswith(
        ("@example.org", "@example.com", "@example.net")).all()
    phones = orgs["Contact Phone"][orgs["Contact Phone"] != ""].str.replace(" ", "").str.replace("+44", "0")
    assert phones.str.fullmatch(r"0(11[3-8]4960|1[2-6]14960|1914980|2079460|2920180|1632960|7700900)\d{3}").all()
    # Ambiguous names: every one of the six places appears, and the flag matches the written city.
    amb = truth[truth["ambiguous_name"]]
    assert {"Newcastle upon Tyne", "Newcastle (County Down)", "Richmond (North Yorkshire)", "Richmond (London)",
            "Newbridge (Edinburgh)", "Newbridge (Caerphilly)"} <= set(amb["true_town"])
    assert amb["city_written"].str.replace(CONTROL, "", regex=True).str.strip().str.casefold().isin(
        ["newcastle", "richmond", "newbridge"]).all()
    ncl = truth[truth["true_town"] == "Newcastle upon Tyne"]
    assert 0.3 <= (ncl["city_written"] == "Newcastle").mean() <= 0.7


def test_register_postcodes_valid_where_not_malformed(register):
    _, truth = register
    valid = truth["true_postcode"].dropna()
    assert valid.str.match(rx.POSTCODE_RE).all()
    assert valid.str.split(" ").str[0].isin(list(rx.TOWN_BY_DISTRICT)).all()
    checked = truth.loc[valid.index, ["postcode_written", "true_postcode", "true_town"]]
    for written, canonical, town in checked.itertuples(index=False):
        assert rx.normalise_postcode(written) == canonical
        assert rx.TOWN_BY_DISTRICT[canonical.split(" ")[0]].name == town
    orgs = truth[truth["kind_of_row"] == "organisation"]
    malformed = orgs[orgs["true_postcode"].isna() & (orgs["postcode_written"] != "")]
    assert 3 <= len(malformed) <= 0.03 * len(orgs)
    assert malformed["postcode_written"].map(rx.normalise_postcode).isna().all()


def test_register_small_n():
    data, truth = rx.register_organisations(n=5, seed=1)
    assert len(_read(data)) == len(truth) == 8
    assert truth["has_control_chars"].sum() == 3


# --- Register economy --------------------------------------------------------------------------

def test_economy_shape_and_alignment(register, economy):
    data, truth = economy
    frame = _read(data)
    assert list(frame.columns) == rx.ECONOMY_COLUMNS
    assert len(frame) == len(truth)
    assert truth["file_row"].tolist() == list(range(2, len(truth) + 2))
    assert frame["CUK Organisation ID"].tolist() == truth["org_id"].tolist()
    assert frame["Economic Year"].astype(int).tolist() == truth["economic_year"].tolist()
    known_ids = set(register[1]["org_id"].dropna())
    assert truth["known_org"].tolist() == truth["org_id"].isin(known_ids).tolist()
    assert 0.01 <= (~truth["known_org"]).mean() <= 0.03
    assert 3.5 <= truth["known_org"].sum() / len(known_ids) <= 4.5
    assert not truth.duplicated(["org_id", "economic_year"]).any()


def test_economy_fiscal_year_convention(economy):
    data, truth = economy
    frame = _read(data)
    end = pd.to_datetime(frame["Year End Date"], format="%d/%m/%Y")
    started = (end - pd.DateOffset(years=1) + pd.Timedelta(days=1)).dt.year
    assert (started == frame["Economic Year"].astype(int)).all()
    assert (end.dt.year != frame["Economic Year"].astype(int)).any()
    assert (end.dt.year == frame["Economic Year"].astype(int)).any()


def test_economy_values_and_carried_forward(economy):
    data, truth = economy
    frame = _read(data)
    turnover = pd.to_numeric(frame["Turnover"].str.replace(",", ""), errors="coerce")
    assert turnover.isna().tolist() == truth["turnover"].isna().tolist()
    assert np.allclose(turnover.dropna(), truth["turnover"].dropna().astype(float))
    assert frame["Turnover"].str.contains(",").any() and (frame["Turnover"] == "").any()
    assert {"", "n/a"} <= set(frame["Employees"])
    employees = pd.to_numeric(frame["Employees"], errors="coerce")
    assert employees.isna().tolist() == truth["employees"].isna().tolist()
    carried = truth[truth["carried_forward"]]
    orgs = truth.loc[truth["known_org"], "org_id"].nunique()
    assert 0.02 <= carried["org_id"].nunique() / orgs <= 0.08
    figures = ["Turnover", "Employees", "Members"]
    for org_id, group in carried.groupby("org_id"):
        assert len(group) == 2
        rows = frame[frame["CUK Organisation ID"] == org_id]
        assert rows["Economic Year"].astype(int).is_monotonic_increasing
        last3 = rows.iloc[-3:][figures]
        assert (last3.nunique() == 1).all() and (last3.iloc[0] != "").all()


# --- Survey ------------------------------------------------------------------------------------

def test_survey_shape_and_alignment(survey):
    data, truth = survey
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.startswith(b'"id","submitdate",')
    frame = _read(data, encoding="utf-8")
    assert list(frame.columns) == rx.SURVEY_COLUMNS
    assert len(frame) == len(truth) == 150
    assert data.count(b"\n") > len(frame) + 1  # two answers hold line breaks inside a quoted cell
    assert truth["file_row"].tolist() == list(range(2, 152))
    assert frame["id"].astype(int).tolist() == truth["response_id"].tolist()
    assert frame["id"].astype(int).is_monotonic_increasing
    assert frame["address[b]"].tolist() == truth["town_written"].tolist()
    assert frame["address[d]"].tolist() == truth["postcode_written"].tolist()
    assert set(frame["startlanguage"]) == {"en"}
    assert "GB" not in set(frame["address[e]"])
    assert {"", "UK", "United Kingdom", "England"} <= set(frame["address[e]"])
    incomplete = frame["submitdate"] == ""
    assert 0.04 <= incomplete.mean() <= 0.25
    assert (frame.loc[~incomplete, "lastpage"] == "4").all() and (frame.loc[incomplete, "lastpage"] != "4").all()
    assert frame.loc[~incomplete, "submitdate"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").all()
    assert set(frame[["structure[SQ001]", "structure[SQ002]", "structure[SQ003]"]].stack()) == {"Y", ""}
    assert {"Newcastle upon Tyne", "Newcastle (County Down)", "Richmond (London)", "Richmond (North Yorkshire)",
            "Newbridge (Edinburgh)", "Newbridge (Caerphilly)"} <= set(truth.loc[truth["ambiguous_name"], "true_town"])
    valid = truth["true_postcode"].dropna()
    assert valid.str.match(rx.POSTCODE_RE).all()
    assert (truth.loc[valid.index, "postcode_written"].map(rx.normalise_postcode) == valid).all()


def test_survey_cp1252_variant(survey):
    data, _ = survey
    cp = rx.survey_export(encoding="cp1252")[0]
    assert cp != data
    assert cp.decode("cp1252") == data.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        cp.decode("utf-8")


# --- Postcode lookups --------------------------------------------------------------------------

def test_onspd_covers_fixture_postcodes(register, survey):
    truths = [register[1], survey[1]]
    frame = _read(rx.onspd_postcodes(truths), encoding="utf-8")
    assert list(frame.columns) == rx.ONSPD_COLUMNS
    wanted = set(register[1]["true_postcode"].dropna()) | set(survey[1]["true_postcode"].dropna())
    assert set(frame["pcds"]) == wanted and frame["pcds"].is_unique
    assert (frame["pcd"].str.len() == 7).all() and (frame["pcd2"].str.len() == 8).all()
    assert (frame["pcd"].str.replace(" ", "") == frame["pcds"].str.replace(" ", "")).all()
    assert set(frame["ctry"]) == {"E92000001", "W92000004", "S92000003", "N92000002"}
    assert frame.loc[frame["ctry"] == "S92000003", "rgn"].eq("S99999999").all()
    assert frame.loc[frame["pcds"].str.startswith("SR"), "oslaua"].eq("E08000024").all()
    assert frame.loc[frame["pcds"].str.startswith("DH1 "), "oslaua"].eq("E06000047").all()
    assert frame["oslaua"].str.fullmatch(r"(E0[6-9]|W06|S12|N09)\d{6}").all()
    for pcds, lat, lon in frame[["pcds", "lat", "long"]].itertuples(index=False):
        town = rx.TOWN_BY_DISTRICT[pcds.split(" ")[0]]
        assert _haversine_m(float(lat), float(lon), town.lat, town.lon) < 2000


def test_codepoint_round_trip(register, survey):
    from pyproj import Transformer

    truths = [register[1], survey[1]]
    onspd = _read(rx.onspd_postcodes(truths), encoding="utf-8").set_index("pcd")
    cpo = _read(rx.codepoint_open(truths), encoding="utf-8", header=None)
    cpo.columns = rx.CODEPOINT_COLUMNS
    assert not cpo["Postcode"].iloc[0].startswith("Postcode")  # no header row
    gb = onspd[onspd["ctry"] != "N92000002"]
    assert sorted(cpo["Postcode"]) == sorted(gb.index)
    back = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = back.transform(cpo["Eastings"].astype(float).to_numpy(), cpo["Northings"].astype(float).to_numpy())
    for pcd, la, lo in zip(cpo["Postcode"], lat, lon):
        row = gb.loc[pcd]
        assert _haversine_m(la, lo, float(row["lat"]), float(row["long"])) < 10
    assert (cpo["Admin_district_code"].to_numpy() == gb.loc[cpo["Postcode"], "oslaua"].to_numpy()).all()


def test_town_table_is_consistent():
    towns = rx.towns_frame()
    assert 40 <= len(towns) <= 60 and towns["key"].is_unique
    assert set(towns["region"]) <= {"north_east", "north_west", "yorkshire_humber", "east_midlands", "west_midlands",
                                    "east_of_england", "london", "south_east", "south_west", "scotland", "wales",
                                    "northern_ireland"}
    for town in rx.TOWNS:
        for district in town.districts:
            assert re.fullmatch(r"[A-Z]{1,2}\d{1,2}", district)
        assert 49.8 < town.lat < 60 and -8.2 < town.lon < 1.8
