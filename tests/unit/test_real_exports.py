"""Real exports as they come (issue: "real exports go in as they are"): a national co-operative
register's organisations and economy files and a LimeSurvey community-mapping export, made by
tests/fixtures/real_exports.py in the real shapes (real column names and value spellings, totals rows,
NUL bytes, carried-forward years, ambiguous towns, contact columns). Imported with no options at all,
through the same workflow as the CLI and the Upload page (regen.imports)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from regen import imports
from regen.ingest import read_table
from tests.fixtures import real_exports as rx

WRONG_TOWN_KM = 25  # a point farther than this from the enterprise's real town is in the wrong town


def km(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 6371 * 2 * np.arcsin(np.sqrt(a))


@pytest.fixture(scope="module")
def register():
    orgs, truth = rx.register_organisations()
    economy, economy_truth = rx.register_economy(truth)
    first = read_table(orgs, name="organisations.csv")
    context = imports.figure_context([first])
    figures = read_table(economy, name="economy.csv", enterprises=context)
    source = imports.FileSource
    batch = imports.collect([(source("organisations.csv", "a"), first.kind, first),
                             (source("economy.csv", "b"), figures.kind, figures)])
    return {"orgs": first, "truth": truth, "figures": figures, "economy_truth": economy_truth, "batch": batch,
            "bytes": orgs + economy}


@pytest.fixture(scope="module")
def survey():
    data, truth = rx.survey_export()
    return read_table(data, name="survey.csv"), truth


def test_register_organisations_are_kept_located_or_not(register):
    r, truth = register["orgs"], register["truth"]
    organisations = truth[truth["kind_of_row"] == "organisation"]
    assert r.error is None and r.kind == "enterprises"
    assert r.rows_accepted >= 0.95 * len(organisations)
    assert r.rows_accepted == len(organisations)  # every organisation, located or not
    totals = [p for p in r.problems if p.code == "totals_row"]
    assert sorted(p.row for p in totals) == sorted(truth.loc[truth["kind_of_row"] == "total", "file_row"])
    assert not [p for p in r.problems if not p.kept and p.code != "totals_row"]


def test_register_columns_chosen_from_the_contents(register):
    r, figures = register["orgs"], register["figures"]
    assert r.mapping["CUK Organisation ID"] == "enterprise_id" and r.mapping["Registered Number"] is None
    assert figures.mapping["Economic Year"] == "year" and figures.mapping["Year End Date"] is None
    assert {n.code for n in r.notes} >= {"id_column_chosen"}
    assert {n.code for n in figures.notes} >= {"year_column_chosen"}


def test_no_enterprise_is_placed_in_the_wrong_town(register):
    r, truth = register["orgs"], register["truth"]
    joined = r.accepted.join(truth.set_index("file_row"), how="left")
    located = joined[joined["lat"].notna()]
    assert len(located) >= 0.85 * len(joined)
    distance = km(located["lat"], located["lon"], located["true_lat"], located["true_lon"])
    wrong = located[distance > WRONG_TOWN_KM]
    assert wrong.empty, wrong[["name", "city_written", "postcode_written", "true_town"]].to_string()
    unlocated = joined[joined["lat"].isna()]
    assert set(unlocated["geo_precision"]) == {"none"}
    # "Newcastle" with no postcode to tell which: left unlocated, the candidates named in the report
    bare = joined[(joined["city_written"] == "Newcastle") & (joined["postcode_written"].fillna("") == "")]
    assert len(bare) and bare["lat"].isna().all()
    note = next(n for n in r.notes if n.code == "place_ambiguous")
    assert "Newcastle upon Tyne" in note.detail and "Northern Ireland" in note.detail
    # with its postcode area, "Newcastle" is Newcastle upon Tyne
    tyne = joined[(joined["city_written"] == "Newcastle") & joined["postcode_written"].fillna("").str.startswith("NE")]
    assert len(tyne) and (km(tyne["lat"], tyne["lon"], 54.97, -1.61) < 10).all()


def test_register_regions_and_vocabularies(register):
    a = register["orgs"].accepted
    assert set(a["country"]) == {"GB"}  # the file never says: its postcodes do
    assert (a["region"] != "unknown").mean() > 0.7  # from postcode areas that lie in one region
    assert set(a["legal_form"]) >= {"society", "clg", "company", "cic", "unincorporated", "llp", "other", "unknown"}
    other = a[a["legal_form"] == "other"]
    assert set(other["legal_form_text"]) >= {"Ltd", "Friendly Society"}  # the file's words, kept
    assert set(a["sector"]) >= {"membership", "housing", "finance", "education", "manufacturing", "professional"}


def test_control_characters_and_personal_data(register):
    r = register["orgs"]
    assert sorted(e["column"] for e in r.excluded_columns) == ["Contact Email", "Contact Name", "Contact Phone"]
    assert {n.code for n in r.notes} >= {"control_characters"}
    dumped = r.accepted.to_csv() + json.dumps(r.to_json(), ensure_ascii=False) + r.report_frame().to_csv()
    assert "\x00" not in dumped and "@example." not in dumped and "Example" not in r.accepted["name"].str.cat()
    assert not any(ch in dumped for ch in "\x07\x0b")


def test_figures_joined_to_their_enterprises(register):
    batch, truth = register["batch"], register["economy_truth"]
    assert batch.ok, batch.blockers
    figures = batch.frames["figures"]
    known = set(batch.frames["enterprises"]["enterprise_id"])
    assert set(figures["enterprise_id"]) <= known
    reported = truth[truth["known_org"] & truth["employees"].notna()]
    assert len(figures) == len(reported)
    # figures naming no organisation of the file are reported, never counted as accepted then dropped
    assert batch.unknown_figures == int((~truth["known_org"] & truth["employees"].notna()).sum())
    assert "naming no known enterprise" in batch.note
    # turnover without a currency sign takes the currency of its enterprise's country
    with_turnover = figures[figures["turnover"].notna()]
    assert len(with_turnover) >= 0.9 * truth.loc[truth["known_org"], "turnover"].notna().sum() * (
        len(figures) / max(len(reported), 1))
    assert set(with_turnover["currency"]) == {"GBP"}


def test_carried_forward_years_are_reported(register):
    figures, truth = register["figures"], register["economy_truth"]
    note = next(n for n in figures.notes if n.code == "carried_forward")
    carried = truth[truth["carried_forward"]]
    assert note.count == len(carried) and f"{carried['org_id'].nunique()} enterprise(s)" in note.message
    assert set(note.rows) <= set(carried["file_row"])
    assert set(note.rows) <= set(figures.accepted.index)  # kept, for the analyst to check


def test_the_report_says_what_was_done_with_every_row(register):
    r, figures = register["orgs"], register["figures"]
    summary = r.summary_frame("en")
    assert summary["rows"].sum() == len(r.problems)
    totals = summary[summary["reason"].str.contains("totals")].iloc[0]
    assert totals["outcome"] == "row left out" and totals["rows"] == 3 and "Grand Total" in totals["examples"]
    assert "nan" not in summary.to_csv().lower()
    assert r.rows_accepted + r.rows_rejected == r.rows_read
    left = figures.summary_frame("ja")
    assert {"行を除外"} <= set(left["outcome"]) and not left["reason"].str.contains("no_headcount").any()


def test_survey_export_as_it_comes(survey):
    r, truth = survey
    assert r.error is None and r.kind == "enterprises"
    assert r.rows_accepted == len(truth)
    assert r.mapping["address[b]"] == "place" and r.mapping["address[d]"] == "postcode"
    assert r.mapping["activity"] == "sector"
    assert set(r.accepted["country"]) == {"GB"}  # no "GB" anywhere in the file: UK postcodes say so
    assert {e["column"] for e in r.excluded_columns} >= {"contact_name", "contact_email", "contact_phone"}
    joined = r.accepted.join(truth.set_index("file_row"), how="left")
    located = joined[joined["lat"].notna()]
    assert len(located) >= 0.8 * len(joined)
    distance = km(located["lat"], located["lon"], located["true_lat"], located["true_lon"])
    assert (distance <= WRONG_TOWN_KM).all()


def test_cp1252_survey_reads_the_same(survey):
    r, _truth = survey
    data, _ = rx.survey_export(encoding="cp1252")
    again = read_table(data, name="survey.csv")
    assert again.rows_accepted == r.rows_accepted
    assert again.accepted["name"].tolist() == r.accepted["name"].tolist()
    assert not math.isnan(again.accepted["lat"].dropna().iloc[0])
    pd.testing.assert_series_equal(again.accepted["geo_precision"], r.accepted["geo_precision"])


@pytest.mark.parametrize("shape", ["onspd", "codepoint"])
def test_register_with_a_public_postcode_table_as_it_comes(register, shape):
    from regen.ingest import read_postcodes

    orgs, truth = rx.register_organisations()
    data = rx.onspd_postcodes([truth]) if shape == "onspd" else rx.codepoint_open([truth])
    table = read_postcodes(data, name=f"{shape}.csv")
    r = read_table(orgs, name="organisations.csv", postcodes=table)
    a = r.accepted.join(truth.set_index("file_row"), how="left")
    by_postcode = a[a["geo_precision"] == "postcode"]
    with_postcode = a["true_postcode"].notna() & (a["country"] == "GB")
    assert len(by_postcode) >= 0.9 * with_postcode.sum()
    distance = km(by_postcode["lat"], by_postcode["lon"], by_postcode["true_lat"], by_postcode["true_lon"])
    assert (distance <= WRONG_TOWN_KM).all()
    if shape == "onspd":  # the directory's region codes fill the regions
        assert (by_postcode["region"] == by_postcode["true_region"]).mean() > 0.95


def test_a_postcode_missing_from_the_table_is_placed_at_its_district():
    table = pd.DataFrame({"pcds": ["SR2 8QW", "SR2 8PA", "NE1 4ST"], "lat": [54.8986, 54.8990, 54.9700],
                          "long": [-1.3733, -1.3700, -1.6100]})
    data = b"Name,Postcode\nHendon Bakery,SR2 8QW\nVillette Co-op,SR2 9ZZ\nElsewhere,DH1 1AA\n"
    r = read_table(data, name="list.csv", postcodes=table)
    a = r.accepted
    assert a["geo_precision"].tolist() == ["postcode", "district", "none"]
    assert a.loc[3, "lat"] == pytest.approx((54.8986 + 54.8990) / 2)
    assert next(n for n in r.notes if n.code == "postcode_district").rows == [3]
