"""The store's command line: import, datasets, publish, rollback, export, user (exit codes and output)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from regen import store
from regen.schema import Problem

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough password"


def test_datasets_empty_and_errors(run):
    result = run("datasets")
    assert result.exit_code == 0 and "No datasets yet." in result.output
    for args, message in [
        (("publish", "1"), "no dataset named 'main'"),
        (("publish", "2", "--dataset", "other"), "no dataset named 'other'"),
        (("rollback",), "no dataset named 'main'"),
        (("export", "--dataset", "nope"), "no dataset named 'nope'"),
        (("user", "remove", "ghost"), "no user named 'ghost'"),
    ]:
        result = run(*args)
        assert result.exit_code == 1, args
        assert f"Error: {message}" in result.output
        assert "Traceback" not in result.output


def test_publish_rollback_datasets(run, engine, make_frames):
    store.create_version(engine, "main", make_frames(5, "A"), actor="ana", file_name="a.csv", publish=True)
    store.create_version(engine, "main", make_frames(6, "B"), actor="ana", file_name="b.csv")
    result = run("publish", "2")
    assert result.exit_code == 0 and "main version 2 published" in result.output
    assert run("publish", "2").exit_code == 1
    listing = run("datasets").output
    assert "archived" in listing and "published" in listing and "a.csv" in listing and "6/18/3" in listing
    result = run("rollback")
    assert result.exit_code == 0 and "version 1 published" in result.output
    result = run("rollback")
    assert result.exit_code == 1 and "no earlier published version" in result.output
    log = store.audit(engine)
    assert list(log["action"][:3]) == ["rollback", "publish", "import"]
    assert set(log["actor"][:2]) == {"tester"}  # the operating-system user


def test_export_formats(run, engine, make_frames, tmp_path):
    frames = make_frames(7, "A", years=3)
    frames["enterprises"].loc[0, "name"] = "=HYPERLINK(1)"
    store.create_version(engine, "main", frames, actor="ana", publish=True)
    result = run("export", "--format", "csv")
    assert result.exit_code == 0
    table = pd.read_csv(io.BytesIO(result.stdout_bytes), encoding="utf-8-sig")
    assert len(table) == 7 and set(table["year"]) == {2020}
    assert table.loc[0, "name"] == "'=HYPERLINK(1)"  # spreadsheet formulas neutralised
    assert set(table.columns) <= set(store.COLUMNS["enterprises"]) | set(store.COLUMNS["figures"])
    out = tmp_path / "atlas.geojson"
    result = run("export", "--output", str(out))
    assert result.exit_code == 0 and "7 enterprises written" in result.output
    geo = json.loads(out.read_text(encoding="utf-8"))
    assert len(geo["features"]) == 7 and geo["features"][0]["geometry"]["type"] == "Point"
    out = tmp_path / "atlas.xlsx"
    result = run("export", "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0
    assert pd.read_excel(out).shape[0] == 7
    assert run("export", "--version", "9").exit_code == 1


def test_user_commands(run, engine):
    result = run("user", "add", "alice", "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0 and "user alice added" in result.output
    assert PASSWORD not in result.output
    from regen import auth

    assert auth.verify(engine, "alice", PASSWORD)
    result = run("user", "add", "bob", input=f"{PASSWORD}\n{PASSWORD}\n")  # prompt with confirmation
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    result = run("user", "add", "alice", "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 1 and "already exists" in result.output
    result = run("user", "add", "carol", "--password-stdin", input="short\n")
    assert result.exit_code == 1 and "too short" in result.output
    listing = run("user", "list")
    assert listing.exit_code == 0 and "alice" in listing.output and "bob" in listing.output
    assert "argon2" not in listing.output
    assert run("user", "remove", "alice").exit_code == 0
    assert "alice" not in run("user", "list").output
    entry = store.audit(engine).iloc[0]
    assert (entry["action"], entry["actor"]) == ("user_remove", "tester")


def fake_result(accepted: pd.DataFrame, kind: str | None, problems=(), rows_read: int = 0, error: str | None = None,
                figures: pd.DataFrame | None = None):
    """A reading as regen.ingest would report it, made by hand."""
    from regen.ingest import IngestResult

    rows_read = rows_read or len(accepted)
    return IngestResult(kind=kind, accepted=accepted, problems=list(problems), rows_read=rows_read,
                        rows_accepted=len(accepted), rows_rejected=rows_read - len(accepted), error=error,
                        figures=figures)


def test_import_with_a_stand_in_reader(run, engine, make_frames, tmp_path, monkeypatch):
    """The import command's own logic, independent of regen.ingest's internals."""
    frames = make_frames(12, "A")
    files = {}
    for kind in ("enterprises", "figures"):
        files[kind] = tmp_path / f"{kind}.csv"
        files[kind].write_text(f"file of {kind}\n", encoding="utf-8")
    problem = Problem(14, "founded", 1700, "out_of_range", "outside the allowed range")
    options = []

    def read_table(path, kind=None, **given):
        options.append(given)
        found = Path(path).stem
        if found == "broken":
            raise ValueError("not a table")
        if found == "unreadable":
            return fake_result(pd.DataFrame(), None, error="the file is not a table")
        if found == "list":  # an enterprise list that also held yearly figures
            return fake_result(frames["enterprises"], "enterprises", figures=frames["figures"])
        return fake_result(frames[found], found, [problem] if found == "figures" else [], len(frames[found]) + 1)

    monkeypatch.setattr("regen.ingest.read_table", read_table)
    result = run("import", str(files["enterprises"]), str(files["figures"]), "--publish")
    assert result.exit_code == 0, result.output
    assert "main version 1 (published)" in result.output
    assert "1 × row left out [founded]: outside the allowed range (row 14: 1700)" in result.output
    plain = {"country": None, "region": None, "boundaries": None}  # no postcodes/year unless given
    assert options[:2] == [plain] * 2
    # the figures are read again knowing the enterprises of the import (their IDs and countries)
    assert set(options[2]) == {*plain, "enterprises"} and len(options[2]["enterprises"]) == 12
    loaded = store.load_dataset(engine, "main")
    pd.testing.assert_frame_equal(loaded.enterprises, frames["enterprises"])
    assert loaded.areas.empty
    version = store.list_versions(engine, "main").iloc[0]
    assert version["file_name"] == "enterprises.csv, figures.csv"
    assert version["checksum"] == ",".join(store.file_checksum(files[k]) for k in ("enterprises", "figures"))
    assert "2 row(s) with problems left out" in version["note"]  # one in each file, as read
    entry = store.audit(engine).iloc[-1]
    assert (entry["action"], entry["actor"], entry["file_name"]) == ("import", "tester", "enterprises.csv, figures.csv")
    # A second import of one table is a draft that carries the enterprises over.
    result = run("import", str(files["figures"]), "--country", "jp", "--region", "新潟県")
    assert {k: options[-1][k] for k in plain} == {"country": "JP", "region": "新潟県", "boundaries": None}
    assert len(options[-1]["enterprises"]) == 12  # the published version's enterprises
    assert result.exit_code == 0 and "version 2 (draft" in result.output
    assert len(store.load_dataset(engine, "main", 2).enterprises) == 12
    broken = tmp_path / "broken.csv"
    broken.write_text("x", encoding="utf-8")
    result = run("import", str(broken))
    assert result.exit_code == 1 and "cannot read" in result.output and "not a table" in result.output
    unreadable = tmp_path / "unreadable.csv"
    unreadable.write_text("x", encoding="utf-8")
    result = run("import", str(unreadable))
    assert result.exit_code == 1 and "cannot read" in result.output and "not a table" in result.output
    listing = tmp_path / "list.csv"
    listing.write_text("x", encoding="utf-8")
    result = run("import", str(listing), "--dataset", "listed")
    assert result.exit_code == 0, result.output
    assert "taken from the enterprise list" in result.output
    assert len(store.load_dataset(engine, "listed", 1).figures) == len(frames["figures"])
    result = run("import", str(files["figures"]), str(files["figures"]))
    assert result.exit_code == 1 and "two files hold figures" in result.output
    result = run("import", str(tmp_path / "missing.csv"))
    assert result.exit_code == 2  # click's usage error: file does not exist
    assert len(store.list_versions(engine, "main")) == 2


def test_import_with_the_real_reader(run, engine, make_frames, tmp_path):
    ingest = pytest.importorskip("regen.ingest")
    if not hasattr(ingest, "read_table"):
        pytest.skip("regen.ingest.read_table not available yet")
    frames = make_frames(15, "R")
    paths = []
    for kind, frame in frames.items():
        path = tmp_path / f"{kind}.csv"
        frame.to_csv(path, index=False)
        paths.append(str(path))
    result = run("import", *paths, "--dataset", "real", "--publish")
    assert result.exit_code == 0, result.output
    loaded = store.load_dataset(engine, "real")
    assert list(loaded.enterprises["enterprise_id"]) == list(frames["enterprises"]["enterprise_id"])
    assert len(loaded.figures) == len(frames["figures"])
    result = run("import", paths[0], "--kind", "figures", "--dataset", "real")
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_import_with_a_default_country_and_region(run, engine, tmp_path):
    listing = tmp_path / "list.csv"  # at sea off Cornwall: no country can be worked out from the point
    listing.write_text("ID,Name,Legal form,Sector,Founded,Local authority,Latitude,Longitude\n"
                       "S1,Scilly Boats,CIC,Food,2015,E06000053,49.5000,-9.0000\n", encoding="utf-8")
    result = run("import", str(listing))
    assert result.exit_code == 1 and "no valid rows" in result.output
    result = run("import", str(listing), "--country", "GB", "--region", "South West England")
    assert result.exit_code == 0, result.output
    assert "regions: region not given: south_west was used" in result.output
    stored = store.load_dataset(engine, "main", 1).enterprises.iloc[0]
    assert (stored["country"], stored["region"], stored["area"]) == ("GB", "south_west", "E06000053")
    result = run("import", str(listing), "--region", "Atlantis")
    assert result.exit_code == 1 and "not a known region" in result.output and "Traceback" not in result.output


def test_import_uses_the_mapping_remembered_for_the_file_shape(run, engine, tmp_path):
    listing = tmp_path / "list.csv"  # "Patch" is the local authority, but no header rule says so
    listing.write_text("ID,Name,Legal form,Sector,Founded,Country,Region,Patch,Latitude,Longitude\n"
                       "S1,Hendon Bakes,CIC,Food,2015,GB,north_east,E08000024,54.90,-1.37\n", encoding="utf-8")
    result = run("import", str(listing))  # kept, but its area is not known
    assert result.exit_code == 0, result.output
    assert store.load_dataset(engine, "main", 1).enterprises["area"].tolist() == ["unknown"]
    from regen.ingest import read_table

    ingest_result = read_table(listing)
    proposed = dict(ingest_result.mapping)
    assert proposed["Patch"] is None
    store.remember_mapping(engine, ingest_result.signature, "enterprises", {**proposed, "Patch": "area"}, actor="ana")
    result = run("import", str(listing), "--publish")
    assert result.exit_code == 0, result.output
    assert "using the column mapping remembered" in result.output
    assert store.load_dataset(engine, "main").enterprises["area"].tolist() == ["E08000024"]
    result = run("import", str(listing), "--proposed-mapping")
    assert result.exit_code == 0 and "remembered" not in result.output


def test_import_map_option_corrects_and_is_remembered(run, engine, tmp_path):
    listing = tmp_path / "list.csv"
    listing.write_text("ID,Name,Legal form,Sector,Founded,Country,Region,Patch,Latitude,Longitude\n"
                       "S1,Hendon Bakes,CIC,Food,2015,GB,north_east,E08000024,54.90,-1.37\n", encoding="utf-8")
    result = run("import", str(listing), "--map", "Patch=area", "--publish")
    assert result.exit_code == 0, result.output
    assert store.load_dataset(engine, "main").enterprises["area"].tolist() == ["E08000024"]
    remembered = store.list_mappings(engine)
    assert len(remembered) == 1 and remembered.iloc[0]["actor"] == "tester"
    result = run("import", str(listing))  # the next file with these headers starts from the correction
    assert result.exit_code == 0 and "using the column mapping remembered" in result.output
    assert run("import", str(listing), "--map", "Patch").exit_code == 2  # not COLUMN=FIELD: a usage error


def test_a_remembered_mapping_fits_headers_written_differently(run, engine, tmp_path):
    header = "ID,Name,Legal form,Sector,Founded,Country,Region,Local authority,Latitude,Longitude,Comment,Year,"
    pounds = tmp_path / "a.csv"
    pounds.write_text(header + "Employees,Turnover (£)\nS1,Hendon Bakes,CIC,Food,2015,GB,north_east,E08000024,54.90,"
                      "-1.37,bakery,2023,4,120000\n", encoding="utf-8")
    yen = tmp_path / "b.csv"  # same shape for the signature, another currency in the header, names in capitals
    yen.write_text(header.upper() + "EMPLOYEES,TURNOVER (¥)\nJ1,Genkai Kobo,NPO,Food,2016,JP,saga,41387,33.48,"
                   "129.87,workshop,2023,5,200000\n", encoding="utf-8")
    assert run("import", str(pounds), "--map", "Comment=description", "--dataset", "a").exit_code == 0
    result = run("import", str(yen), "--dataset", "b", "--publish")
    assert result.exit_code == 0 and "using the column mapping remembered" in result.output, result.output
    loaded = store.load_dataset(engine, "b")
    assert loaded.enterprises.iloc[0][["enterprise_id", "description"]].tolist() == ["J1", "workshop"]
    assert loaded.figures.iloc[0][["employees", "turnover", "currency"]].tolist() == [5, 200000.0, "JPY"]


def test_import_with_a_postcode_table(run, engine, tmp_path):
    listing = tmp_path / "list.csv"
    listing.write_text("ID,Name,Legal form,Sector,Founded,Country,Region,Local authority,Postcode\n"
                       "P1,Hendon Bakes,CIC,Food,2015,GB,north_east,E08000024,sr2 8qw\n", encoding="utf-8")
    table = tmp_path / "postcodes.csv"
    table.write_text("postcode,latitude,longitude\nSR2 8QW,54.8986,-1.3733\n", encoding="utf-8")
    assert run("import", str(listing)).exit_code == 0  # no postcode table: kept with no location
    result = run("import", str(listing), "--postcodes", str(table), "--publish")
    assert result.exit_code == 0, result.output
    stored = store.load_dataset(engine, "main").enterprises.iloc[0]
    assert (stored["lat"], stored["lon"], stored["geo_precision"]) == (54.8986, -1.3733, "postcode")
    assert store.list_versions(engine, "main").iloc[-1]["file_name"] == "postcodes.csv, list.csv"


def test_no_traceback_from_python_m_regen(tmp_path):
    env = {**os.environ, store.ENV_DATABASE_URL: "nonsense://", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "regen", "datasets"], env=env, capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert proc.returncode == 1
    assert "Error:" in proc.stderr and "Traceback" not in proc.stderr
    env[store.ENV_DATABASE_URL] = f"sqlite:///{tmp_path / 'x.db'}"
    proc = subprocess.run([sys.executable, "-m", "regen", "publish", "3", "--dataset", "x"], env=env,
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 1 and "no dataset named 'x'" in proc.stderr and "Traceback" not in proc.stderr


def test_a_postcode_table_is_stored_once_and_used_by_later_imports(run, engine, tmp_path):
    table = tmp_path / "onspd.csv"
    table.write_text("pcd,pcds,lat,long,rgn,oslaua\nSR2 8QW,SR2 8QW,54.8986,-1.3733,E12000001,E08000024\n"
                     "SR2 8PA,SR2 8PA,54.8990,-1.3700,E12000001,E08000024\n", encoding="utf-8")
    first = tmp_path / "first.csv"
    first.write_text("ID,Name,Postcode\nP1,Hendon Bakes,sr2 8qw\n", encoding="utf-8")
    result = run("import", str(first), "--postcodes", str(table), "--publish")
    assert result.exit_code == 0, result.output
    assert "postcodes: 2 stored from onspd.csv for later imports" in result.output
    assert store.postcode_table_info(engine)["rows"] == 2
    later = tmp_path / "later.csv"
    later.write_text("ID,Name,Postcode\nP2,Villette Co-op,SR2 8PA\nP3,Ryhope Repairs,SR2 0XX\n", encoding="utf-8")
    result = run("import", str(later), "--dataset", "later", "--publish")
    assert result.exit_code == 0, result.output
    assert "postcodes: using the table stored from onspd.csv (2 postcodes" in result.output
    loaded = store.load_dataset(engine, "later").enterprises.set_index("enterprise_id")
    assert loaded.loc["P2", "geo_precision"] == "postcode" and loaded.loc["P2", "area"] == "E08000024"
    assert loaded.loc["P2", "region"] == "north_east"
    assert loaded.loc["P3", "geo_precision"] == "district"  # SR2: the mean of the table's SR2 postcodes
    assert store.audit(engine)["action"].tolist().count("postcodes") == 1
