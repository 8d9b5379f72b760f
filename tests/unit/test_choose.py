"""Choosing between columns by their values (regen.ingest.choose) and the header aliases for real
exports (a co-operative register's open data, a LimeSurvey community-mapping survey)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from regen.ingest.choose import CHOICE_CODES, choose_columns
from regen.ingest.mapping import header_candidates, personal_header, propose_mapping


def _codes(notes):
    return [code for code, _ in notes]


def _note(notes, code):
    return next(message for c, message in notes if c == code)


# --- The register's organisations file ------------------------------------------------------------

ORG_HEADERS = [
    "Registered Number", "CUK Organisation ID", "Registered Name", "Legal Form", "Sector", "SIC Code",
    "Registered Postcode", "Registered City", "Incorporation Date", "Dissolved Date", "Status",
]


def _organisations(n: int = 60) -> pd.DataFrame:
    numbers = [f"IP{i:05d}" for i in range(n)]
    for i in range(0, 12):  # 12 blanks
        numbers[i * 5] = None
    numbers[1] = numbers[2] = "IP00002"  # 3 repeated values
    numbers[3] = numbers[4] = "IP00004"
    numbers[6] = numbers[7] = numbers[8] = "IP00008"
    return pd.DataFrame({
        "Registered Number": numbers,
        "CUK Organisation ID": [f"CUK{i:06d}" for i in range(n)],
        "Registered Name": [f"Co-op {i}" for i in range(n)],
        "Legal Form": ["Registered Society"] * n,
        "Sector": ["Retail"] * n,
        "SIC Code": ["47110"] * n,
        "Registered Postcode": ["SR2 8QW"] * n,
        "Registered City": ["Sunderland"] * n,
        "Incorporation Date": ["1990-01-01"] * n,
        "Dissolved Date": [None] * n,
        "Status": ["Active"] * n,
    })


def test_register_organisation_headers_are_mapped():
    got = propose_mapping(ORG_HEADERS, "enterprises")
    assert got["Registered Name"] == "name"
    assert got["Legal Form"] == "legal_form" and got["Sector"] == "sector"
    assert got["Registered Postcode"] == "postcode" and got["Registered City"] == "place"
    assert got["Incorporation Date"] == "founded" and got["Dissolved Date"] == "closed"
    assert got["SIC Code"] is None and got["Status"] is None
    for header in ("Registered Number", "CUK Organisation ID", "Organisation ID"):
        assert ("enterprise_id" in {f for _, f in header_candidates(header)}), header
    for header, field in [("Postcode", "postcode"), ("City", "place"), ("Town", "place"), ("Post Town", "place"),
                          ("Registration Date", "founded"), ("Deregistration Date", "closed"), ("SIC", None)]:
        assert propose_mapping([header], "enterprises")[header] == field, header


def test_register_organisations_choose_the_complete_unique_id():
    frame = _organisations()
    proposed = propose_mapping(list(frame.columns), "enterprises")
    assert proposed["Registered Number"] == "enterprise_id"  # headers alone: the first column
    got, notes = choose_columns(frame, proposed, "enterprises")
    assert got["CUK Organisation ID"] == "enterprise_id"
    assert got["Registered Number"] is None
    assert {k: v for k, v in got.items() if k not in ("CUK Organisation ID", "Registered Number")} == {
        k: v for k, v in proposed.items() if k not in ("CUK Organisation ID", "Registered Number")}
    assert _codes(notes) == ["id_column_chosen"]
    message = _note(notes, "id_column_chosen")
    assert "'Registered Number' has 12 blanks and 3 repeated values" in message
    assert "'CUK Organisation ID' is complete and unique" in message


def test_a_complete_unique_id_is_kept_over_one_with_blanks_whatever_the_order():
    frame = _organisations()[["CUK Organisation ID", "Registered Number", "Registered Name"]]
    got, _ = choose_columns(frame, propose_mapping(list(frame.columns), "enterprises"), "enterprises")
    assert got == {"CUK Organisation ID": "enterprise_id", "Registered Number": None, "Registered Name": "name"}


def test_id_with_fewer_blanks_and_duplicates_wins_when_none_is_complete():
    frame = pd.DataFrame({
        "Ref": ["A", None, None, "A", "B", None],
        "Registered Number": ["1", "2", "3", "3", "4", None],
        "Name": list("abcdef"),
    })
    got, notes = choose_columns(frame, {"Ref": "enterprise_id", "Registered Number": None, "Name": "name"},
                                "enterprises")
    assert got["Registered Number"] == "enterprise_id" and got["Ref"] is None
    assert "fewest blanks" in _note(notes, "id_column_chosen")


# --- The register's economy file -------------------------------------------------------------------

def _economy(n_orgs: int = 20, years=(2019, 2020, 2021)) -> pd.DataFrame:
    rows = []
    for i in range(n_orgs):
        for y in years:
            rows.append({
                "Registered Number": f"IP{i:05d}",
                "CUK Organisation ID": f"CUK{i:06d}",
                "Year End Date": f"{y + 1}-03-31",
                "Economic Year": str(y),
                "Turnover": str(1000 * i),
                "Employees": str(i),
                "Members": str(10 * i),
            })
    return pd.DataFrame(rows)


def test_economy_headers_are_mapped():
    headers = ["CUK Organisation ID", "Year End Date", "Economic Year", "Turnover", "Employees", "Members"]
    got = propose_mapping(headers, "figures")
    assert got["CUK Organisation ID"] == "enterprise_id"
    assert got["Turnover"] == "turnover" and got["Employees"] == "employees" and got["Members"] is None
    for header in ("Year End Date", "Economic Year", "Period End", "Accounts Date", "Financial Year", "FY", "年度"):
        assert "year" in {f for _, f in header_candidates(header)}, header


@pytest.mark.parametrize("kind", ["figures", None])
def test_economic_year_beats_year_end_date(kind):
    frame = _economy()
    mapping = {"Registered Number": None, "CUK Organisation ID": "enterprise_id", "Year End Date": "year",
               "Economic Year": None, "Turnover": "turnover", "Employees": "employees", "Members": None}
    got, notes = choose_columns(frame, mapping, kind)
    assert got["Economic Year"] == "year" and got["Year End Date"] is None
    assert got["Turnover"] == "turnover" and got["Employees"] == "employees" and got["Members"] is None
    message = _note(notes, "year_column_chosen")
    assert "'Economic Year'" in message and "'Year End Date'" in message


def test_economy_id_is_the_one_that_joins_known_ids():
    frame = _economy()
    known = {f"CUK{i:06d}" for i in range(50)}
    # Both columns are complete and unique per (id, year): only the join can tell them apart.
    mapping = {"Registered Number": "enterprise_id", "CUK Organisation ID": None, "Year End Date": None,
               "Economic Year": "year", "Turnover": "turnover", "Employees": "employees", "Members": None}
    got, notes = choose_columns(frame, mapping, "figures", known_ids=known)
    assert got["CUK Organisation ID"] == "enterprise_id" and got["Registered Number"] is None
    assert "100% of its values match known enterprises" in _note(notes, "id_column_chosen")
    # Without known IDs nothing says the proposal is wrong: it is kept.
    got, _ = choose_columns(frame, mapping, "figures")
    assert got["Registered Number"] == "enterprise_id"


def test_join_matches_ids_loosely():
    frame = pd.DataFrame({"Ref": ["1", "2", "3"], "Company Number": ["00123", "00456", "00789"],
                          "Turnover": ["1", "2", "3"]})
    got, _ = choose_columns(frame, {"Ref": "enterprise_id", "Company Number": None, "Turnover": "turnover"},
                            "enterprises", known_ids=["123", "456.0", "  789 "])
    assert got["Company Number"] == "enterprise_id"


def test_joining_beats_completeness_but_a_weak_join_does_not():
    frame = pd.DataFrame({"Registered Number": ["R1", None, "R3", "R3"], "Organisation ID": ["a", "b", "c", "d"]})
    mapping = {"Registered Number": None, "Organisation ID": "enterprise_id"}
    got, _ = choose_columns(frame, mapping, "enterprises", known_ids={"R1", "R3"})
    assert got["Registered Number"] == "enterprise_id"
    got, _ = choose_columns(frame, mapping, "enterprises", known_ids={"R1", "zzz"})  # R1 only: 1 in 3
    assert got["Organisation ID"] == "enterprise_id"


def test_figures_id_unique_per_id_and_year_not_per_id():
    frame = _economy().drop(columns=["Registered Number"])
    frame["Ref"] = [str(i) for i in range(len(frame))]  # unique per row but meaningless
    frame.loc[0, "CUK Organisation ID"] = None
    mapping = {c: None for c in frame.columns} | {"CUK Organisation ID": "enterprise_id", "Economic Year": "year"}
    got, notes = choose_columns(frame, mapping, "figures")
    # CUK has a blank now; Ref is complete and unique per (id, year).
    assert got["Ref"] == "enterprise_id"
    frame.loc[0, "CUK Organisation ID"] = "CUK000000"
    got, notes = choose_columns(frame, mapping, "figures")
    assert got["CUK Organisation ID"] == "enterprise_id"  # repeats per id, but unique per (id, year)
    assert "per enterprise and year" in _note(notes, "id_column_chosen")


# --- Year columns ----------------------------------------------------------------------------------

def test_only_a_date_column_is_kept_as_the_year():
    frame = pd.DataFrame({"CUK Organisation ID": ["C1", "C2"], "Year End Date": ["2020-03-31", "31/03/2021"],
                          "Turnover": ["10", "20"]})
    proposed = propose_mapping(list(frame.columns), "figures")
    assert proposed["Year End Date"] == "year"
    got, notes = choose_columns(frame, proposed, "figures")
    assert got == proposed
    assert "year_column_chosen" not in _codes(notes)


def test_date_column_used_when_no_column_holds_years():
    frame = pd.DataFrame({"ID": ["1", "2"], "Year": ["n/k", "unknown"], "Period End": ["2020-03-31", "2021-03-31"],
                          "Turnover": ["1", "2"]})
    got, notes = choose_columns(frame, propose_mapping(list(frame.columns), "figures"), "figures")
    assert got["Period End"] == "year" and got["Year"] is None
    assert "year_column_chosen" in _codes(notes)


@pytest.mark.parametrize("values", [["2019/20", "2020/21"], ["2019-20", "2020-2021"], ["FY2019", "2020.0"]])
def test_fiscal_years_beat_dates_in_a_header_that_says_year(values):
    frame = pd.DataFrame({"ID": ["1", "2"], "Year": ["31/03/2020", "31 March 2021"], "Financial Year": values,
                          "Employees": ["1", "2"]})
    proposed = propose_mapping(list(frame.columns), "figures")
    assert proposed["Year"] == "year"
    got, _ = choose_columns(frame, proposed, "figures")
    assert got["Financial Year"] == "year" and got["Year"] is None


def test_japanese_nendo_column():
    frame = pd.DataFrame({
        "法人番号": ["1234567890123", "2234567890123", "3234567890123"],
        "年度": ["2020年3月31日", "2021年3月31日", "2022年3月31日"],
        "事業年度": ["2019年度", "令和2年度", "２０２１年度"],
        "従業員数": ["5", "6", "7"],
    })
    proposed = propose_mapping(list(frame.columns), "figures")
    assert proposed["年度"] == "year"
    got, notes = choose_columns(frame, proposed, "figures")
    assert got["事業年度"] == "year" and got["年度"] is None
    assert got["法人番号"] == "enterprise_id" and got["従業員数"] == "employees"
    assert "'事業年度'" in _note(notes, "year_column_chosen")


def test_year_rule_not_applied_to_enterprise_lists():
    frame = _economy()
    mapping = {c: None for c in frame.columns} | {"CUK Organisation ID": "enterprise_id", "Year End Date": "year"}
    got, notes = choose_columns(frame, mapping, "enterprises")
    assert got["Year End Date"] == "year"
    assert "year_column_chosen" not in _codes(notes)


def test_freed_column_takes_another_field_that_fits():
    frame = pd.DataFrame({"Code": ["A", "A", None], "Organisation ID": ["1", "2", "3"], "Name": ["x", "y", "z"]})
    got, _ = choose_columns(frame, {"Code": "enterprise_id", "Organisation ID": None, "Name": "name"}, None)
    assert got == {"Code": "code", "Organisation ID": "enterprise_id", "Name": "name"}


# --- Odd data --------------------------------------------------------------------------------------

def test_all_empty_columns_leave_the_mapping_alone():
    frame = pd.DataFrame({"Registered Number": [None, None, None], "Organisation ID": ["", " ", np.nan],
                          "Year": [None] * 3, "Year End Date": [np.nan] * 3, "Turnover": [None] * 3})
    proposed = propose_mapping(list(frame.columns), "figures")
    got, notes = choose_columns(frame, proposed, "figures")
    assert got == proposed
    assert notes == []
    empty = pd.DataFrame({c: [] for c in frame.columns})
    assert choose_columns(empty, proposed, "figures") == (proposed, [])


def test_one_row_frame():
    frame = pd.DataFrame({"Registered Number": [None], "CUK Organisation ID": ["CUK1"], "Year End Date": ["2020-03-31"],
                          "Economic Year": ["2019"], "Turnover": ["5"]})
    got, notes = choose_columns(frame, propose_mapping(list(frame.columns), "figures"), "figures")
    assert got["CUK Organisation ID"] == "enterprise_id" and got["Economic Year"] == "year"
    assert got["Registered Number"] is None and got["Year End Date"] is None
    assert set(_codes(notes)) <= set(CHOICE_CODES)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"ID": [1, 2.5, None], "Ref": [pd.Timestamp("2020-01-01"), "x", b"\xff"], 3: ["a", "b", "c"]}),
    pd.DataFrame([[None, "1"], ["2", "2"]], columns=["ID", "ID"]),
    pd.DataFrame(),
    None,
])
def test_odd_data_never_raises(frame):
    mapping = {"ID": "enterprise_id", "Ref": None, "3": None, "Missing": "name", "Year": "year"}
    got, notes = choose_columns(frame, mapping, None, known_ids=[None, 1, "1"])
    assert set(got) == set(mapping)
    fields = [f for f in got.values() if f]
    assert len(fields) == len(set(fields))
    assert all(isinstance(c, str) and isinstance(m, str) for c, m in notes)


def test_each_field_used_once_even_if_given_twice():
    frame = pd.DataFrame({"A": ["1", "2"], "B": ["1", "1"]})
    got, _ = choose_columns(frame, {"A": "name", "B": "name"}, "enterprises")
    assert list(got.values()).count("name") == 1


def test_a_million_rows_is_fast():
    n = 1_000_000
    ids = np.arange(n).astype(str)
    frame = pd.DataFrame({"Registered Number": np.where(np.arange(n) % 7 == 0, None, ids),
                          "Organisation ID": ids, "Year End Date": ["2020-03-31"] * n,
                          "Economic Year": ["2019"] * n, "Turnover": ["1"] * n})
    proposed = propose_mapping(list(frame.columns), "figures")
    start = time.perf_counter()
    got, notes = choose_columns(frame, proposed, "figures", known_ids=set(ids[: n // 2]))
    assert time.perf_counter() - start < 5
    assert got["Organisation ID"] == "enterprise_id" and got["Economic Year"] == "year"
    assert "rows checked" in _note(notes, "id_column_chosen")


# --- The survey export ------------------------------------------------------------------------------

SURVEY_HEADERS = [
    "id", "submitdate", "lastpage", "startlanguage", "seed", "name", "address[a]", "address[b]", "address[c]",
    "address[d]", "address[e]", "activity", "structure[SQ001]", "structure[SQ002]", "contact_name",
    "contact[name]", "email", "phone", "telephone",
]


def test_survey_export_through_propose_mapping():
    got = propose_mapping(SURVEY_HEADERS, "enterprises")
    assert got["id"] == "enterprise_id" and got["name"] == "name"
    assert got["address[a]"] == "address" and got["address[b]"] == "place" and got["address[d]"] == "postcode"
    assert got["address[c]"] is None and got["address[e]"] is None
    assert got["activity"] == "sector"
    assert got["submitdate"] == "year"  # a survey's figures are as of the day it was submitted
    assert got["structure[SQ001]"] is None and got["structure[SQ002]"] is None
    for header in ("contact_name", "contact[name]", "email", "phone", "telephone"):
        assert got[header] is None and personal_header(header), header
    for kind in (None, "enterprises"):
        mapped = propose_mapping(SURVEY_HEADERS, kind)
        assert all(mapped[h] is None for h in ("contact_name", "contact[name]", "email", "phone", "telephone"))


@pytest.mark.parametrize("header, field", [
    ("address [b]", "place"), ("address_b", "place"), ("Address[D]", "postcode"), ("address_a", "address"),
    ("address_e", None), ("address [c]", None),
])
def test_survey_address_spellings(header, field):
    assert propose_mapping(["name", header], "enterprises")[header] == field


def test_survey_frame_choose_keeps_the_survey_mapping():
    frame = pd.DataFrame({h: ["x1", "x2"] for h in SURVEY_HEADERS} | {"id": ["1", "2"]})
    proposed = propose_mapping(SURVEY_HEADERS, "enterprises")
    got, _ = choose_columns(frame, proposed, "enterprises")
    assert got == proposed
