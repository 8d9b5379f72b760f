"""Value mapping ("Friendly Society" → other): the pure helpers of regen.ingest.values, and value choices
remembered in the store with the column mapping (on SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sqlalchemy as sa

from regen import store, vocab
from regen.ingest import mapping_signature
from regen.ingest import values as V
from regen.places import REGIONS
from regen.store import StoreError


def frame(rows: list[tuple]) -> pd.DataFrame:
    """A values frame as ``IngestResult.values`` holds one: (value, count, code, proposed[, mapped])."""
    out = pd.DataFrame([r[:4] for r in rows], columns=["value", "count", "code", "proposed"])
    out["mapped"] = [r[4] if len(r) > 4 else r[2] != r[3] for r in rows]
    return out


LEGAL = frame([("Society", 2, "cbs", "society", True), ("Community Interest Company", 1, "cic", "cic"),
               ("Friendly Society", 1, "other", "other")])


# ---- allowed codes, labels ---------------------------------------------------------------------------

def test_allowed_codes_per_field():
    legal = V.allowed_codes("legal_form")
    assert set(vocab.ALL_LEGAL_FORMS) <= set(legal) and {"other", "unknown"} <= set(legal)
    assert len(legal) == len(set(legal))  # no code twice
    sector = V.allowed_codes("sector")
    assert set(vocab.SECTORS) <= set(sector) and {"other", "unknown"} <= set(sector)
    assert set(REGIONS) <= set(V.allowed_codes("region")) and "north_east" in V.allowed_codes("region")
    assert V.allowed_codes("country") == tuple(vocab.COUNTRIES)
    with pytest.raises(ValueError, match="legal_form, sector, region, country"):
        V.allowed_codes("employees")


def test_code_labels_in_both_languages():
    assert V.code_label("legal_form", "other", "en") == "Other legal form"
    assert V.code_label("legal_form", "other", "ja") == "その他の法人格"
    assert V.code_label("region", "north_east", "ja") == "北東イングランド"
    assert V.code_label("country", "JP", "en") == "Japan"
    assert V.code_label("sector", "no_such_code", "en") == "no_such_code"


# ---- --map-value FIELD:VALUE=CODE ---------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("legal_form:Friendly Society=other", ("legal_form", "Friendly Society", "other")),
    ("legal_form:Society=cbs", ("legal_form", "Society", "cbs")),
    ("Legal form: a:b = c =CBS", ("legal_form", "a:b = c", "cbs")),  # VALUE holds ':' and '='; loose FIELD/CODE
    ("sector:Insurance & pensions=finance", ("sector", "Insurance & pensions", "finance")),
    ("region:NE England=North East", ("region", "NE England", "north_east")),
    ("country:Nihon=jp", ("country", "Nihon", "JP")),
    ("country:=GB", ("country", "", "GB")),  # blank cells
    ("legal_form:法人格なし=unknown", ("legal_form", "法人格なし", "unknown")),
])
def test_parse_map_value(text, expected):
    assert V.parse_map_value(text) == expected


@pytest.mark.parametrize("text,message", [
    ("legal_form=cbs", "expected FIELD:VALUE=CODE"),
    ("legal_form:Society", "expected FIELD:VALUE=CODE"),
    ("", "expected FIELD:VALUE=CODE"),
    ("colour:red=blue", "expected one of legal_form, sector, region, country"),
    ("legal_form:Society=limited", "'limited' is not a legal_form code; expected one of cic, "),
    ("country:UK=UK", "expected one of GB, JP"),
    ("sector:Food=", "no code after '='"),
    ("legal_form:" + "x" * 201 + "=other", "longer than 200 characters"),
])
def test_parse_map_value_errors_are_plain(text, message):
    with pytest.raises(ValueError) as err:
        V.parse_map_value(text)
    assert message in str(err.value)
    assert "Traceback" not in str(err.value)


# ---- checking, merging, what changed, what to remember -------------------------------------------------

def test_check_values_reports_unknown_fields_and_codes():
    kept, rejected = V.check_values({"legal_form": {" Society ": "CBS", "Guild": "guild"}, "colour": {"red": "x"},
                                     "country": {"UK": "GB"}, "sector": {"x" * 300: "care"}})
    assert kept == {"legal_form": {"Society": "cbs"}, "country": {"UK": "GB"}}
    assert sorted(rejected) == sorted([("legal_form", "Guild", "guild"), ("colour", "red", "x"),
                                       ("sector", "x" * 300, "care")])
    assert V.check_values(None) == ({}, [])


def test_merge_values_corrections_win_however_written():
    remembered = {"legal_form": {"Society": "cbs", "Guild": "cooperative"}, "sector": {"Insurance": "finance"}}
    corrections = {"legal_form": {"SOCIETY ": "cooperative"}, "country": {"UK": "GB"}}
    merged = V.merge_values(remembered, corrections)
    assert merged == {"legal_form": {"Guild": "cooperative", "SOCIETY": "cooperative"},
                      "sector": {"Insurance": "finance"}, "country": {"UK": "GB"}}
    assert list(merged) == ["legal_form", "sector", "country"]  # FIELDS order
    assert remembered["legal_form"]["Society"] == "cbs"  # arguments unchanged
    assert V.merge_values(None, None) == {}


def test_changed_values_are_the_rows_not_as_proposed():
    frames = {"legal_form": LEGAL, "sector": frame([("Food", 3, "food", "food")]),
              "country": frame([("", 2, "GB", "unknown"), ("UK", 1, "GB", "GB")])}
    assert V.changed_values(frames) == {"legal_form": {"Society": "cbs"}, "country": {"": "GB"}}
    assert V.changed_values({}) == {} and V.changed_values(None) == {}
    assert V.changed_values({"legal_form": pd.DataFrame()}) == {}


def test_values_to_remember_keeps_other_files_choices_and_drops_put_back_ones():
    before = {"legal_form": {"Guild": "cooperative", "Society": "cbs", "Charitable trust": "charity"}}
    now = frame([("Society", 2, "society", "society"),  # put back to the proposal: forgotten
                 ("Friendly Society", 1, "cbs", "other"),  # newly chosen
                 ("Charitable Trust", 1, "charity", "other")])  # still chosen (written otherwise)
    assert V.values_to_remember(before, {"legal_form": now}) == {
        "legal_form": {"Guild": "cooperative", "Friendly Society": "cbs", "Charitable Trust": "charity"}}
    assert V.values_to_remember(None, {"legal_form": LEGAL}) == {"legal_form": {"Society": "cbs"}}
    assert V.values_to_remember(before, None) == before


def test_same_values_compares_as_the_reader_matches():
    assert V.same_values({"legal_form": {"Society": "cbs"}}, {"legal_form": {" society": "CBS"}})
    assert not V.same_values({"legal_form": {"Society": "cbs"}}, {"legal_form": {"Society": "cic"}})
    assert V.same_values({}, None)


def test_kept_as_other_lists_values_with_counts():
    frames = {"sector": frame([("Misc", 1, "other", "other"), ("Various", 4, "other", "other")]),
              "legal_form": LEGAL}
    assert V.kept_as_other(frames) == [("legal_form", "Friendly Society", 1), ("sector", "Various", 4),
                                       ("sector", "Misc", 1)]
    assert V.kept_as_other(None) == []


def test_json_round_trip_and_tolerance():
    values = {"legal_form": {"Friendly Society": "cbs", "法人格なし": "unknown"}, "region": {"NE": "north_east"}}
    text = V.to_json(values)
    assert "法人格なし" in text  # readable text, not \\u escapes
    assert V.from_json(text) == values
    assert V.from_json(json.loads(text)) == values
    assert V.from_json("{not json") == {} and V.from_json(None) == {} and V.from_json("[1, 2]") == {}
    assert V.from_json('{"legal_form": {"X": "gone_code"}, "sector": {"Y": "care"}}') == {"sector": {"Y": "care"}}


# ---- the store: value choices remembered with the column mapping ------------------------------------------

HEADERS = ["ID", "Name", "Legal form", "Sector", "Country"]
MAPPING = {"ID": "enterprise_id", "Name": "name", "Legal form": "legal_form", "Sector": "sector", "Country": "country"}
SIG = mapping_signature(HEADERS)
CHOICES = {"legal_form": {"Friendly Society": "cbs", "Society": "cooperative"}, "country": {"Nihon": "JP"}}


def stored_text(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.select(store.mappings_table.c.mapping)).scalar_one()


def test_store_round_trip_of_value_choices(store_engine):
    assert store.recall_values(store_engine, SIG, "enterprises") == {}
    store.remember_mapping(store_engine, SIG, "enterprises", MAPPING, actor="ana", values=CHOICES)
    assert store.recall_mapping(store_engine, SIG, "enterprises") == MAPPING  # the column mapping as before
    assert list(store.recall_mapping(store_engine, SIG, "enterprises")) == HEADERS
    assert store.recall_values(store_engine, SIG, "enterprises") == CHOICES
    assert store.recall_values(store_engine, SIG, "figures") == {}  # per kind
    assert "Friendly Society" in stored_text(store_engine)
    listed = store.list_mappings(store_engine)
    assert listed.iloc[0]["columns_mapped"] == 5  # the choices are not a column
    entry = store.audit(store_engine).iloc[0]
    assert (entry["action"], entry["actor"]) == ("remember_mapping", "ana")
    assert entry["detail"] == f"enterprises {SIG}: 5 of 5 columns mapped; 3 values mapped"

    # A later mapping without values keeps the choices; {} forgets them.
    store.remember_mapping(store_engine, SIG, "enterprises", {**MAPPING, "Country": None}, actor="ben")
    assert store.recall_values(store_engine, SIG, "enterprises") == CHOICES
    assert store.recall_mapping(store_engine, SIG, "enterprises")["Country"] is None
    store.remember_mapping(store_engine, SIG, "enterprises", MAPPING, actor="ben", values={})
    assert store.recall_values(store_engine, SIG, "enterprises") == {}
    assert store.recall_mapping(store_engine, SIG, "enterprises") == MAPPING


def test_an_old_format_mapping_is_still_recalled(store_engine):
    """A mapping stored before value choices existed: the plain {header: field} object."""
    store.remember_mapping(store_engine, SIG, "enterprises", MAPPING, actor="ana")
    assert json.loads(stored_text(store_engine)) == MAPPING  # without choices the stored text is as before
    with store_engine.begin() as conn:
        conn.execute(sa.update(store.mappings_table).values(mapping=json.dumps({**MAPPING, "Sector": "gone_field"})))
    assert store.recall_mapping(store_engine, SIG, "enterprises") == {**MAPPING, "Sector": None}
    assert store.recall_values(store_engine, SIG, "enterprises") == {}
    # Choices for fields or codes no longer known (another release) are left out, never an error.
    with store_engine.begin() as conn:
        conn.execute(sa.update(store.mappings_table).values(mapping=json.dumps(
            {**MAPPING, store.VALUES_KEY: {"legal_form": {"Guild": "gone_code", "Society": "cbs"}, "colour": {}}})))
    assert store.recall_values(store_engine, SIG, "enterprises") == {"legal_form": {"Society": "cbs"}}
    assert store.recall_mapping(store_engine, SIG, "enterprises") == MAPPING


def test_invalid_value_choices_write_nothing(store_engine):
    for bad in ({"legal_form": {"Society": "limited"}}, {"colour": {"red": "x"}}, {"sector": {"x" * 201: "care"}},
                ["legal_form"]):
        with pytest.raises(StoreError, match="value choices"):
            store.remember_mapping(store_engine, SIG, "enterprises", MAPPING, actor="ana", values=bad)
    with pytest.raises(StoreError, match="reserved"):
        store.remember_mapping(store_engine, SIG, "enterprises", {store.VALUES_KEY: "name"}, actor="ana")
    with pytest.raises(StoreError):
        store.remember_mapping(store_engine, SIG, "enterprises", MAPPING, actor=" ", values=CHOICES)  # an actor
    assert store.recall_mapping(store_engine, SIG, "enterprises") is None
    assert store.list_mappings(store_engine).empty
