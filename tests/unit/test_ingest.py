"""Reading messy files into the schema: regen.ingest, against a corpus generated at test time."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regen import ingest
from regen.ingest import clean, mapping, read
from regen.schema import ENTERPRISE_COLUMNS, FIGURE_COLUMNS

try:
    from . import messy_corpus
except ImportError:  # run without the tests package
    import messy_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return messy_corpus.build(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def results(corpus):
    """Each corpus file read once (with the postcode table), by name."""
    out = {}
    for name, path in corpus.items():
        if name != "postcode_table.csv":
            out[name] = ingest.read_table(path, postcodes=messy_corpus.POSTCODES)
    return out


def problems_at(result, row):
    return {(p.column, p.code) for p in result.problems if p.row == row}


def test_every_result_keeps_the_row_invariant(results):
    for name, r in results.items():
        assert r.rows_accepted + r.rows_rejected == r.rows_read, name
        assert len(r.accepted) == r.rows_accepted, name
        json.dumps(r.to_json())  # serialisable


# --- Encodings, delimiters, header rows --------------------------------------------------------

@pytest.mark.parametrize("name, encoding, delimiter, header_row", [
    ("utf8_bom.csv", "utf-8-sig", ",", 1),
    ("utf8_plain.csv", "utf-8", ",", 1),
    ("shift_jis.csv", "cp932", ",", 1),
    ("latin1_semicolon.csv", "cp1252", ";", 1),
    ("figures.tsv", "utf-8", "\t", 1),
    ("title_rows.csv", "utf-8", ",", 5),
    ("real_world_export.csv", "utf-8-sig", ",", 4),
    ("gzipped.csv.gz", "utf-8", ",", 1),
])
def test_detects_encoding_delimiter_and_header_row(results, name, encoding, delimiter, header_row):
    r = results[name]
    assert r.error is None
    assert (r.encoding, r.delimiter, r.header_row) == (encoding, delimiter, header_row)


def test_text_decoded_correctly_in_each_encoding(results):
    assert results["utf8_bom.csv"].accepted["name"].tolist() == ["Hendon Café", "Millfield Energy"]
    assert results["utf8_plain.csv"].accepted["name"].tolist() == ["Hendon Café", "Millfield Energy"]
    assert "ワーカーズコープ柏崎" in results["shift_jis.csv"].accepted["name"].tolist()
    assert results["latin1_semicolon.csv"].accepted["name"].tolist() == [
        "Crèmerie Société Générale", "Café Noël", "Bäckerei Müller"]
    assert results["gzipped.csv.gz"].compressed == "gzip"


def test_latin_text_that_happens_to_decode_as_shift_jis_is_still_latin():
    for name in ("Crème brûlée", "Généreux Crèmerie", "Pâtisserie Française", "Über Bäckerei"):
        data = f"Name\n{name}\n".encode("cp1252")
        data.decode("cp932")  # the trap: it decodes without error
        text, encoding = read.decode(data)
        assert encoding == "cp1252"
        assert name in text


def test_title_lines_blank_lines_and_multiline_cells_keep_file_row_numbers(results):
    assert results["title_rows.csv"].accepted.index.tolist() == [6, 7]
    r = results["multiline.csv"]
    # Row 2 spans file lines 2-4, row 3 lines 5-6: problems name spreadsheet rows.
    # Nothing is lost for a value that matches no code or a year out of range: the row is kept.
    assert r.rows_read == 3 and r.rows_accepted == 3
    assert r.accepted.loc[3, "legal_form"] == "other" and r.accepted.loc[3, "legal_form_text"]
    assert ("Founded", "out_of_range") in problems_at(r, 4)
    assert [p.kept for p in r.problems if p.row == 4] == [True]
    assert pd.isna(r.accepted.loc[4, "founded"])


def test_blank_lines_are_not_rows_but_count_in_numbering():
    data = b"ID,Name,Legal form,Sector,Founded,Region,Local authority,Lat,Lon\n\n" \
           b"E1,A,CIC,Food,2015,North East,Sunderland,54.9,-1.38\n,,,,,,,,\n\n" \
           b"E2,B,CIC,Food,1500,North East,Sunderland,54.9,-1.38\n"
    r = ingest.read_table(data, name="gaps.csv")
    assert r.rows_read == 2 and r.rows_accepted == 2 and r.rows_rejected == 0
    assert r.accepted.index.tolist() == [3, 6]
    assert ("Founded", "out_of_range") in problems_at(r, 6)  # the year is left out, the row kept
    assert pd.isna(r.accepted.loc[6, "founded"])


def test_excel_with_title_rows_dates_and_other_sheets(results):
    r = results["enterprises.xlsx"]
    assert r.file_type == "xlsx" and r.header_row == 3 and r.sheet == "Enterprises"
    assert r.accepted["founded"].tolist()[:2] == [2015, 2011]  # a datetime cell and a float cell
    assert ("Founded", "invalid_year") in problems_at(r, 6)
    assert pd.isna(r.accepted.loc[6, "founded"])  # the unreadable year is left out, the row kept
    assert any(n.code == "other_sheets_ignored" for n in r.notes)


def test_ragged_rows_are_rejected_or_padded():
    data = b"ID,Name,Legal form,Sector,Founded,Region,Local authority,Lat,Lon\n" \
           b"E1,A,CIC,Food,2015,North East,Sunderland,54.9,-1.38,,,\n" \
           b"E2,B,CIC,Food,2015,North East,Sunderland,54.9,-1.38,surprise\n" \
           b"E3,C,CIC,Food,2015,North East,Sunderland\n"
    r = ingest.read_table(data, name="ragged.csv")
    assert r.rows_read == 3
    assert r.accepted.index.tolist() == [2, 4]
    assert problems_at(r, 3) == {(None, "extra_cells")}
    # The short row is padded: no coordinates, kept with no location
    assert r.accepted.loc[4, "geo_precision"] == "none" and pd.isna(r.accepted.loc[4, "lat"])
    assert any(n.code == "no_location" and 4 in n.rows for n in r.notes)


# --- Values ------------------------------------------------------------------------------------

def test_numbers_with_currency_thousands_and_approximations(results):
    r = results["numbers.csv"]
    a = r.accepted
    assert a.loc[2, "employees"] == 1200 and a.loc[2, "turnover"] == 12500.0 and a.loc[2, "currency"] == "GBP"
    assert a.loc[3, "employees"] == 15 and a.loc[3, "turnover"] == 1_200_000.0 and a.loc[3, "currency"] == "JPY"
    assert a.loc[4, "employees"] == 20 and a.loc[4, "turnover"] == 1200.0
    assert a.loc[5, "employees"] == 15 and pd.isna(a.loc[5, "turnover"])
    assert ("Employees", "no_headcount") in problems_at(r, 6)
    assert ("Employees", "invalid_number") in problems_at(r, 7)
    approx = [n for n in r.notes if n.code == "approximate"]
    assert approx and approx[0].column == "Employees" and approx[0].rows == [3, 4, 5]


@pytest.mark.parametrize("text, value, approximate, currency", [
    ("£12,500.00", 12500.0, False, "GBP"),
    ("¥1,200,000", 1_200_000.0, False, "JPY"),
    ("1,200", 1200.0, False, None),
    ("approx 15", 15.0, True, None),
    ("c. 20", 20.0, True, None),
    ("15+", 15.0, True, None),
    ("１２", 12.0, False, None),
    ("約20人", 20.0, True, None),
    ("1,200万円", 12_000_000.0, False, "JPY"),
    ("£1.2m", 1_200_000.0, False, "GBP"),
    ("10-20", 15.0, True, None),
])
def test_parse_number_text(text, value, approximate, currency):
    got = clean.parse_number_text(text)
    assert got[3] == "ok" and got[0] == value and got[1] is approximate and got[2] == currency


@pytest.mark.parametrize("text", ["Enterprise number 2015", "abc", "31/12", "Jan-15"])
def test_text_that_merely_contains_a_number_is_not_a_year(text):
    assert clean.parse_year_text(text)[2] == "invalid"


def test_excel_sep_line_declares_the_delimiter():
    data = b"sep=;\nID;Name;Legal form;Sector;Founded;Region;Local authority;Lat;Lon\n" \
           b"E1;A, B and C;CIC;Food;2015;North East;Sunderland;54,9;-1,38\n"
    r = ingest.read_table(data, name="excel.csv")
    assert (r.delimiter, r.header_row, r.rows_accepted) == (";", 2, 1)
    assert r.accepted.loc[3, "name"] == "A, B and C" and r.accepted.loc[3, "lat"] == 54.9


@pytest.mark.parametrize("text", ["n/a", "-", "", "N/A", "不明", "—"])
def test_missing_tokens(text):
    assert clean.parse_number_text(text)[3] == "missing"


@pytest.mark.parametrize("text, year", [
    ("平成15年", 2003), ("令和2年", 2020), ("令和元年", 2019), ("平成元年", 1989), ("昭和60年4月1日", 1985),
    ("２０１５年", 2015), ("H27", 2015), ("31/12/2015", 2015), ("2015-12-31", 2015), ("2003年4月1日", 2003),
    ("01.04.1999", 1999), ("平成27年度", 2015), ("FY2015", 2015), ("31 December 2015", 2015), ("c.1990", 1990),
])
def test_parse_year_text(text, year):
    value, _approx, status = clean.parse_year_text(text)
    assert status == "ok" and value == year


def test_dates_day_first_iso_and_cross_field_checks(results):
    r = results["dates.csv"]
    assert r.accepted["founded"].tolist()[:4] == [2015, 2015, 1999, 2003]
    assert r.accepted.loc[3, "closed"] == 2020
    assert ("Closed", "closed_before_founded") in problems_at(r, 6)
    assert pd.isna(r.accepted.loc[6, "founded"]) and pd.isna(r.accepted.loc[6, "closed"])


def test_japanese_eras_and_full_width_digits(results):
    r = results["eras.csv"]
    assert r.rows_rejected == 0
    assert r.accepted["founded"].tolist() == [2003, 2020, 1975, 2019, 2015, 2015, 1989]
    assert r.accepted.loc[6, "lat"] == pytest.approx(37.37)  # ３７．３７
    f = results["jp_figures.csv"]
    assert f.kind == "figures"
    assert f.accepted["year"].tolist() == [2015, 2020, 2019]
    assert f.accepted["employees"].tolist() == [12, 15, 20]  # １２, １５, 約20
    assert f.accepted["turnover"].tolist() == [1_200_000.0, 1_500_000.0, 3_000_000.0]  # header says 千円
    assert set(f.accepted["currency"]) == {"JPY"}


def test_shift_jis_enterprises_values(results):
    r = results["shift_jis.csv"]
    a = r.accepted.set_index("name")
    assert a.loc["ワーカーズコープ柏崎", "founded"] == 2003
    assert a.loc["ワーカーズコープ柏崎", "legal_form"] == "workers_coop"
    assert a.loc["NPO法人あおぞら", "legal_form"] == "npo"
    assert a.loc["一般社団法人みらい", "legal_form"] == "general_inc"
    assert a.loc["株式会社ひかり", "legal_form"] == "kk"
    assert a.loc["株式会社ひかり", "sector"] == "energy"
    assert a.loc["NPO法人あおぞら", "region"] == "niigata"  # prefecture read from 所在地
    assert set(a["country"]) == {"JP"}


def test_legal_forms_and_sectors_map_values_and_flag_unknowns(results):
    r = results["latin1_semicolon.csv"]
    assert r.accepted["legal_form"].tolist() == ["charity", "charity", "clg"]
    assert r.accepted["sector"].tolist() == ["food", "arts", "food"]
    assert r.accepted["lat"].tolist() == [54.95, 54.96, 54.955]  # decimal commas
    rw = results["real_world_export.csv"]
    # Values that match no code are kept as "other", with the text as written
    assert rw.accepted.loc[8, "legal_form"] == "other" and rw.accepted.loc[8, "sector"] == "other"
    assert rw.accepted.loc[8, "sector_text"] == "Widgets"
    assert {n.code for n in rw.notes} >= {"values_other"}
    table = rw.values["sector"].set_index("value")
    assert table.loc["Widgets", "code"] == "other" and table.loc["Widgets", "count"] == 1


@pytest.mark.parametrize("value, code", [
    ("Community Interest Company", "cic"), ("CIC", "cic"), ("NPO法人", "npo"), ("特定非営利活動法人", "npo"),
    ("一般社団法人", "general_inc"), ("労働者協同組合", "workers_coop"), ("株式会社", "kk"), ("Co-operative", "cooperative"),
    ("Co-op", "cooperative"), ("Community Benefit Society", "cbs"), ("BenCom", "cbs"),
    ("Employee Ownership Trust", "employee_owned"), ("Employee-owned", "employee_owned"), ("Charity", "charity"),
    ("CIO", "charity"), ("Company limited by guarantee", "clg"), ("CLG", "clg"), ("Limited company", None),
    # as a national co-operative register spells them
    ("Society", "society"), ("Registered Society", "society"), ("Industrial and Provident Society", "society"),
    ("Co-operative Society", "cooperative"), ("Company", "company"), ("Company Limited by Shares", "company"),
    ("Unincorporated", "unincorporated"), ("LLP", "llp"), ("Limited Liability Partnership", "llp"), ("Other", "other"),
])
def test_map_legal_form(value, code):
    assert mapping.map_legal_form(value) == code


@pytest.mark.parametrize("value, code", [
    ("Health and social care", "care"), ("介護・福祉", "care"), ("Community energy", "energy"),
    ("再生可能エネルギー", "energy"), ("Café and catering", "food"), ("Furniture reuse and repair", "reuse"),
    ("観光", "tourism"), ("農業", "agriculture"), ("Widgets", None), ("", None),
    ("Membership associations", "membership"), ("Housing", "housing"), ("Housing association", "housing"),
    ("Finance", "finance"), ("Credit union", "finance"), ("Manufacturing", "manufacturing"),
    ("Professional services", "professional"), ("Sports", "sports"), ("Education", "education"), ("住宅", "housing"),
])
def test_map_sector(value, code):
    assert mapping.map_sector(value) == code


# --- Postcodes and coordinates -----------------------------------------------------------------

def corpus_path(result):
    return result.file_name


def test_postcodes_normalised_and_looked_up(results):
    r = results["postcodes.csv"]
    a = r.accepted
    assert a.index.tolist() == [2, 3, 4, 5, 7]
    assert set(a.loc[[2, 3, 4, 5], "geo_precision"]) == {"postcode"}
    assert a.loc[2, "lat"] == a.loc[3, "lat"] == pytest.approx(54.8986)  # sr28qw, "SR2  8QW"
    assert a.loc[4, "lat"] == pytest.approx(54.9069)  # " Sr1 1aA "
    assert a.loc[5, "country"] == "JP"
    # "SR2 8Q" and nothing else to go on in a file with rows in both countries: the one thing a row
    # cannot do without is its country
    assert problems_at(r, 6) == {("Postcode", "invalid_postcode"), ("country", "country_unknown")}
    again = ingest.read_table(r.file_name and corpus_path(r), postcodes=messy_corpus.POSTCODES, country="GB")
    assert again.accepted.loc[6, "geo_precision"] == "none" and pd.isna(again.accepted.loc[6, "lat"])
    # An invalid postcode with a town: located by the town (the postcode flagged in a note); the file
    # gives no region or area for it, so they are "not known".
    assert next(n for n in r.notes if n.code == "invalid_postcode").rows == [7]
    assert a.loc[7, "geo_precision"] == "place"
    assert (a.loc[7, "region"], a.loc[7, "area"]) == ("unknown", "unknown")


@pytest.mark.parametrize("raw, expected", [
    ("sr28qw", "SR2 8QW"), ("SR2  8QW", "SR2 8QW"), (" ec1a 1bb ", "EC1A 1BB"), ("w1a0ax", "W1A 0AX"),
    ("〒945-0051", "945-0051"), ("9450051", "945-0051"), ("SR2 8Q", None), ("hello", None),
])
def test_normalise_postcode(raw, expected):
    assert clean.normalise_postcode(raw) == expected


def test_coordinates_swapped_and_zero(results):
    r = results["coords.csv"]
    a = r.accepted
    assert (a.loc[3, "lat"], a.loc[3, "lon"]) == (54.9, -1.38)  # swapped for Great Britain
    assert (a.loc[4, "lat"], a.loc[4, "lon"]) == (37.37, 138.56)  # latitude beyond 90
    assert a.loc[2, "geo_precision"] == "exact"
    swapped = next(n for n in r.notes if n.code == "coordinates_swapped")
    assert swapped.rows == [3, 4]
    assert next(n for n in r.notes if n.code == "coordinates_zero").rows == [5, 6]
    assert a.loc[5, "geo_precision"] == "place"  # 0,0 is missing: located by its town
    assert a.loc[6, "geo_precision"] == "none"  # nothing else to go on: kept with no location
    assert 6 in next(n for n in r.notes if n.code == "no_location").rows


def test_geocoding_chain_records_precision(results):
    assert set(results["title_rows.csv"].accepted["geo_precision"]) == {"postcode"}
    assert set(results["utf8_bom.csv"].accepted["geo_precision"]) == {"exact"}
    data = "Name,Legal form,Sector,Founded,Region,Local authority\nA,CIC,Food,2015,North East,Sunderland\n"
    areas = pd.DataFrame({"code": ["E08000024"], "name": ["Sunderland"], "lat": [54.9], "lon": [-1.4]})
    r = ingest.read_table(data.encode(), name="a.csv", areas=areas, country="GB")
    assert r.accepted["geo_precision"].tolist() == ["area"]
    assert r.accepted["area"].tolist() == ["E08000024"]
    r = ingest.read_table(data.encode(), name="a.csv", country="GB")
    assert r.rows_accepted == 1 and r.accepted["geo_precision"].tolist() == ["none"]
    note = next(n for n in r.notes if n.code == "no_location")
    assert note.column == "Local authority" and note.rows == [2]


# --- Personal data -----------------------------------------------------------------------------

def test_personal_data_excluded_by_header_and_content(results):
    r = results["contacts.csv"]
    excluded = {e["column"]: e["reason"] for e in r.excluded_columns}
    assert set(excluded) == {"Contact name", "Email", "Phone", "Home address", "担当者", "Notes", "Info"}
    assert "by content" in excluded["Notes"] and "email" in excluded["Notes"]
    assert "by content" in excluded["Info"] and "phone" in excluded["Info"]
    assert r.rows_accepted == 3
    dumped = r.accepted.to_csv() + json.dumps(r.to_json(), ensure_ascii=False) + r.report_frame().to_csv()
    for value in messy_corpus.PERSONAL_VALUES:
        assert value not in dumped
    assert list(r.accepted.columns) == list(ENTERPRISE_COLUMNS)


def test_personal_columns_stay_excluded_when_the_caller_maps_them(corpus):
    r = ingest.read_table(corpus["contacts.csv"], mapping={"Name": "name", "Email": "description",
                                                           "Notes": "ward"}, kind="enterprises")
    assert r.mapping["Email"] is None and r.mapping["Notes"] is None
    assert "jane@one.example" not in r.accepted.to_csv()


def test_business_address_used_then_dropped(results):
    r = results["real_world_export.csv"]
    assert r.mapping["Registered office address"] == "address"
    text = r.accepted.to_csv()
    assert "High Street" not in text and "SR2 8QW" not in text


@pytest.mark.parametrize("header, personal", [
    ("Contact", True), ("Contact name", True), ("担当者", True), ("代表者", True), ("Email", True), ("メール", True),
    ("Phone", True), ("Tel", True), ("電話", True), ("Mobile", True), ("Home address", True), ("Name", False),
    ("Address", False), ("Postcode", False),
])
def test_personal_headers(header, personal):
    assert (mapping.personal_header(header) is not None) is personal


# --- Mapping and kinds -------------------------------------------------------------------------

@pytest.mark.parametrize("header, field", [
    ("Registered Name", "name"), ("Trading Name", "name"), ("Organisation name", "name"), ("Name", "name"),
    ("事業者名", "name"), ("法人名", "name"), ("団体名", "name"),
    ("Employees", "employees"), ("No. of staff", "employees"), ("Headcount", "employees"), ("従業員数", "employees"),
    ("職員数", "employees"), ("設立年", "founded"), ("設立", "founded"), ("Year founded", "founded"),
    ("Incorporated", "founded"), ("所在地", "address"), ("住所", "address"), ("Address", "address"),
    ("緯度", "lat"), ("Latitude", "lat"), ("lat", "lat"), ("経度", "lon"), ("Longitude", "lon"), ("lng", "lon"),
    ("lon", "lon"), ("法人格", "legal_form"), ("Legal form", "legal_form"), ("Company type", "legal_form"),
    ("ＬＡＴＩＴＵＤＥ", "lat"), ("  year   FOUNDED ", "founded"), ("Turnover (£)", "turnover"),
])
def test_propose_mapping_headers(header, field):
    assert ingest.propose_mapping([header])[header] == field


def test_propose_mapping_uses_each_field_once_and_prefers_english_name():
    got = ingest.propose_mapping(["名称", "Name", "Trading Name", "Contact"], kind="enterprises")
    assert got == {"名称": "name_ja", "Name": "name", "Trading Name": None, "Contact": None}


def test_detect_kind(results):
    assert results["utf8_bom.csv"].kind == "enterprises"
    assert results["figures.tsv"].kind == "figures"
    assert results["areas.csv"].kind == "areas"
    a = results["areas.csv"].accepted
    assert a["code"].tolist() == ["E08000024", "15205"]
    assert a["country"].tolist() == ["GB", "JP"]
    assert a["population"].tolist() == [277705, 81526]
    assert a["population_year"].tolist() == [2021, 2020]
    assert ingest.detect_kind(["foo"]) is None


def test_unknown_kind_rejects_every_row_with_one_problem():
    r = ingest.read_table(b"Foo,Bar\n1,2\n3,4\n", name="x.csv")
    assert r.error is None and r.kind is None
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (2, 0, 2)
    assert [p.code for p in r.problems] == ["unknown_kind"]


def test_corrected_mapping_is_used_and_signature_is_stable(corpus):
    first = ingest.read_table(corpus["utf8_plain.csv"])
    fixed = dict(first.mapping, **{"Name": "name", "Founded": None})
    r = ingest.read_table(corpus["utf8_plain.csv"], mapping=fixed)
    assert r.mapping["Founded"] is None
    assert r.rows_accepted == 2 and r.accepted["founded"].isna().all()  # founding years are optional
    assert first.signature == ingest.mapping_signature(["id", " NAME ", "Legal  form", "sector", "founded", "country",
                                                        "region", "local authority", "latitude", "longitude"])
    assert first.signature != ingest.mapping_signature(["ID", "Name"])


def test_missing_required_column_is_one_problem_not_one_per_row():
    data = b"ID,Legal form,Sector,Founded,Lat,Lon\nE1,CIC,Food,2015,54.9,-1.38\nE2,CIC,Food,2016,54.9,-1.38\n"
    r = ingest.read_table(data, name="x.csv", country="GB")
    assert r.rows_rejected == 2
    missing = [p for p in r.problems if p.code == "missing_column"]
    assert {p.column for p in missing} == {"name"} and all(p.row is None for p in missing)
    assert not [p for p in r.problems if p.code == "missing"]


def test_only_a_name_is_needed_the_rest_is_not_known():
    data = b"Name\nHendon Bakery\nTown Hall Cafe\n"
    r = ingest.read_table(data, name="names.csv", country="GB")
    assert (r.rows_accepted, r.rows_rejected) == (2, 0)
    a = r.accepted
    assert set(a["legal_form"]) == set(a["sector"]) == {"unknown"}
    assert set(a["region"]) == set(a["area"]) == {"unknown"} and set(a["geo_precision"]) == {"none"}
    assert a["founded"].isna().all() and a["lat"].isna().all()
    assert a["enterprise_id"].str.startswith("auto-").all() and a["enterprise_id"].is_unique
    assert {"generated_ids", "no_location", "region_unknown", "area_unknown"} <= {n.code for n in r.notes}


# --- The real-world export ---------------------------------------------------------------------

def test_real_world_export(results):
    r = results["real_world_export.csv"]
    assert r.kind == "enterprises"
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (4, 4, 0)
    assert {e["column"] for e in r.excluded_columns} == {"Contact name", "Email", "Tel"}
    a = r.accepted
    assert a.index.tolist() == [5, 6, 7, 8]
    assert a["enterprise_id"].tolist()[:3] == ["M-001", "M-002", "M-003"]
    assert a["founded"].tolist()[:3] == [2015, 2010, 1998]  # day-first dates
    assert a["legal_form"].tolist() == ["cic", "cooperative", "charity", "other"]
    assert set(a.loc[[5, 6, 7], "geo_precision"]) == {"postcode"}
    assert a.loc[8, "geo_precision"] == "none"
    assert set(a.loc[[5, 6, 7], "region"]) == {"north_east"}  # from the postcode table
    f = r.figures
    assert f is not None and f.index.tolist() == [5, 6, 7, 8]
    assert f["employees"].tolist()[:3] == [15, 1200, 20]
    assert f["turnover"].tolist()[:3] == [12500.0, 450000.0, 1200.0]
    assert set(f["currency"]) == {"GBP"} and set(f["year"]) == {2023}
    bad = problems_at(r, 8)
    assert ("Postcode", "invalid_postcode") in bad
    report = r.report_frame()
    assert list(report.columns) == ["row", "column", "value", "reason", "kept"]
    assert set(report["row"]) == {8} and report["kept"].all()  # the postcode left out, the row kept
    assert "jane@hendon.example" not in json.dumps(r.to_json())


# --- Unreadable files --------------------------------------------------------------------------

@pytest.mark.parametrize("name, code", [
    ("empty.csv", "empty_file"), ("blank.csv", "empty_file"), ("binary.csv", "not_a_table"),
    ("image.png", "not_a_table"), ("document.pdf", "not_a_table"), ("old_excel.xls", "unsupported_format"),
    ("truncated.csv.gz", "damaged_file"), ("truncated.xlsx", "damaged_file"),
])
def test_unreadable_files_give_clear_errors(results, name, code):
    r = results[name]
    assert r.error_code == code and r.error and "Traceback" not in r.error
    assert (r.rows_read, r.rows_accepted, r.rows_rejected) == (0, 0, 0)


def test_too_large(corpus, monkeypatch):
    r = ingest.read_table(corpus["utf8_plain.csv"], max_bytes=50)
    assert r.error_code == "too_large"
    monkeypatch.setenv("REGEN_MAX_UPLOAD_MB", "0.00001")
    assert ingest.read_table(corpus["utf8_plain.csv"]).error_code == "too_large"
    bomb = gzip.compress(b"a,b\n" + b"1,2\n" * 100_000)
    assert ingest.read_table(bomb, name="bomb.csv.gz", max_bytes=len(bomb) * 2).error_code == "too_large"


def test_missing_file_and_bytes_sources(corpus):
    assert ingest.read_table(corpus["utf8_plain.csv"].parent / "nope.csv").error_code == "not_found"
    data = corpus["utf8_plain.csv"].read_bytes()
    r = ingest.read_table(data, name="upload.csv")
    assert r.rows_accepted == 2 and r.file_name == "upload.csv"


def test_report_frame_and_json(results):
    r = results["numbers.csv"]
    frame = r.report_frame("ja")
    assert len(frame) == len(r.problems) and frame["row"].tolist() == [6, 7]
    payload = r.to_json()
    for key in ("rows_read", "rows_accepted", "rows_rejected", "encoding", "delimiter", "kind", "mapping",
                "excluded_columns", "problems", "notes", "error"):
        assert key in payload
    assert payload["problems"][0] == {"row": 6, "column": "Employees", "value": "n/a", "code": "no_headcount",
                                      "reason": "no headcount for this year: the year's figures are left out "
                                                "(jobs not reported)", "detail": "", "kept": False}
    assert list(r.accepted.columns) == list(FIGURE_COLUMNS)


def test_problem_codes_are_documented(results):
    codes = {p.code for r in results.values() for p in r.problems}
    assert codes <= set(ingest.PROBLEM_CODES)
    notes = {n.code for r in results.values() for n in r.notes}
    assert notes <= set(ingest.NOTE_CODES)
    for code in ingest.PROBLEM_CODES + ingest.NOTE_CODES + ingest.ERROR_CODES:
        assert f"``{code}``" in ingest.__doc__


# --- Never raise -------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(data=st.binary(max_size=400), name=st.sampled_from(["x.csv", "x.tsv", "x.xlsx", "x.csv.gz", "x"]))
def test_random_bytes_never_raise(data, name):
    r = ingest.read_table(data, name=name)
    assert r.error_code != "internal_error", r.error
    assert r.rows_accepted + r.rows_rejected == r.rows_read
    assert (r.error is None) or r.rows_read == 0


_CELLS = st.sampled_from(["", "n/a", "-", "£12,500.00", "¥1,200,000", "approx 15", "15+", "平成15年", "１２",
                          "31/12/2015", "SR2 8QW", "xyz", "0", "54.9", "-1.38", "CIC", "NPO法人", "Food", "介護",
                          "North East", "Sunderland", "a@b.example", "0191 514 1234", "x\ny", 'q"q', "1e400"])
_HEADERS = st.sampled_from(["ID", "Name", "Legal form", "Sector", "Founded", "Region", "Local authority",
                            "Latitude", "Longitude", "Postcode", "Employees", "Turnover", "Year", "Email",
                            "設立", "年度", "Population", "Area code", "Notes"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(headers=st.lists(_HEADERS, min_size=1, max_size=8),
       rows=st.lists(st.lists(_CELLS, max_size=10), max_size=12),
       delimiter=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp932"]),
       kind=st.sampled_from([None, "enterprises", "figures", "areas"]), title=st.booleans())
def test_random_csv_like_text_never_raises(headers, rows, delimiter, encoding, kind, title):
    import csv
    import io

    buf = io.StringIO()
    if title:
        buf.write("Some title\n\n")
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    data = buf.getvalue().encode(encoding, errors="replace")
    r = ingest.read_table(data, name="random.csv", kind=kind, postcodes=messy_corpus.POSTCODES)
    assert r.error is None, r.error
    assert r.rows_accepted + r.rows_rejected == r.rows_read
    assert len(r.accepted) == r.rows_accepted
    rejected_rows = {p.row for p in r.problems if p.row is not None and not p.kept}
    assert not rejected_rows & set(r.accepted.index)
    kept_rows = {p.row for p in r.problems if p.kept}
    assert kept_rows <= set(r.accepted.index)
    json.dumps(r.to_json())
    for value in r.accepted.get("lat", pd.Series(dtype=float)).dropna():
        assert -90 <= value <= 90


def test_every_rejected_row_has_a_problem():
    from regen.ingest import read_table

    result = read_table(b"Organisation ID,Year,Employees\nA,2020,12.5\nB,2020,3\n", name="f.csv", kind="figures")
    assert (result.rows_accepted, result.rows_rejected) == (1, 1)
    assert [(p.row, p.column) for p in result.problems] == [(2, "Employees")]


def test_remembered_mappings_fit_other_spellings_and_keep_no_data():
    from regen.ingest.mapping import fit_mapping, mapping_signature, rememberable

    remembered = {"Turnover (£)": "turnover", "Name": "name", "Notes": None}
    headers = ["TURNOVER (¥)", "name", "notes"]
    assert mapping_signature(remembered) == mapping_signature(headers)  # one shape
    assert fit_mapping(remembered, headers) == {"TURNOVER (¥)": "turnover", "name": "name", "notes": None}
    assert fit_mapping({"A": "name", "a": "sector"}, ["a", "A"]) == {"a": "name", "A": "sector"}  # in order
    assert rememberable({"Organisation": "name", "Contact": None, "Staff": "employees"}) == {
        "Organisation": "name", "Staff": "employees"}  # columns not read leave no trace
    assert rememberable({"Hendon Cafe": "name", "Jane Smith": None, "CIC": "legal_form"}) is None  # data, not headers


# --- Real exports: totals rows and damaged cells -------------------------------------------------

REPORT = ("Name,ID,Legal form,Sector,Founded,Country,Region,Area,Latitude,Longitude\n"
          "Alpha Co-op,A1,cooperative,retail,2001,GB,north_east,E08000024,54.9,-1.38\n"
          "Beta\x00 CIC,A2,cic,care,2003,GB,north_east,E08000024,54.9,-1.38\n"
          "Total Recycling CIC,A4,cic,reuse,2005,GB,north_east,E08000024,54.9,-1.38\n"
          "Gamma Ltd,A3,clg,care,2005,GB,north_east,E08000024,54.9,-1.38\n"
          "North East Total,N/a,,,,,,,,\n"
          "Sub-total,,,,,,,,,\n"
          "合計,,,,,,,,,\n"
          "Grand Total,,,,,,,,,\n")


def test_totals_rows_are_reported_once_each_and_real_names_kept():
    r = ingest.read_table(REPORT.encode(), name="report.csv", kind="enterprises")
    assert r.error is None and r.rows_read == 8
    assert r.rows_accepted == 4 and r.rows_rejected == 4
    # "Total Recycling CIC" has an ID: an enterprise, not a total
    assert r.accepted["name"].tolist() == ["Alpha Co-op", "Beta CIC", "Total Recycling CIC", "Gamma Ltd"]
    totals = [(p.row, p.value) for p in r.problems]
    assert totals == [(6, "North East Total"), (7, "Sub-total"), (8, "合計"), (9, "Grand Total")]
    assert {p.code for p in r.problems} == {"totals_row"}  # one clear reason, no per-field complaints


def test_a_nul_byte_in_a_cell_is_a_note_not_a_refused_file():
    r = ingest.read_table(REPORT.encode(), name="report.csv", kind="enterprises")
    note = next(n for n in r.notes if n.code == "control_characters")
    assert note.column == "Name" and note.rows == [3] and note.count == 1
    assert "Beta CIC" in r.accepted["name"].tolist()


def test_a_binary_file_is_still_refused():
    r = ingest.read_table(bytes(range(256)) * 40, name="x.csv")
    assert r.error_code == "not_a_table"
