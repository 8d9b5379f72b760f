"""`python -m regen impact`: survival, flows and per-resident figures as text or JSON, for the sample or
a published dataset; clear errors for unknown areas and bad dates."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from regen import metrics, store, survival
from regen.cli import cli
from regen.dataset import load_sample


@pytest.fixture
def run(tmp_path):
    env = {store.ENV_DATABASE_URL: f"sqlite:///{tmp_path / 'regen.db'}", "LOGNAME": "tester", "USER": "tester"}

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    return invoke


def test_json_for_the_sample_matches_the_library(run):
    result = run("impact", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["dataset"] == "sample" and out["illustrative"] is True and out["censor_year"] == 2025
    s = out["survival"]
    assert {"n", "events", "median", "at", "warnings"} <= set(s)
    assert set(s["at"]) == {"3", "5", "10"} and set(s["at"]["5"]) == {"estimate", "lower", "upper"}
    panel = metrics.build_panel(load_sample())
    expected = survival.panel_survival(panel, np.ones(len(panel.enterprises), bool), censor_year=2025)
    assert s["n"] == expected.n == 360 and s["events"] == expected.events
    assert s["at"]["5"]["estimate"] == pytest.approx(expected.at[5].estimate)
    assert s["at"]["5"]["lower"] < s["at"]["5"]["estimate"] < s["at"]["5"]["upper"]
    assert "late_entry" in s["warnings"]  # enterprises founded before 2001 enter late
    assert [f["year"] for f in out["flows"]] == list(range(2002, 2026))
    sunderland = next(a for a in out["areas"] if a["code"] == "E08000024")
    assert sunderland["jobs_per_10k"] == pytest.approx(sunderland["jobs"] / sunderland["population"] * 10_000)
    no_population = next(a for a in out["areas"] if a["code"] == "E08000023")  # South Tyneside: none in the sample
    assert no_population["jobs_per_10k"] is None and no_population["note"] == "no_population"


def test_area_and_censor_narrow_the_figures(run):
    whole = json.loads(run("impact", "--json").output)
    part = json.loads(run("impact", "--json", "--area", "15205", "--censor", "2020-12-31").output)
    assert part["censor_year"] == 2020 and part["areas_selected"] == ["15205"]
    # yearly figures: data complete to 31 March 2021 is complete to the end of 2020
    assert json.loads(run("impact", "--json", "--censor", "2021-03-31").output)["censor_year"] == 2020
    assert part["survival"]["n"] < whole["survival"]["n"]
    # six enterprises in Kashiwazaki: too few to say, with null and a warning rather than a number
    assert part["survival"]["at"]["5"]["estimate"] is None
    assert "too_few" in part["survival"]["warnings"]
    assert max(f["year"] for f in part["flows"]) == 2020
    assert [a["code"] for a in part["areas"]] == ["15205"]


def test_text_report(run):
    result = run("impact", "--area", "E08000024")
    assert result.exit_code == 0
    assert "illustrative sample" in result.output
    assert "still trading after  5 years:" in result.output and "95% CI" in result.output
    assert "Per 10,000 residents by area" in result.output


@pytest.mark.parametrize("args,message", [
    (("--area", "NOPE"), "no enterprises in area NOPE"),
    (("--censor", "last year"), "give a year or a date"),
    (("--censor", "1066"), "between 1800 and 2100"),
    (("--censor", "2024-13-45"), "not a real date"),
    (("--censor", "2030"), "after the last year of the data (2025)"),
    (("--dataset", "nope"), "dataset 'nope' has no published version"),
])
def test_errors_are_one_line(run, args, message):
    result = run("impact", *args)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_a_published_register_without_yearly_figures(run, tmp_path):
    """A register export: founding and dissolution years only. Its survival is computed with late entry
    from the first recorded dissolution, and the JSON says so."""
    rng = np.random.default_rng(7)
    founded = rng.integers(1990, 2020, 40)
    closed = np.where(rng.random(40) < 0.4, np.minimum(founded + rng.integers(0, 12, 40), 2024), 0)
    rows = pd.DataFrame({
        "enterprise_id": [f"R{i:03d}" for i in range(40)], "name": [f"Register Co-op {i}" for i in range(40)],
        "legal_form": "cooperative", "sector": "retail", "founded": founded,
        "closed": [str(c) if c else "" for c in closed], "country": "GB", "region": "north_east",
        "area": "E08000024", "lat": 54.9, "lon": -1.38, "geo_precision": "area",
    })
    path = tmp_path / "register.csv"
    rows.to_csv(path, index=False)
    imported = run("import", str(path), "--dataset", "register", "--publish")
    assert imported.exit_code == 0, imported.output
    out = json.loads(run("impact", "--json", "--dataset", "register", "--censor", "2024").output)
    assert out["dataset"] == "register" and out["illustrative"] is False and out["version"] == 1
    s = out["survival"]
    assert s["n"] + s["excluded_before_start"] == 40 and s["start_year"] == int(closed[closed > 0].min())
    assert s["events"] == int(((closed > 0) & (closed >= s["start_year"])).sum())


def test_import_reports_figures_that_name_no_known_enterprise(run, tmp_path):
    from tests.conftest import store_frames

    frames = store_frames(12, "K", years=2)
    figures = frames["figures"]
    orphan = figures.iloc[:3].assign(enterprise_id=["GHOST1", "GHOST2", "GHOST3"])
    (tmp_path / "ents.csv").write_text(frames["enterprises"].to_csv(index=False), encoding="utf-8")
    (tmp_path / "figs.csv").write_text(pd.concat([figures, orphan]).to_csv(index=False), encoding="utf-8")
    result = run("import", str(tmp_path / "ents.csv"), str(tmp_path / "figs.csv"), "--dataset", "k", "--publish")
    assert result.exit_code == 0, result.output
    assert "figures: 3 row(s) name no known enterprise; left out" in result.output
    out = json.loads(run("impact", "--json", "--dataset", "k").output)
    assert out["dataset"] == "k" and sum(f["jobs"] for f in out["flows"]) >= 0
    engine = store.get_engine(f"sqlite:///{tmp_path / 'regen.db'}")
    stored = store.load_dataset(engine, "k")
    engine.dispose()
    assert len(stored.figures) == len(figures) and not stored.figures["enterprise_id"].str.startswith("GHOST").any()
