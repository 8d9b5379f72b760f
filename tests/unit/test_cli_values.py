"""`python -m regen import/validate --map-value FIELD:VALUE=CODE`: value codes chosen on the command line,
applied, remembered with the column mapping, and values kept as "other" listed."""

from __future__ import annotations

import json

import pytest

from regen import store
from regen.ingest import read_table

LISTING = ("ID,Name,Legal form,Sector,Founded,Country,Region,Local authority,Latitude,Longitude\n"
           "V1,Hendon Cafe,Society,Food,2015,UK,North East,Sunderland,54.8986,-1.3733\n"
           "V2,Millfield Energy,Community Interest Company,Community energy,2012,UK,North East,Sunderland,54.9060,"
           "-1.4100\n"
           "V3,Pallion Mutual,Friendly Society,Food,2010,UK,North East,Sunderland,54.9000,-1.3800\n"
           "V4,Deptford Reuse,society,Reuse,2019,UK,North East,Sunderland,54.9100,-1.3900\n"
           "V5,Ryhope Bakery,Society,Food,2020,UK,North East,Sunderland,54.8700,-1.3600\n")


@pytest.fixture
def listing(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(LISTING, encoding="utf-8")
    return path


def legal_forms(engine, version: int) -> dict[str, tuple]:
    ent = store.load_dataset(engine, "main", version).enterprises.set_index("enterprise_id")
    return {i: (ent.at[i, "legal_form"], None if ent.at[i, "legal_form_text"] is None
                or ent.at[i, "legal_form_text"] != ent.at[i, "legal_form_text"] else ent.at[i, "legal_form_text"])
            for i in ent.index}


def test_import_map_value_applies_is_remembered_and_lists_other(run, engine, listing):
    result = run("import", str(listing), "--map-value", "legal_form:SOCIETY=cbs")
    assert result.exit_code == 0, result.output
    assert legal_forms(engine, 1) == {"V1": ("cbs", None), "V2": ("cic", None), "V3": ("other", "Friendly Society"),
                                      "V4": ("cbs", None), "V5": ("cbs", None)}  # both spellings of "society"
    assert "values kept as other" in result.output
    assert "legal_form: 'Friendly Society' (1 row)" in result.output
    signature = read_table(listing).signature
    # remembered as written in the file (of its two spellings, the more frequent)
    assert store.recall_values(engine, signature, "enterprises") == {"legal_form": {"Society": "cbs"}}
    assert store.audit(engine, limit=1).iloc[0]["actor"] == "tester"

    # The next file with these headers starts from the choice; --map-value on top of it; --proposed-mapping ignores it.
    result = run("import", str(listing), "--map-value", "legal_form:Friendly Society=other", "--map-value",
                 "legal_form:Friendly Society=cbs")  # the later option wins
    assert result.exit_code == 0, result.output
    assert "using the value codes remembered" in result.output
    assert set(legal_forms(engine, 2).values()) == {("cbs", None), ("cic", None)}
    assert "kept as other" not in result.output
    assert store.recall_values(engine, signature, "enterprises") == {
        "legal_form": {"Society": "cbs", "Friendly Society": "cbs"}}
    result = run("import", str(listing), "--proposed-mapping")
    assert result.exit_code == 0 and "remembered" not in result.output
    assert legal_forms(engine, 3)["V1"] == ("society", None)


def test_import_map_value_naming_a_value_not_in_the_file_warns(run, engine, listing):
    result = run("import", str(listing), "--map-value", "sector:Basket weaving=arts")
    assert result.exit_code == 0, result.output
    assert "--map-value sector:Basket weaving: the file has no such sector value" in result.output


@pytest.mark.parametrize("spec,message", [
    ("legal_form:Society=limited", "'limited' is not a legal_form code; expected one of cic, "),
    ("colour:Society=cbs", "expected one of legal_form, sector, region, country"),
    ("legal_form=cbs", "expected FIELD:VALUE=CODE"),
])
def test_a_bad_map_value_is_a_usage_error(run, engine, listing, spec, message):
    result = run("import", str(listing), "--map-value", spec)
    assert result.exit_code == 2  # click's usage error, before anything is read or written
    assert "Invalid value for '--map-value'" in result.output and message in result.output
    assert "Traceback" not in result.output
    assert store.list_datasets(engine).empty and store.list_mappings(engine).empty
    result = run("validate", str(listing), "--map-value", spec)
    assert result.exit_code == 2 and message in result.output


def test_validate_map_value(run, engine, listing):
    result = run("validate", str(listing), "--json", "--map-value", "legal_form:Friendly Society=cbs")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    rows = {r["value"]: r for r in payload["values"]["legal_form"]}
    assert (rows["Friendly Society"]["code"], rows["Friendly Society"]["proposed"]) == ("cbs", "other")
    assert rows["Friendly Society"]["mapped"] is True
    result = run("validate", str(listing))
    assert result.exit_code == 0, result.output
    assert "Values kept as other" in result.output and "legal_form: 'Friendly Society' (1 row)" in result.output
    assert store.list_mappings(engine).empty  # validate stores nothing
