"""The illustrative sample: deterministic, valid, and telling a plausible story."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import Point, shape

from regen import geo, sample
from regen.dataset import SAMPLE_DIR, load_sample
from regen.places import PLACES
from regen.schema import AREA_COLUMNS, ENTERPRISE_COLUMNS, FIGURE_COLUMNS, validate
from regen.vocab import LEGAL_FORMS

FILES = ("enterprises.csv", "figures.csv", "areas.csv")


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample_a")
    paths = sample.write_sample(out)
    assert sorted(p.name for p in paths) == sorted(FILES)
    return out


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return sample.generate()


def test_deterministic_and_same_as_committed(written, tmp_path):
    sample.write_sample(tmp_path)
    for name in FILES:
        data = (written / name).read_bytes()
        assert data == (tmp_path / name).read_bytes(), f"{name} differs between two runs"
        assert data == (SAMPLE_DIR / name).read_bytes(), f"{name} differs from data/sample (run python -m regen sample)"


def test_file_format(written):
    for name, columns in zip(FILES, (ENTERPRISE_COLUMNS, FIGURE_COLUMNS, AREA_COLUMNS), strict=True):
        data = (written / name).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data and data.endswith(b"\n")
        assert data.decode("utf-8").split("\n", 1)[0] == ",".join(columns)


def test_seed_matters():
    a = sample.generate(seed=1)["enterprises"]
    b = sample.generate(seed=2)["enterprises"]
    assert not a.equals(b)


def test_validates_with_zero_problems(tables):
    for kind, frame in tables.items():
        accepted, problems = validate(frame, kind)
        assert problems == [], (kind, problems[:3])
        assert len(accepted) == len(frame)
    data = load_sample()
    assert data.problems == {}
    assert len(data.enterprises) == len(tables["enterprises"])
    assert len(data.figures) == len(tables["figures"])


def test_shape_of_the_sample(tables):
    e = tables["enterprises"]
    assert 300 <= len(e) <= 400
    assert e["enterprise_id"].is_unique
    assert e["enterprise_id"].str.fullmatch(r"(GB|JP)-\d{4}").all()
    assert (e["enterprise_id"].str[:2] == e["country"]).all()
    share = e["area"].eq("E08000024").mean()
    assert 0.40 <= share <= 0.50
    assert e["ward"].eq("Hendon").sum() >= e.loc[e["area"] == "E08000024", "ward"].value_counts().iloc[1]
    assert 0.15 <= e["country"].eq("JP").mean() <= 0.25
    jp_counts = e[e["country"] == "JP"].groupby("area").size()
    assert len(jp_counts) == 12 and jp_counts.min() >= 5
    for country in ("GB", "JP"):
        sub = e[e["country"] == country]
        assert set(sub["legal_form"]) <= set(LEGAL_FORMS[country])
    assert e["founded"].min() >= 1995
    assert (e["founded"] > 2008).mean() > 0.5
    assert e["geo_precision"].eq("exact").mean() > 0.6
    assert {"postcode", "place"} <= set(e["geo_precision"])


def test_names_are_fictional_and_displayable(tables):
    e = tables["enterprises"]
    assert e["name"].is_unique
    assert not any(sample._is_real_name(n) for n in e["name"])
    assert sample._is_real_name("Sunderland Mind") and not sample._is_real_name("Wearside Community Shop")
    jp = e[e["country"] == "JP"]
    assert jp["name_ja"].notna().all() and (jp["name_ja"].str.len() > 0).all()
    # What a delegation sees holds no test rows: no spreadsheet formulas, no markup (those live in the
    # test fixtures, tests/fixtures/display.py).
    for column in ("name", "name_ja", "description", "description_ja"):
        text = e[column].dropna()
        assert not text.str.match(r"[=+\-@＝＋－＠]").any(), column
        assert not text.str.contains(r"[<>*_`\[\]$#|\\]", regex=True).any(), column


def test_descriptions_in_both_languages(tables):
    e = tables["enterprises"]
    assert e["description"].str.len().gt(20).all() and e["description_ja"].str.len().gt(10).all()
    japanese = e["description_ja"].str.contains(r"[\u3040-\u30ff\u4e00-\u9fff]", regex=True)
    assert japanese.all() and not e["description_ja"].str.contains(r"[A-Za-z{}]", regex=True).any()
    assert not e["description"].str.contains(r"[\u3040-\u30ff\u4e00-\u9fff{}]", regex=True).any()
    # the twins come from the same template: the sector's English and Japanese sentence at one index
    for row in e.sample(60, random_state=3).itertuples():
        pairs = sample.DESCRIPTIONS[row.sector]
        index = next(i for i, (en, _ja) in enumerate(pairs) if en.split("{place}")[0] in row.description)
        head, _, tail = pairs[index][1].partition("{place}")
        assert row.description_ja.startswith(head) and row.description_ja.endswith(tail), row.enterprise_id
    hendon = e.loc[e["name"] == "Hendon Reuse CIC"].iloc[0]
    assert hendon["description_ja"] == "サンダーランドのヘンドンで家具や家電を引き取り、修理して再び販売しています。"
    london = e.loc[e["area"] == "E09000028", "description_ja"].iloc[0]
    assert "ロンドン・サザーク区のペッカム" in london


def test_figures_are_consistent(tables):
    e = tables["enterprises"].set_index("enterprise_id")
    f = tables["figures"]
    assert f["year"].between(2001, 2025).all()
    assert (f["fte"].dropna() <= f.loc[f["fte"].notna(), "employees"]).all()
    dis = f["disadvantaged_hires"].notna()
    assert (f.loc[dis, "disadvantaged_hires"] <= f.loc[dis, "employees"]).all()
    assert (f["employees"] >= 1).all()
    joined = f.join(e[["founded", "closed", "country"]], on="enterprise_id")
    assert (joined["year"] >= joined["founded"]).all()
    assert (joined["closed"].isna() | (joined["year"] < joined["closed"])).all()
    expected_currency = joined["country"].map({"GB": "GBP", "JP": "JPY"})
    assert (joined["currency"] == expected_currency).all()
    # Every active year is there, once.
    years = f.groupby("enterprise_id")["year"].agg(["min", "max", "count"])
    first = e["founded"].clip(lower=2001)
    last = e["closed"].fillna(2026).astype(int) - 1
    assert (years["min"] == first.loc[years.index]).all()
    assert (years["max"] == last.loc[years.index]).all()
    assert (years["count"] == years["max"] - years["min"] + 1).all()
    assert set(years.index) == set(e.index)
    assert 40 <= f.groupby("enterprise_id")["employees"].max().max() <= 200


def test_sunderland_grows_with_births_and_closures(tables):
    e, f = tables["enterprises"], tables["figures"]
    sunderland = e.loc[e["area"] == "E08000024", "enterprise_id"]
    jobs = f[f["enterprise_id"].isin(sunderland)].groupby("year")["employees"].sum()
    assert jobs[2025] > 1.5 * jobs[2005]
    s = e[e["area"] == "E08000024"]
    assert s["founded"].between(2009, 2025).sum() >= 50
    assert s["closed"].notna().sum() >= 15


def test_five_year_survival_is_plausible(tables):
    e = tables["enterprises"]
    cohort = e[e["founded"].between(2001, 2020)]
    survived = cohort["closed"].isna() | (cohort["closed"] > cohort["founded"] + 5)
    assert 0.55 <= survived.mean() <= 0.80


def test_points_near_their_place_and_on_land(tables):
    e = tables["enterprises"]
    prefectures = {f["properties"]["code"]: shape(f["geometry"])
                   for f in geo.load_boundaries("jp_prefectures")["features"]}
    for row in e.itertuples():
        candidates = [p for p in PLACES.values() if p.area == row.area and (p.ward == row.ward or p.country == "JP"
                                                                            or (p.ward is None and pd.isna(row.ward)))]
        assert candidates, row.enterprise_id
        km = min(math.hypot((row.lat - p.lat) * 110.6, (row.lon - p.lon) * 111.3 * math.cos(math.radians(p.lat)))
                 for p in candidates)
        assert km <= max(p.radius_km for p in candidates) + 0.15, row.enterprise_id
        if row.country == "JP":
            assert prefectures[row.region].contains(Point(row.lon, row.lat)), row.enterprise_id
