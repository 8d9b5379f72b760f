"""The upload page and the dataset selector: sign-in, reading uploads, publishing, versions, rollback.

Every test runs against its own empty store (``store_url`` in conftest.py sets $REGEN_DATABASE_URL).
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict

import pandas as pd
import pytest

from regen import auth, i18n, store
from regen_app import state as keys
from regen_app import upload
from regen_app.setup import literal

from .conftest import open_page
from .helpers import (
    PASSWORD, USER, frames, mapping_table, metric_values, sign_in, signed_in_page, table_with, text_of, upload_files,
)

MESSY = (
    "\ufeffSocial enterprises export (March)\n"
    "ID,Name,Legal form,Sector,Founded,Country,Region,Local authority,Latitude,Longitude,Contact email,Employees,Year\n"
    "T1,Hendon Café,CIC,Food,03/04/2015,UK,North East,Sunderland,54.8986,-1.3733,a@b.org,12,2023\n"
    "T2,Millfield Energy,Co-op,Community energy,2012,UK,North East,Sunderland,54.9060,-1.4100,c@d.org,5,2023\n"
    "T3,Bad Year CIC,CIC,Food,1700,UK,North East,Sunderland,54.9000,-1.3800,e@f.org,3,2023\n"
    "T4,=Formula CIC,CIC,Reuse,2019,UK,North East,Sunderland,54.9100,-1.3900,g@h.org,7,2023\n"
).encode("utf-8")

BY_POSTCODE = (
    "Name,Legal form,Sector,Founded,Postcode,Region,Local authority\n"
    "Hendon Café,CIC,Food,2015,SR2 8QW,North East,Sunderland\n"
    "Millfield Reuse,Co-operative,Reuse and repair,2010,SR4 6JT,North East,Sunderland\n"
).encode("utf-8")
POSTCODES = b"postcode,lat,lon\nSR2 8QW,54.8986,-1.3733\nSR4 6JT,54.9060,-1.4100\n"


# ---- sign-in ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "ja"])
def test_without_sign_in_the_form_shows_and_no_uploader(analyst, lang):
    at = open_page("upload", {"lang": lang} if lang != "en" else None)
    assert not at.exception, at.exception
    assert i18n.t("upload.title", lang) in text_of(at)
    assert [t.label for t in at.text_input] == [i18n.t("signin.username", lang), i18n.t("signin.password", lang)]
    assert len(at.file_uploader) == 0
    assert at.get("form_submit_button")[0].label == i18n.t("signin.submit", lang)
    menu = [link.label for link in at.sidebar.get("page_link")]
    assert menu[-1] == i18n.t("nav.upload", lang)


def test_without_any_account_the_page_says_how_to_create_one(engine):
    at = open_page("upload")
    assert not at.exception
    assert i18n.t("signin.no_accounts", "en") in text_of(at)
    assert "python -m regen user add NAME" in [c.value for c in at.code]
    assert len(at.text_input) == 0 and len(at.file_uploader) == 0


def test_single_sign_on_replaces_the_password_form(analyst):
    from streamlit.testing.v1 import AppTest

    from .conftest import ROOT

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "regen", "client_secret": "not-a-real-secret",
                          "server_metadata_url": "https://login.example.org/.well-known/openid-configuration"}
    at.run()
    at.switch_page("pages/4_upload.py").run()
    assert not at.exception, at.exception
    assert [b.label for b in at.main.button] == [i18n.t("signin.sso_button", "en")]
    assert len(at.text_input) == 0 and len(at.file_uploader) == 0


def test_wrong_password_is_refused(analyst, engine):
    at = open_page("upload")
    sign_in(at, USER, "not the password")
    assert i18n.t("signin.failed", "en") in [e.value for e in at.error]
    assert keys.ANALYST not in at.session_state
    assert len(at.file_uploader) == 0
    assert store.audit(engine, limit=1)["action"].iloc[0] == "login_failed"
    assert "not the password" not in repr(at.session_state._state)  # the form is cleared when submitted
    assert at.text_input[1].value == ""


def test_repeated_failures_lock_the_account(analyst, engine):
    at = open_page("upload")
    for _ in range(auth.MAX_FAILURES):
        sign_in(at, USER, "not the password")
    errors = [e.value for e in at.error]
    assert any(e.startswith(i18n.t("signin.locked", "en", minutes=1).split(":")[0]) for e in errors), errors
    sign_in(at, USER, PASSWORD)  # even the right password waits until the lock ends
    assert keys.ANALYST not in at.session_state and len(at.file_uploader) == 0


def test_sign_in_shows_the_uploader_and_keeps_no_password(analyst):
    at = signed_in_page()
    assert not at.exception, at.exception
    assert at.session_state[keys.ANALYST] == USER
    assert len(at.file_uploader) == 1
    assert i18n.t("signin.as", "en", name=USER) in text_of(at)
    held = repr(at.session_state._state)  # every value the session holds, widgets without keys included
    assert "_analyst" in held and PASSWORD not in held
    at.button(key="sign_out").click().run()
    assert keys.ANALYST not in at.session_state and len(at.file_uploader) == 0


# ---- uploading -------------------------------------------------------------------------------------

def test_messy_file_report_then_publish(analyst, engine):
    at = upload_files(signed_in_page(), ("messy.csv", MESSY))
    values = metric_values(at)
    # The year 1700 is left out; the row is kept with everything else it says
    assert (values["Rows read"], values["Rows kept"], values["Rows left out"]) == ("4", "4", "0")
    assert values["Values left out (rows kept)"] == "1"
    summary = next(df.value for df in at.dataframe if "What happened" in df.value.columns)
    assert summary.iloc[0].tolist() == ["value left out, row kept", "outside the allowed range (1800 to 2100)",
                                        "Founded", 1, "row 5: 1700"]
    assert "UTF-8 (BOM)" in text_of(at) and "header on row 2" in text_of(at)
    problems = next(df.value for df in at.dataframe if "Row in file" in df.value.columns)
    assert problems["Row in file"].tolist() == [5]  # the file's own row number: title line, header, 3 rows
    assert "allowed range" in problems["Reason"].iloc[0]
    excluded = [w.value for w in at.warning if "personal data" in w.value]
    assert excluded and "Contact email" in excluded[0]
    mapping = mapping_table(at)
    assert "Contact email" not in mapping  # never offered for reading
    assert mapping["Local authority"] == "area" and mapping["Founded"] == "founded"
    assert at.get("download_button")

    at.button(key="publish_button").click().run()
    assert not at.exception, at.exception
    assert i18n.t("upload.done.published", "en", name="main", version=1) in text_of(at)
    versions = store.list_versions(engine, "main")
    row = versions.iloc[0]
    assert (row["status"], row["created_by"], row["file_name"]) == ("published", USER, "messy.csv")
    assert row["checksum"] == hashlib.sha256(MESSY).hexdigest()
    assert (row["rows_enterprises"], row["rows_figures"]) == (4, 4)
    published = store.load_dataset(engine, "main")
    assert "=Formula CIC" in set(published.enterprises["name"])  # stored as typed
    assert at.sidebar.selectbox(key=keys.DATA).value == "main"  # the new dataset is now shown
    assert len(at.file_uploader) == 1 and not at.file_uploader[0].value  # a fresh chooser
    at.switch_page("dashboard.py").run()
    assert "Data: **main**, version 1" in text_of(at)
    assert i18n.t("sample.banner", "en") not in text_of(at)


def test_a_large_list_is_previewed_as_hexagons(analyst, monkeypatch):
    from regen import charts

    monkeypatch.setattr(charts, "POINT_LIMIT", 50)  # the page reads the limit at run time
    listing = frames(120, "H")["enterprises"]
    at = upload_files(signed_in_page(), ("big.csv", listing.to_csv(index=False).encode()))
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    preview = next(spec for spec in specs if spec["layout"].get("map"))
    assert [trace["type"] for trace in preview["data"] if trace.get("name") != "extent"] == ["choroplethmap"]
    assert len(preview["data"][0]["locations"]) >= 1
    assert i18n.t("upload.preview_map", "en", n="120") in text_of(at)
    assert "Hexagons are H3 cells" in text_of(at)


def test_japanese_report(analyst):
    at = upload_files(signed_in_page({"lang": "ja"}), ("messy.csv", MESSY))
    values = metric_values(at)
    assert values[i18n.t("upload.rows_rejected", "ja")] == "0"
    assert values[i18n.t("upload.values_left_out", "ja")] == "1"
    summary = next(df.value for df in at.dataframe if i18n.t("upload.summary_col.outcome", "ja") in df.value.columns)
    assert summary.iloc[0, 0] == i18n.t("report.kept", "ja") and summary.iloc[0, -1] == "5行目: 1700"
    problems = next(df.value for df in at.dataframe if i18n.t("upload.problem_col.row", "ja") in df.value.columns)
    assert problems[i18n.t("upload.problem_col.reason", "ja")].iloc[0].startswith(i18n.t("problem.out_of_range", "ja"))
    assert any(i18n.t("upload.personal.email_addresses", "ja") in str(v) for df in at.dataframe
               for v in df.value.to_numpy().ravel())


def test_unreadable_file_shows_the_error_and_stores_nothing(analyst, engine):
    at = upload_files(signed_in_page(), ("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary"))
    errors = [e.value for e in at.error]
    assert i18n.t("error.not_a_table", "en") in errors
    assert i18n.t("upload.block.unreadable", "en", name=literal("report.csv")) in errors
    assert at.button(key="publish_button").disabled and at.button(key="draft_button").disabled
    assert store.list_datasets(engine).empty


def test_postcode_table_places_enterprises(analyst, engine):
    at = upload_files(signed_in_page(), ("enterprises.csv", BY_POSTCODE), ("postcode-lookup.csv", POSTCODES))
    assert at.selectbox(key=f"role_{upload.Upload('postcode-lookup.csv', POSTCODES).key}").value == "postcodes"
    values = metric_values(at)
    assert values["Rows kept"] == "2" and values["Rows left out"] == "0"
    counts = next(df.value for df in at.dataframe if "Placed at" in df.value.columns)
    assert counts.set_index("Placed at").loc[i18n.label("precision", "postcode", "en"), "Enterprises"] == 2
    at.text_input(key="publish_name").input("pilot")
    at.button(key="draft_button").click().run()
    row = store.list_versions(engine, "pilot").iloc[0]
    assert row["status"] == "draft" and row["file_name"] == "enterprises.csv, postcode-lookup.csv"
    assert store.published_version(engine, "pilot") is None
    assert store.postcode_table_info(engine)["source"] == "postcode-lookup.csv"  # stored once, with the draft
    # A later upload without a table: the stored one places the rows, and the page says so
    at = upload_files(signed_in_page({"lang": "ja"}), ("enterprises.csv", BY_POSTCODE))
    assert i18n.t("upload.postcodes_stored", "ja", n="2", source=literal("postcode-lookup.csv"),
                  at=f"{store.postcode_table_info(engine)['at']:%Y-%m-%d}") in text_of(at)
    counts = next(df.value for df in at.dataframe if i18n.t("upload.precision_col.precision", "ja") in df.value.columns)
    assert counts.iloc[0].tolist()[-1] == 2


def test_excel_list_and_gzipped_figures_make_one_version(analyst, engine):
    import gzip
    import io

    book = io.BytesIO()
    pd.DataFrame({
        "Ref": ["X1", "X2"], "Organisation": ["Hendon Café", "Millfield Reuse"], "Legal form": ["CIC", "CIC"],
        "Sector": ["Food", "Reuse"], "Founded": [2015, 2010], "Country": ["UK", "UK"], "Region": ["North East"] * 2,
        "Local authority": ["Sunderland"] * 2, "Latitude": [54.8986, 54.9060], "Longitude": [-1.3733, -1.4100],
    }).to_excel(book, index=False)
    figures = gzip.compress("Enterprise ID\tYear\tEmployees\nX1\t2022\t4\nX1\t2023\t6\nX2\t2023\t9\n".encode())
    at = upload_files(signed_in_page(), ("list.xlsx", book.getvalue()), ("figures.tsv.gz", figures))
    assert not [e.value for e in at.error]
    kinds = [s.value for s in at.selectbox if s.key and s.key.startswith("role_")]
    assert kinds == ["enterprises", "figures"]
    assert "XLSX" in text_of(at) and "CSV (gzip)" in text_of(at)
    at.button(key="publish_button").click().run()
    row = store.list_versions(engine, "main").iloc[0]
    assert (row["rows_enterprises"], row["rows_figures"], row["status"]) == (2, 3, "published")
    assert row["file_name"] == "list.xlsx, figures.tsv.gz"


def test_an_unreachable_store_leaves_exploring_working(monkeypatch):
    monkeypatch.setenv("REGEN_DATABASE_URL", "nosuchdriver://nowhere/db")
    at = open_page("upload")
    assert not at.exception, at.exception
    assert i18n.t("upload.store_unavailable", "en") in [e.value for e in at.error]
    assert len(at.text_input) == 0
    at = open_page("overview")
    assert not at.exception and i18n.t("sample.banner", "en") in text_of(at)


def test_two_lists_of_the_same_kind_cannot_be_published(analyst):
    at = upload_files(signed_in_page(), ("a.csv", MESSY), ("b.csv", MESSY.replace(b"T1,", b"T9,")))
    assert i18n.t("upload.block.same_kind", "en", kind=i18n.t("upload.role.enterprises", "en")) in text_of(at)
    assert at.button(key="publish_button").disabled


def test_reserved_dataset_name_is_refused(analyst, engine):
    at = upload_files(signed_in_page(), ("messy.csv", MESSY))
    at.text_input(key="publish_name").input("sample")
    at.button(key="publish_button").click().run()
    assert i18n.t("upload.name_reserved", "en", name="sample") in [e.value for e in at.error]
    assert store.list_datasets(engine).empty


def test_a_corrected_mapping_is_remembered_for_the_same_shape(analyst):
    at = signed_in_page()
    signature = upload.read(upload.Upload("messy.csv", MESSY)).signature
    proposed = upload.read(upload.Upload("messy.csv", MESSY)).mapping
    corrected = {c: f for c, f in proposed.items() if c != "Contact email"} | {"Sector": None}
    at.session_state[keys.MAPPINGS] = {(signature, "enterprises"): corrected}
    upload_files(at, ("messy.csv", MESSY))
    assert i18n.t("upload.mapping_remembered", "en") in text_of(at)
    mapping = mapping_table(at)
    assert mapping["Sector"] == upload.IGNORE and mapping["Name"] == "name"


def test_a_corrected_mapping_saved_is_proposed_in_a_new_session(analyst, engine):
    u = upload.Upload("messy.csv", MESSY)
    proposed = upload.read(u)
    corrected = {c: f for c, f in proposed.mapping.items() if c != "Contact email"} | {"Employees": None, "Year": None}
    at = signed_in_page()
    at.session_state[keys.MAPPINGS] = {(proposed.signature, "enterprises"): corrected}  # as the mapping editor does
    upload_files(at, ("messy.csv", MESSY))
    assert store.recall_mapping(engine, proposed.signature, "enterprises") is None  # nothing stored before a save
    at.button(key="draft_button").click().run()
    assert not at.exception, at.exception
    assert store.recall_mapping(engine, proposed.signature, "enterprises") == {c: f for c, f in corrected.items() if f}
    last = store.audit(engine, limit=5)
    assert ("remember_mapping", USER) in set(zip(last["action"], last["actor"]))

    fresh = signed_in_page()  # another session (as after a restart): its own memory is empty
    assert keys.MAPPINGS not in fresh.session_state
    upload_files(fresh, ("messy.csv", MESSY))
    assert i18n.t("upload.mapping_remembered", "en") in text_of(fresh)
    mapping = mapping_table(fresh)
    assert mapping["Employees"] == mapping["Year"] == upload.IGNORE and mapping["Name"] == "name"
    assert "Contact email" not in mapping


def test_a_mapping_is_stored_only_when_the_next_upload_would_start_from_another(analyst, engine):
    u = upload.Upload("messy.csv", MESSY)
    proposed = upload.read(u)
    batch = upload.collect([(u, "enterprises", proposed)])
    assert upload.remember_mappings(engine, batch, actor=USER) == []  # as proposed: nothing to remember
    corrected = {c: f for c, f in proposed.mapping.items() if c != "Contact email"} | {"Employees": None, "Year": None}
    batch = upload.collect([(u, "enterprises", upload.read(u, kind="enterprises", mapping=corrected))])
    assert upload.remember_mappings(engine, batch, actor=USER) == [proposed.signature]
    assert upload.remember_mappings(engine, batch, actor=USER) == []  # stored already
    recalled = upload.recall(engine, proposed, "enterprises", {})
    assert list(recalled) == proposed.headers and upload.same_mapping(recalled, corrected)
    assert upload.recall(engine, proposed, "figures", {}) is None  # remembered per kind
    session = {(proposed.signature, "enterprises"): {"Name": "name"}}
    assert upload.recall(engine, proposed, "enterprises", session) == {"Name": "name"}  # session first
    assert upload.recall(engine, proposed, "figures", session) is None  # ... for the kind it was made for
    batch = upload.collect([(u, "enterprises", proposed)])  # back to the proposal: remembered as such
    assert upload.remember_mappings(engine, batch, actor=USER) == [proposed.signature]
    assert upload.same_mapping(store.recall_mapping(engine, proposed.signature, "enterprises"), proposed.mapping)


# ---- helpers behind the page (what the editor and buttons call) ---------------------------------------

def test_a_file_without_a_header_row_leaves_no_mapping_behind(analyst, engine):
    """Its first row of data stands in for headers (a contact's name among them): nothing of it is kept."""
    rows = ("Hendon Cafe,Jane Smith,CIC,Food,2015,GB,north_east,E08000024,54.90,-1.37\n"
            "Millfield Energy,Sam Jones,Co-op,Food,2012,GB,north_east,E08000024,54.91,-1.41\n").encode()
    u = upload.Upload("nohead.csv", rows)
    first = upload.read(u, kind="enterprises")
    corrected = {h: None for h in first.mapping} | {"Hendon Cafe": "name", "CIC": "legal_form"}
    batch = upload.Batch(mappings=[(u, "enterprises", first.signature, corrected)])
    assert upload.remember_mappings(engine, batch, actor=USER) == []
    assert store.list_mappings(engine).empty


def test_mapping_correction_rereads_the_file():
    u = upload.Upload("messy.csv", MESSY)
    memo: dict = {}
    first = upload.read(u, memo=memo)
    frame = upload.mapping_frame(first)
    assert "Contact email" not in frame["column"].tolist()
    frame.loc[frame["column"] == "Latitude", "field"] = None  # an analyst clears two columns
    frame.loc[frame["column"] == "Longitude", "field"] = None
    mapping = upload.mapping_from_frame(frame)
    assert not upload.same_mapping(mapping, first.mapping)
    again = upload.read(u, kind=first.kind, mapping=mapping, memo=memo)
    assert again.mapping["Latitude"] is None and again.rows_read == first.rows_read
    assert (again.accepted["geo_precision"] != "exact").all()  # placed by area, not by coordinates
    assert upload.read(u, kind=first.kind, mapping=mapping, memo=memo) is again  # memoised


def test_detection_serves_the_reading_as_its_kind(monkeypatch):
    u = upload.Upload("messy.csv", MESSY)
    memo: OrderedDict = OrderedDict()
    kinds = []
    real = upload.read_table
    monkeypatch.setattr(upload, "read_table", lambda *a, **k: kinds.append(k["kind"]) or real(*a, **k))
    detected = upload.detect(u, memo)
    assert upload.read(u, kind=detected.role, memo=memo) is detected.result
    assert kinds == [None]  # a large file is read once, not twice


def test_memo_forgets_other_files_and_keeps_within_its_row_budget(monkeypatch):
    a, b = upload.Upload("a.csv", MESSY), upload.Upload("b.csv", MESSY + b"\n")  # other bytes: another file
    memo: OrderedDict = OrderedDict()
    upload.detect(a, memo)
    upload.detect(b, memo)
    upload.forget_others(memo, [b])  # a is no longer chosen
    assert memo and {k[1] for k in memo} == {b.key}
    monkeypatch.setattr(upload, "MEMO_ROWS", 4)  # room for one result of the 4-row file
    newest = upload.read(a, kind="figures", memo=memo)
    assert newest.rows_read == 4 and list(memo.values()) == [newest]  # the least recently used went first


def test_collect_takes_figures_from_the_list_and_save_records_files(engine):
    u = upload.Upload("messy.csv", MESSY)
    result = upload.read(u)
    batch = upload.collect([(u, "enterprises", result)])
    assert batch.ok and batch.derived_figures and set(batch.frames) == {"enterprises", "figures"}
    assert batch.problem_rows == 0 and batch.values_left_out == 1
    number = upload.save(engine, batch, "main", actor=USER, publish=False)
    row = store.list_versions(engine, "main").iloc[0]
    assert number == 1 and row["status"] == "draft" and row["created_by"] == USER
    assert "1 value(s) left out of rows that were kept" in row["note"]
    assert upload.collect([(u, None, result)]).blockers == [("no_kind", "messy.csv")]
    assert upload.check_name("Sample") == "name_reserved" and upload.check_name("bad name") == "name_invalid"


# ---- versions, publish, rollback -------------------------------------------------------------------

def test_versions_publish_and_roll_back_buttons(analyst, engine):
    store.create_version(engine, "main", frames(2, "A"), actor="cli", publish=True)
    store.create_version(engine, "main", frames(3, "B"), actor="cli", publish=True)
    store.create_version(engine, "main", frames(4, "C"), actor="cli", publish=False)
    at = signed_in_page()
    table = table_with(at, "Status")
    assert table["Version"].tolist() == [3, 2, 1]
    assert table["Status"].tolist() == ["draft", "published", "archived"]

    at.button(key="rollback_button").click().run()
    assert not at.exception, at.exception
    assert store.published_version(engine, "main") == 1
    assert i18n.t("upload.done.rolled_back", "en", name="main", version=1) in text_of(at)
    last = store.audit(engine, dataset="main", limit=1).iloc[0]
    assert (last["action"], last["actor"]) == ("rollback", USER)

    at.selectbox(key="version_to_publish").set_value(3).run()
    at.button(key="publish_version_button").click().run()
    assert store.published_version(engine, "main") == 3
    audit = table_with(at, "Who")
    assert audit["What"].iloc[0] == "published" and audit["Who"].iloc[0] == USER


def test_version_choice_follows_a_new_publish(analyst, engine):
    store.create_version(engine, "main", frames(2, "A"), actor="cli", publish=True)
    at = signed_in_page()
    assert at.selectbox(key="version_to_publish").value is None  # only version 1, and it is published
    upload_files(at, ("messy.csv", MESSY))
    at.button(key="publish_button").click().run()
    assert store.published_version(engine, "main") == 2
    assert at.selectbox(key="version_to_publish").value == 1
    assert not at.button(key="publish_version_button").disabled


def test_roll_back_with_nothing_earlier_is_a_clear_message(analyst, engine):
    store.create_version(engine, "main", frames(2, "A"), actor="cli", publish=True)
    at = signed_in_page()
    at.button(key="rollback_button").click().run()
    assert not at.exception
    assert i18n.t("upload.rollback_failed", "en") in [e.value for e in at.error]
    assert store.published_version(engine, "main") == 1


# ---- the dataset selector on every page ------------------------------------------------------------

def test_no_selector_while_only_the_sample_exists():
    at = open_page("overview")
    assert not [s for s in at.sidebar.selectbox if s.key == keys.DATA]
    assert i18n.t("sample.banner", "en") in text_of(at)


def test_selector_defaults_to_latest_published_and_follows_the_url(engine):
    store.create_version(engine, "older", frames(2, "O"), actor="cli", publish=True)
    store.create_version(engine, "main", frames(5, "M"), actor="cli", publish=True)
    at = open_page("map")
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key=keys.DATA).value == "main"
    assert at.sidebar.selectbox(key=keys.DATA).options == [i18n.t("data.sample", "en"), "main", "older"]
    assert i18n.t("sample.banner", "en") not in text_of(at)
    assert "Data: **main**, version 1" in text_of(at)
    assert any("5 enterprises" in m.value for m in at.markdown)
    assert at.query_params.get("data") in (["main"], "main")

    at = open_page("map", {"data": "older"})
    assert any("2 enterprises" in m.value for m in at.markdown)
    at = open_page("overview", {"data": "sample"})
    assert i18n.t("sample.banner", "en") in text_of(at)
    at = open_page("overview", {"data": "nonexistent"})
    assert at.sidebar.selectbox(key=keys.DATA).value == "main"


def test_publish_and_rollback_show_up_without_a_restart(engine):
    store.create_version(engine, "main", frames(2, "A"), actor="cli", publish=True)
    at = open_page("map", {"data": "main"})
    assert any("2 enterprises" in m.value for m in at.markdown)
    store.create_version(engine, "main", frames(6, "B"), actor="cli", publish=True)
    at.run()
    assert any("6 enterprises" in m.value for m in at.markdown)
    store.rollback(engine, "main", "cli")
    at.run()
    assert any("2 enterprises" in m.value for m in at.markdown)


def test_switching_dataset_resets_the_years(engine):
    store.create_version(engine, "main", frames(3, "M", year=2023), actor="cli", publish=True)
    at = open_page("overview", {"data": "sample", "years": "2001-2010"})
    assert at.slider(key=keys.YEARS).value == (2001, 2010)
    at.sidebar.selectbox(key=keys.DATA).set_value("main").run()
    assert not at.exception, at.exception
    assert i18n.t("filters.one_year", "en", year=2023) in text_of(at)
    at.sidebar.selectbox(key=keys.DATA).set_value("sample").run()
    assert at.slider(key=keys.YEARS).value == (2001, 2025)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_figures_naming_no_known_enterprise_are_reported_and_left_out(analyst, lang):
    made = frames(6, "Q")
    orphans = made["figures"].iloc[:2].assign(enterprise_id=["NOBODY1", "NOBODY2"])
    at = signed_in_page({"lang": lang} if lang == "ja" else None)
    upload_files(at, ("list.csv", made["enterprises"].to_csv(index=False).encode()),
                 ("figures.csv", pd.concat([made["figures"], orphans]).to_csv(index=False).encode()))
    warnings = [w.value for w in at.warning]
    assert i18n.t("upload.unknown_figures", lang, n="2") in warnings, warnings
    counts = metric_values(at)
    assert counts[i18n.t("upload.count.figures", lang)] == str(len(made["figures"]))


# ---- the Values step: a file's own spellings of legal forms, sectors, regions, countries ----------------
# These read through regen.ingest.read_table(values=...) and IngestResult.values (the pipeline's contract).

VALUES_CSV = (
    "ID,Name,Legal form,Sector,Founded,Country,Region,Local authority,Latitude,Longitude\n"
    "V1,Hendon Cafe,Society,Food,2015,UK,North East,Sunderland,54.8986,-1.3733\n"
    "V2,Millfield Energy,Community Interest Company,Community energy,2012,UK,North East,Sunderland,54.9060,-1.4100\n"
    "V3,Pallion Mutual,Friendly Society,Food,2010,UK,North East,Sunderland,54.9000,-1.3800\n"
    "V4,Deptford Reuse,Society,Reuse,2019,UK,North East,Sunderland,54.9100,-1.3900\n"
    "V5,Ryhope Makers,**Guild** <b>of</b> [Makers](x),Food,2018,UK,North East,Sunderland,54.8700,-1.3600\n"
).encode("utf-8")
ODD = "**Guild** <b>of</b> [Makers](x)"  # Markdown and HTML in a value: shown as typed


def values_editor(at, field: str = "legal_form"):
    prefix = f"{keys.VALUES_EDITOR}_"
    return next(e for e in at.data_editor if e.key and e.key.startswith(prefix) and f"_{field}_" in e.key)


def values_expander(at):
    return next(e for e in at.expander if e.key and e.key.startswith(keys.VALUES_OPEN))


def edit_code(at, field: str, value: str, code: str):
    """Choose ``code`` for ``value`` in the Values table, as the browser's edit state says it."""
    editor = values_editor(at, field)
    row = editor.value["value"].tolist().index(value)
    state = dict(at.session_state[editor.key]) if editor.key in at.session_state else {}
    edited = {**(state.get("edited_rows") or {}), row: {"code": code}}
    at.session_state[editor.key] = {"edited_rows": edited, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    return at


def saved_legal_forms(engine, version: int = 1) -> dict[str, tuple]:
    ent = store.load_dataset(engine, "main", version).enterprises.set_index("enterprise_id")
    text = ent["legal_form_text"].astype(object).where(ent["legal_form_text"].notna(), None)
    return {i: (ent.at[i, "legal_form"], text[i]) for i in ent.index}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_values_step_lists_the_files_values_literally(analyst, lang):
    at = upload_files(signed_in_page({"lang": lang} if lang == "ja" else None), ("values.csv", VALUES_CSV))
    assert values_expander(at).label == i18n.t("upload.values.title", lang)
    assert values_expander(at).proto.expanded
    table = values_editor(at).value
    assert list(table.columns) == ["value", "rows", "code", "note"]
    rows = table.set_index("value")
    assert table["value"].tolist()[0] == "Society"  # most rows first
    assert set(table["value"]) == {"Society", "Community Interest Company", "Friendly Society", ODD}  # as typed
    assert rows.loc["Society", "rows"] == 2 and rows.loc["Friendly Society", "rows"] == 1
    assert (rows.loc["Society", "code"], rows.loc["Community Interest Company", "code"]) == ("society", "cic")
    kept = i18n.t("upload.values.kept_other", lang)
    assert rows.loc["Friendly Society", "code"] == "other" and rows.loc["Friendly Society", "note"] == kept
    assert rows.loc[ODD, "code"] == "other" and rows.loc["Society", "note"] == ""
    labels = json.loads(values_editor(at).proto.columns)
    assert [labels[c]["label"] for c in ("value", "rows", "code", "note")] == [
        i18n.t(f"upload.values.col.{c}", lang) for c in ("value", "rows", "code", "note")]
    options = {o["value"]: o["label"] for o in labels["code"]["type_config"]["options"]}
    assert options["other"] == f"other · {i18n.t('legal_form.other', lang)}" and "cbs" in options
    assert i18n.t("upload.values.other_note", lang, n="2", rows="2") in text_of(at)
    assert values_editor(at, "sector").value["value"].tolist()  # a table per categorical field read
    assert ODD not in text_of(at)  # never drawn as Markdown


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_changing_a_code_rereads_the_file_and_is_remembered(analyst, engine, lang):
    at = upload_files(signed_in_page({"lang": lang} if lang == "ja" else None), ("values.csv", VALUES_CSV))
    values_expander(at)  # opened, then closed by the analyst: a re-reading keeps it closed
    at.session_state[values_expander(at).key] = False
    at.run()
    edit_code(at, "legal_form", "Friendly Society", "cbs")
    assert not values_expander(at).proto.expanded
    rows = values_editor(at).value.set_index("value")  # the table's data; the browser shows the edit on top
    assert rows.loc["Friendly Society", "note"] == i18n.t(
        "upload.values.changed", lang, proposed=f"other · {i18n.t('legal_form.other', lang)}")
    assert i18n.t("upload.values.other_note", lang, n="1", rows="1") in text_of(at)  # only ODD left as other
    signature = upload.read(upload.Upload("values.csv", VALUES_CSV)).signature
    assert at.session_state[keys.VALUE_MAPS][(signature, "enterprises")] == {"legal_form": {"Friendly Society": "cbs"}}
    edit_code(at, "legal_form", "Society", "cooperative")
    at.button(key="draft_button").click().run()
    assert not at.exception, at.exception
    assert saved_legal_forms(engine) == {
        "V1": ("cooperative", None), "V2": ("cic", None), "V3": ("cbs", None), "V4": ("cooperative", None),
        "V5": ("other", ODD)}  # a value kept as other keeps its text
    assert store.recall_values(engine, signature, "enterprises") == {
        "legal_form": {"Society": "cooperative", "Friendly Society": "cbs"}}

    fresh = upload_files(signed_in_page({"lang": lang} if lang == "ja" else None), ("values.csv", VALUES_CSV))
    assert i18n.t("upload.values.remembered", lang) in text_of(fresh)  # another session starts from the choices
    rows = values_editor(fresh).value.set_index("value")
    assert (rows.loc["Friendly Society", "code"], rows.loc["Society", "code"]) == ("cbs", "cooperative")
    edit_code(fresh, "legal_form", "Friendly Society", "other")  # put back to the proposal
    fresh.button(key="draft_button").click().run()
    assert saved_legal_forms(engine, 2)["V3"] == ("other", "Friendly Society")
    assert store.recall_values(engine, signature, "enterprises") == {"legal_form": {"Society": "cooperative"}}


def test_value_helpers_behind_the_values_step():
    u = upload.Upload("values.csv", VALUES_CSV.replace(b"V4,Deptford Reuse,Society", b"V4,Deptford Reuse,society"))
    result = upload.read(u, kind="enterprises")
    frames = upload.value_frames(result)
    legal = frames["legal_form"]
    assert list(legal.columns) == ["value", "count", "code", "proposed", "mapped"]
    assert legal["value"].tolist() == sorted(legal["value"])  # one row each: by value
    assert upload.value_choices(frames) == {}
    # an edit of one spelling ("Society") is the code of all ("society")
    row = legal["value"].tolist().index("Society")
    editing = {"edited_rows": {str(row): {"code": "cbs"}}, "added_rows": [], "deleted_rows": []}
    codes = upload.edited_codes(legal, "legal_form", editing)
    assert upload.edited_rows(editing) == {row} and upload.edited_rows(None) == set()
    assert [c for v, c in zip(legal["value"], codes) if v.lower() == "society"] == ["cbs", "cbs"]
    assert upload.edited_codes(legal, "legal_form", {"edited_rows": {row: {"code": "not_a_code"}}}) == list(
        legal["code"])
    chosen = upload.value_choices(frames, {"legal_form": codes})
    assert list(chosen) == ["legal_form"] and {v.lower() for v in chosen["legal_form"]} == {"society"}
    again = upload.read(u, kind="enterprises", values=chosen)
    assert set(again.accepted.loc[again.accepted["name"].isin(["Hendon Cafe", "Deptford Reuse"]), "legal_form"]) == {
        "cbs"}
    assert upload.read(u, kind="enterprises", values=chosen) is not again  # no memo given: read again
    memo: dict = {}
    assert upload.read(u, kind="enterprises", values=chosen, memo=memo) is upload.read(
        u, kind="enterprises", values=chosen, memo=memo)
    assert upload.rows_digest(legal) != upload.rows_digest(frames["sector"])


def test_value_choices_are_stored_only_when_they_change(analyst, engine):
    u = upload.Upload("values.csv", VALUES_CSV)
    proposed = upload.read(u, kind="enterprises")
    batch = upload.collect([(u, "enterprises", proposed)])
    assert batch.values and upload.remember_mappings(engine, batch, actor=USER) == []  # as proposed: nothing
    chosen = upload.read(u, kind="enterprises", values={"legal_form": {"Friendly Society": "cbs"}})
    batch = upload.collect([(u, "enterprises", chosen)])
    assert upload.remember_mappings(engine, batch, actor=USER) == [proposed.signature]
    assert store.recall_values(engine, proposed.signature, "enterprises") == {"legal_form": {"Friendly Society": "cbs"}}
    assert upload.same_mapping(store.recall_mapping(engine, proposed.signature, "enterprises"), proposed.mapping)
    assert upload.remember_mappings(engine, batch, actor=USER) == []  # stored already
    assert upload.recall_values(engine, proposed, "enterprises", {}) == {"legal_form": {"Friendly Society": "cbs"}}
    session = {(proposed.signature, "enterprises"): {"legal_form": {"Society": "cic"}}}
    assert upload.recall_values(engine, proposed, "enterprises", session) == {"legal_form": {"Society": "cic"}}
    assert upload.recall_values(engine, proposed, "figures", {}) == {}
