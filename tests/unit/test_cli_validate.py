"""``python -m regen validate``: human report or one JSON object; exit 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from regen.cli import cli

try:
    from . import messy_corpus
except ImportError:  # run without the tests package
    import messy_corpus

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return messy_corpus.build(tmp_path_factory.mktemp("cli_corpus"))


def run(*args):
    return CliRunner().invoke(cli, ["validate", *map(str, args)])


def test_all_rows_accepted_exits_0(corpus):
    result = run(corpus["utf8_bom.csv"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2 read, 2 accepted, 0 rejected" in out
    assert "utf-8-sig" in out and "comma" in out and "enterprises" in out
    assert "Legal form" in out and "legal_form" in out


def test_some_rows_rejected_exits_1_with_problems_table(corpus):
    result = run(corpus["numbers.csv"])
    assert result.exit_code == 1, result.output
    assert "Problems (2)" in result.output
    assert "twelve" in result.output and "cannot read a number" in result.output


def test_json_output_is_one_object_with_the_keys(corpus):
    result = run(corpus["real_world_export.csv"], "--json", "--postcodes", corpus["postcode_table.csv"])
    assert result.exit_code == 0, result.output  # every row kept (one without a location)
    payload = json.loads(result.output)  # exactly one JSON object, nothing else printed
    for key in ("rows_read", "rows_accepted", "rows_rejected", "encoding", "delimiter", "kind", "mapping",
                "excluded_columns", "problems"):
        assert key in payload
    assert (payload["rows_read"], payload["rows_accepted"], payload["rows_rejected"]) == (4, 4, 0)
    assert payload["encoding"] == "utf-8-sig" and payload["delimiter"] == "," and payload["kind"] == "enterprises"
    assert payload["mapping"]["Registered Name"] == "name"
    assert {e["column"] for e in payload["excluded_columns"]} == {"Contact name", "Email", "Tel"}
    assert all(e["reason"] for e in payload["excluded_columns"])
    assert {p["row"] for p in payload["problems"]} == {8}
    assert {"row", "column", "value", "reason", "kept"} <= set(payload["problems"][0])
    assert payload["problems"][0]["kept"] is True
    assert "jane@hendon.example" not in result.output


def test_kind_option_and_mapping_correction(corpus):
    result = run(corpus["utf8_plain.csv"], "--kind", "enterprises", "--json", "--map", "Founded=")
    payload = json.loads(result.output)
    assert payload["mapping"]["Founded"] is None
    assert result.exit_code == 0  # a founding year is optional
    assert payload["rows_accepted"] == payload["rows_read"]


@pytest.mark.parametrize("name", ["empty.csv", "binary.csv", "truncated.csv.gz", "truncated.xlsx", "missing.csv"])
def test_unreadable_exits_2_with_json_error(corpus, name):
    path = corpus.get(name) or next(iter(corpus.values())).parent / name
    result = run(path, "--json")
    assert result.exit_code == 2, result.output
    payload = json.loads(result.output)
    assert payload["error"] and payload["rows_read"] == 0
    assert "Traceback" not in result.output


def test_unreadable_exits_2_with_one_line(corpus):
    result = run(corpus["truncated.xlsx"])
    assert result.exit_code == 2
    assert "cannot be read" in result.output and "Traceback" not in result.output


def test_bad_postcode_table_exits_2(corpus):
    result = run(corpus["title_rows.csv"], "--json", "--postcodes", corpus["utf8_plain.csv"])
    assert result.exit_code == 2
    assert json.loads(result.output)["error_code"] == "bad_postcodes"


def test_real_process_no_traceback(corpus):
    proc = subprocess.run([sys.executable, "-m", "regen", "validate", str(corpus["binary.csv"]), "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error_code"] == "not_a_table"
    assert "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "regen", "validate", str(corpus["shift_jis.csv"])],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "cp932" in proc.stdout and "事業者名" in proc.stdout


# An enterprise list without an area column, checked against two ward squares (file rows 2-4).
WARD_LIST = ("ID,Name,Legal form,Sector,Founded,Latitude,Longitude\n"
             "W1,Hendon Café,CIC,Food,2015,54.9000,-1.3800\n"
             "W2,Millfield Energy,CIC,Food,2012,54.9000,-1.4200\n"
             "W3,Camden Bakery,CIC,Food,2010,51.5000,-0.1000\n")


@pytest.fixture
def wards(tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    table = tmp_path / "list.csv"
    table.write_text(WARD_LIST, encoding="utf-8")
    boundary = tmp_path / "wards.geojson"
    gpd.GeoDataFrame({"code": ["E05001001", "E05001002"], "name": ["Hendon", "Millfield"]},
                     geometry=[box(-1.40, 54.88, -1.36, 54.92), box(-1.44, 54.88, -1.40, 54.92)],
                     crs=4326).to_file(boundary, driver="GeoJSON")
    return table, boundary


def test_validate_a_list_against_a_boundary_file(wards):
    table, boundary = wards
    result = run(table)  # no area column, no region column: kept, with area and region not known
    assert result.exit_code == 0 and "3 read, 3 accepted, 0 rejected" in result.output
    result = run(table, "--boundaries", boundary, "--region", "North East England", "--country", "gb")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Boundaries: wards.geojson, 2 area(s)" in out and "3 read, 3 accepted, 0 rejected" in out
    assert "area filled in from the boundary file" in out and "north_east was used" in out
    assert "lies outside every area of the boundary file" in out
    payload = json.loads(run(table, "--boundaries", boundary, "--region", "north_east", "--json").output)
    assert payload["boundaries"]["areas"] == 2 and payload["boundaries"]["file"].endswith("wards.geojson")
    assert [(p["row"], p["column"], p["code"], p["value"]) for p in payload["problems"]] == [
        (4, "area", "outside_boundaries", "51.50000, -0.10000")]
    notes = {n["code"]: n for n in payload["notes"]}
    assert (notes["area_filled"]["rows"], notes["region_default"]["rows"]) == ([2, 3], [2, 3, 4])


def test_validate_with_an_unusable_boundary_file_or_region_exits_2(wards, tmp_path):
    table, _boundary = wards
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    result = run(table, "--boundaries", broken, "--json")
    assert result.exit_code == 2, result.output
    payload = json.loads(result.output)
    assert payload["error"].startswith("cannot read the boundary file") and payload["rows_read"] == 0
    result = run(table, "--region", "Atlantis")
    assert result.exit_code == 2 and "not a known region" in result.output and "Traceback" not in result.output
