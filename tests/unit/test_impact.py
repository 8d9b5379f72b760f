"""Impact metrics on a hand-made panel whose answers are worked out by hand in the comments, plus a few
shape and sanity checks on the sample panel."""

import math

import numpy as np
import pandas as pd
import pytest

from regen import impact, metrics
from regen.dataset import Dataset, load_sample
from regen.schema import validate

# ---- A tiny panel with known flows -------------------------------------------------------------------
#
# Years 2010–2014 (2010 is the first year: no flows). Areas: A1 (GB, 20,000 residents), A2 (GB, no
# population), A3 (GB, 1,000 residents), J1 (JP, 5,000 residents).
#
#   E1 A1 founded 2005, trading   10 12  9  9 15        growth / shrinkage only
#   E2 A1 founded 2012, trading    .  .  .  4  5        first figure the year after founding → created
#   E3 A1 founded 2008, closed 2013  6  6  5  .  .      closed 2013, last figure 2012 → lost 5 in 2013
#   E4 A2 founded 2000, trading    8  8  .  7  7        gap in 2012: −8 then +7 unexplained
#   E5 A2 founded 2011, closed 2014  .  3  3  .  .      founding-year figure → created; stops reporting
#                                                       in 2013 while still trading → −3 unexplained
#   E6 J1 founded 2010, trading   20 22 22 25 30        founded in the first year: no flow in 2010
#   E7 A2 founded 2014, trading    .  .  .  .  2        created 2 in 2014
#   E8 A3 founded 2009, trading    .  .  .  1  1        first figure long after founding → +1 unexplained
#
# jobs         2010: 10+6+8+20 = 44; 2011: 12+6+8+3+22 = 51; 2012: 9+5+3+22 = 39;
#              2013: 9+4+7+25+1 = 46; 2014: 15+5+7+30+2+1 = 60
# created      2011: E1 2 + E5 3 + E6 2 = 7; 2012: 0; 2013: E2 4 + E6 3 = 7; 2014: E1 6 + E2 1 + E6 5 + E7 2 = 14
# lost         2011: 0; 2012: E1 3 + E3 1 = 4; 2013: E3 5 (closure); 2014: 0
# unexplained  2011: 0; 2012: E4 −8; 2013: E4 +7, E5 −3, E8 +1 = +5; 2014: 0
# check        created − lost + unexplained = 7, −12, 7, 14 = 51−44, 39−51, 46−39, 60−46
# opened       2010 E6, 2011 E5, 2012 E2, 2014 E7 → 1 1 1 0 1; closed: 2013 E3, 2014 E5 → 0 0 0 1 1

YEARS = range(2010, 2015)
JOBS = {
    "E1": [10, 12, 9, 9, 15],
    "E2": [None, None, None, 4, 5],
    "E3": [6, 6, 5, None, None],
    "E4": [8, 8, None, 7, 7],
    "E5": [None, 3, 3, None, None],
    "E6": [20, 22, 22, 25, 30],
    "E7": [None, None, None, None, 2],
    "E8": [None, None, None, 1, 1],
}
ENTERPRISES = [  # id, area, country, founded, closed
    ("E1", "A1", "GB", 2005, None), ("E2", "A1", "GB", 2012, None), ("E3", "A1", "GB", 2008, 2013),
    ("E4", "A2", "GB", 2000, None), ("E5", "A2", "GB", 2011, 2014), ("E6", "J1", "JP", 2010, None),
    ("E7", "A2", "GB", 2014, None), ("E8", "A3", "GB", 2009, None),
]
# 2014 only: disadvantaged hires and turnover (with its currency)
DISADVANTAGED_2014 = {"E1": 3, "E6": 6}
TURNOVER_2014 = {"E1": (300_000, "GBP"), "E2": (100_000, "GBP"), "E4": (50_000, "GBP"),
                 "E6": (90_000_000, "JPY"), "E7": (1_000_000, "JPY")}


def _dataset(with_turnover: bool = True) -> Dataset:
    ent = pd.DataFrame([{
        "enterprise_id": eid, "name": f"Enterprise {eid}", "legal_form": "npo" if country == "JP" else "cic",
        "sector": "care", "founded": founded, "closed": closed, "country": country,
        "region": "niigata" if country == "JP" else "north_east", "area": area,
        "lat": 37.0 if country == "JP" else 54.9, "lon": 138.5 if country == "JP" else -1.4, "geo_precision": "area",
    } for eid, area, country, founded, closed in ENTERPRISES])
    rows = []
    for eid, jobs in JOBS.items():
        for year, n in zip(YEARS, jobs):
            if n is None:
                continue
            row = {"enterprise_id": eid, "year": year, "employees": n, "disadvantaged_hires": None,
                   "turnover": None, "currency": None}
            if year == 2014:
                row["disadvantaged_hires"] = DISADVANTAGED_2014.get(eid)
                if with_turnover and eid in TURNOVER_2014:
                    row["turnover"], row["currency"] = TURNOVER_2014[eid]
            rows.append(row)
    fig = pd.DataFrame(rows)
    areas = pd.DataFrame({
        "code": ["A1", "A2", "A3", "J1"], "name": ["Alpha", "Beta", "Gamma", "Jay"],
        "name_ja": [None, None, None, "ジェイ"], "country": ["GB", "GB", "GB", "JP"],
        "region": ["north_east", "north_east", "north_east", "niigata"],
        "population": [20_000, None, 1_000, 5_000], "population_year": [2021, None, 2021, 2020],
        "population_source": ["ONS", None, "ONS", "e-Stat"],
    })
    tables = {}
    for kind, frame in (("enterprises", ent), ("figures", fig), ("areas", areas)):
        tables[kind], problems = validate(frame, kind)
        assert problems == [], problems
        tables[kind] = tables[kind].reset_index(drop=True)
    return Dataset(tables["enterprises"], tables["figures"], tables["areas"], name="hand", illustrative=True)


@pytest.fixture(scope="module")
def hand() -> Dataset:
    return _dataset()


@pytest.fixture(scope="module")
def panel(hand) -> metrics.Panel:
    return metrics.build_panel(hand)


def _all(panel) -> np.ndarray:
    return np.ones(len(panel.enterprises), dtype=bool)


def _only(panel, *ids) -> np.ndarray:
    return panel.enterprises["enterprise_id"].isin(ids).to_numpy()


def _nan_list(values) -> list:
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]


# ---- Job flows ---------------------------------------------------------------------------------------

def test_job_flows_known_answers(panel):
    flows = impact.job_flows(panel, _all(panel))
    assert list(flows.columns) == ["year", "jobs", "created", "lost", "net", "unexplained",
                                   "enterprises_opened", "enterprises_closed"]
    assert flows["year"].tolist() == [2010, 2011, 2012, 2013, 2014]
    assert flows["jobs"].tolist() == [44, 51, 39, 46, 60]
    assert _nan_list(flows["created"]) == [None, 7, 0, 7, 14]
    assert _nan_list(flows["lost"]) == [None, 0, 4, 5, 0]
    assert _nan_list(flows["net"]) == [None, 7, -4, 2, 14]
    assert _nan_list(flows["unexplained"]) == [None, 0, -8, 5, 0]
    assert flows["enterprises_opened"].tolist() == [1, 1, 1, 0, 1]
    assert flows["enterprises_closed"].tolist() == [0, 0, 0, 1, 1]


def test_job_flows_add_up_to_the_change_in_jobs(panel):
    flows = impact.job_flows(panel, _all(panel))
    change = flows["jobs"].diff().iloc[1:]
    explained = (flows["created"] - flows["lost"] + flows["unexplained"]).iloc[1:]
    assert change.tolist() == explained.tolist()


def test_job_flows_single_cases(panel):
    # A gap is not a flow: E4 alone has only unexplained changes (2012: −8; 2013: +7)
    gap = impact.job_flows(panel, _only(panel, "E4"))
    assert _nan_list(gap["created"]) == [None, 0, 0, 0, 0]
    assert _nan_list(gap["lost"]) == [None, 0, 0, 0, 0]
    assert _nan_list(gap["unexplained"]) == [None, 0, -8, 7, 0]
    # Closure: E3 shrinks by 1 in 2012 and loses its last 5 jobs in 2013, the year it closed
    closure = impact.job_flows(panel, _only(panel, "E3"))
    assert _nan_list(closure["lost"]) == [None, 0, 1, 5, 0]
    assert closure["enterprises_closed"].tolist() == [0, 0, 0, 1, 0]
    # Founded the year before its first figure: E2's 4 jobs are created in 2013
    founding = impact.job_flows(panel, _only(panel, "E2"))
    assert _nan_list(founding["created"]) == [None, 0, 0, 4, 1]
    assert _nan_list(founding["unexplained"]) == [None, 0, 0, 0, 0]
    # Stops reporting in 2013 while trading (closes only in 2014): unexplained, not lost
    quiet = impact.job_flows(panel, _only(panel, "E5"))
    assert _nan_list(quiet["created"]) == [None, 3, 0, 0, 0]
    assert _nan_list(quiet["lost"]) == [None, 0, 0, 0, 0]
    assert _nan_list(quiet["unexplained"]) == [None, 0, 0, -3, 0]


def test_job_flows_empty_mask_and_jobs_match_metrics(panel):
    flows = impact.job_flows(panel, np.zeros(len(panel.enterprises), dtype=bool))
    assert flows["jobs"].tolist() == [0] * 5
    assert _nan_list(flows["created"]) == [None, 0, 0, 0, 0]
    assert flows["enterprises_opened"].tolist() == [0] * 5
    everyone = impact.job_flows(panel, _all(panel))
    assert everyone["jobs"].tolist() == metrics.jobs_by_year(panel, _all(panel))["jobs"].tolist()


# ---- Per resident ------------------------------------------------------------------------------------
#
# Year 2014, growth over 4 years (from 2010):
# A1: active E1, E2 (E3 closed 2013) → 2; jobs 15 + 5 = 20; per 10k: 2 / 20,000 × 10,000 = 1.0 and 10.0;
#     jobs 2010: 10 + 6 = 16 → growth 20 / 16 − 1 = 0.25; disadvantaged: E1 only reports, 3 of 15 = 0.2;
#     turnover (300,000 + 100,000) / 20 jobs = £20,000 per job.
# A2: no population; active E4, E7 (E5 closed 2014) → 2; jobs 7 + 2 = 9; jobs 2010: 8 (< 10: too few);
#     disadvantaged not reported; turnover in GBP (E4) and JPY (E7): mixed, not added.
# A3: active E8 → 1, jobs 1 → 10.0 and 10.0 per 10k; 0 jobs in 2010 → too few; no turnover.
# J1: active E6 → 1; jobs 30 → 2.0 and 60.0 per 10k; jobs 2010: 20 → growth 0.5; 6 of 30 = 0.2;
#     ¥90,000,000 / 30 = ¥3,000,000 per job.
# Wilson 95 % (z = 1.96), (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n):
#   3/15: centre (0.2 + 0.128053) / 1.256107 = 0.261164, half 1.560360 × 0.122210 = 0.190691 → 0.0705–0.4519
#   6/30: centre (0.2 + 0.064027) / 1.128053 = 0.234056, half 1.737508 × 0.080003 = 0.139005 → 0.0951–0.3731

def test_per_resident_known_answers(panel, hand):
    table = impact.per_resident(panel, _all(panel), hand.areas, 2014, growth_years=4).set_index("code")
    assert list(table.index) == ["A1", "A2", "A3", "J1"]  # by country, then code
    assert table["enterprises"].to_dict() == {"A1": 2, "A2": 2, "A3": 1, "J1": 1}
    assert table["jobs"].to_dict() == {"A1": 20, "A2": 9, "A3": 1, "J1": 30}
    assert _nan_list(table["enterprises_per_10k"]) == [1.0, None, 10.0, 2.0]
    assert _nan_list(table["jobs_per_10k"]) == [10.0, None, 10.0, 60.0]
    assert _nan_list(table["jobs_then"]) == [16.0, 8.0, 0.0, 20.0]
    assert _nan_list(table["growth"]) == [0.25, None, None, 0.5]
    assert _nan_list(table["disadvantaged_share"]) == [0.2, None, None, 0.2]
    assert table.loc["A1", "share_lower"] == pytest.approx(0.0705, abs=1e-4)
    assert table.loc["A1", "share_upper"] == pytest.approx(0.4519, abs=1e-4)
    assert table.loc["J1", "share_lower"] == pytest.approx(0.0951, abs=1e-4)
    assert table.loc["J1", "share_upper"] == pytest.approx(0.3731, abs=1e-4)
    assert _nan_list(table["turnover_per_job"]) == [20_000.0, None, None, 3_000_000.0]
    assert table["currency"].tolist() == ["GBP", None, None, "JPY"]
    # population with its year and source, as given
    assert table.loc["A1", "population"] == 20_000 and table.loc["A1", "population_year"] == 2021
    assert table.loc["J1", "population_source"] == "e-Stat" and table.loc["J1", "name_ja"] == "ジェイ"
    assert table["note"].tolist() == [None, "no_population", "too_few", None]
    assert table.loc["A2", "notes"] == "no_population;too_few;not_reported;mixed_currency"
    assert table.loc["A3", "notes"] == "too_few;not_reported;no_turnover"


def test_per_resident_thresholds_and_base_year(panel, hand):
    # 5 years before 2014 is 2009, before the data: no growth, "no_base_year"
    table = impact.per_resident(panel, _all(panel), hand.areas, 2014).set_index("code")
    assert table["growth"].isna().all() and table["jobs_then"].isna().all()
    assert "no_base_year" in table.loc["A1", "notes"].split(";")
    # with min_count 20, A1's 15 reporting jobs are too few for a share; J1's 30 are enough
    strict = impact.per_resident(panel, _all(panel), hand.areas, 2014, min_count=20, growth_years=4).set_index("code")
    assert math.isnan(strict.loc["A1", "disadvantaged_share"]) and strict.loc["A1", "note"] == "too_few"
    assert strict.loc["J1", "disadvantaged_share"] == 0.2


def test_per_resident_without_population_or_area_table(panel):
    # No area table at all: every rate is missing with "no_population"; countries come from the enterprises
    table = impact.per_resident(panel, _all(panel), pd.DataFrame(), 2014, growth_years=4).set_index("code")
    assert table["jobs_per_10k"].isna().all() and table["enterprises_per_10k"].isna().all()
    assert set(table["note"]) == {"no_population"}
    assert table["country"].to_dict() == {"A1": "GB", "A2": "GB", "A3": "GB", "J1": "JP"}
    assert table["jobs"].to_dict() == {"A1": 20, "A2": 9, "A3": 1, "J1": 30}


def test_per_resident_only_areas_under_the_mask(panel, hand):
    table = impact.per_resident(panel, _only(panel, "E6"), hand.areas, 2014)
    assert table["code"].tolist() == ["J1"]
    empty = impact.per_resident(panel, np.zeros(len(panel.enterprises), dtype=bool), hand.areas, 2014)
    assert len(empty) == 0 and {"code", "jobs_per_10k", "note"} <= set(empty.columns)


def test_disadvantaged_share_total(panel):
    # 2014: E1 3 of 15 and E6 6 of 30 → 9 of 45 = 0.2
    share = impact.disadvantaged_share(panel, _all(panel), 2014)
    assert (share.hires, share.jobs, share.share, share.note) == (9, 45, 0.2, None)
    assert share.lower < 0.2 < share.upper
    assert impact.disadvantaged_share(panel, _all(panel), 2013).note == "not_reported"
    assert impact.disadvantaged_share(panel, _all(panel), 2014, min_count=50).note == "too_few"


# ---- Small numbers -----------------------------------------------------------------------------------

def test_wilson_interval_textbook_value():
    # 8 of 10: 0.490 to 0.943 (Newcombe 1998, Wilson score interval)
    low, high = impact.wilson_interval(8, 10)
    assert (round(low, 3), round(high, 3)) == (0.490, 0.943)
    lows, highs = impact.wilson_interval(np.array([0, 8, 3]), np.array([10, 10, 0]))
    assert lows[0] == 0.0 and round(highs[0], 4) == 0.2775  # 0 of 10: z²/(n + z²) = 3.8416 / 13.8416
    assert round(lows[1], 3) == 0.490
    assert math.isnan(lows[2]) and math.isnan(highs[2])
    assert impact.MIN_COUNT == 10


# ---- Reference statistics ----------------------------------------------------------------------------

def test_reference_stats():
    # GB: 1, 2, 3, 10 (NaN left out) → n 4, median 2.5, mean 4; squared deviations 9 + 4 + 1 + 36 = 50,
    # std √(50 / 3) = 4.0825. JP: one area → std NaN.
    table = pd.DataFrame({"country": ["GB", "GB", "GB", "GB", "GB", "JP"],
                          "jobs_per_10k": [1.0, 2.0, 3.0, np.nan, 10.0, 4.0]})
    ref = impact.reference_stats(table, "jobs_per_10k").set_index("country")
    assert ref["n"].to_dict() == {"GB": 4, "JP": 1}
    assert ref.loc["GB", "median"] == 2.5 and ref.loc["GB", "mean"] == 4.0
    assert ref.loc["GB", "std"] == pytest.approx(math.sqrt(50 / 3))
    assert ref.loc["JP", "median"] == 4.0 and math.isnan(ref.loc["JP", "std"])
    assert impact.reference_stats(table.iloc[:0], "jobs_per_10k").empty
    assert impact.reference_stats(table, "missing_column").empty


# ---- Net additional jobs -----------------------------------------------------------------------------

def test_additionality_arithmetic():
    # 100 × 0.9 × 0.75 × 1 × 1.2 × 0.75 = 60.75
    params = impact.Additionality(deadweight=0.25, leakage=0.1, displacement=0.25, substitution=0.0, multiplier=1.2)
    assert params.factor() == pytest.approx(0.6075)
    assert impact.net_additional(100, params) == pytest.approx(60.75)
    assert isinstance(impact.net_additional(100, params), float)
    array = impact.net_additional(np.array([100.0, 0.0]), params)
    assert isinstance(array, np.ndarray) and array.tolist() == pytest.approx([60.75, 0.0])
    series = impact.net_additional(pd.Series([200.0], index=["x"]), params)
    assert isinstance(series, pd.Series) and series["x"] == pytest.approx(121.5)
    steps = impact.additionality_steps(100, params)
    assert steps["step"].tolist() == ["gross", "after_leakage", "after_displacement", "after_substitution",
                                      "with_multiplier", "net"]
    # 100 → 90 → 67.5 → 67.5 → 81 → 60.75
    assert steps["value"].tolist() == pytest.approx([100, 90, 67.5, 67.5, 81, 60.75])
    assert params.as_dict() == {"deadweight": 0.25, "leakage": 0.1, "displacement": 0.25, "substitution": 0.0,
                                "multiplier": 1.2}


def test_additionality_defaults_and_validation():
    default = impact.Additionality()
    assert default.validate() == []
    # 0.9 × 0.75 × 1 × 1 × 0.75 = 0.50625
    assert default.factor() == pytest.approx(0.50625)
    bad = impact.Additionality(deadweight=1.2, leakage=-0.1, multiplier=0.5)
    assert bad.validate() == ["deadweight_out_of_range", "leakage_out_of_range", "multiplier_out_of_range"]
    assert impact.Additionality(multiplier=3.5).validate() == ["multiplier_out_of_range"]
    assert impact.Additionality(substitution=float("nan")).validate() == ["substitution_out_of_range"]


# ---- Local multiplier LM3 ----------------------------------------------------------------------------

WORKED = impact.LocalSpend(wages_share=0.5, wages_local=0.8, staff_respend=0.5,
                           suppliers_share=0.4, suppliers_local=0.5, suppliers_respend=0.45)


def test_lm3_worked_example():
    # Income £10,000 (round 1). Round 2: wages to local staff 10,000 × 0.5 × 0.8 = 4,000, plus local
    # suppliers 10,000 × 0.4 × 0.5 = 2,000 → 6,000. Round 3: local staff re-spend 4,000 × 0.5 = 2,000 and
    # local suppliers 2,000 × 0.45 = 900 → 2,900. LM3 = (10,000 + 6,000 + 2,900) / 10,000 = 1.89.
    result = impact.lm3(10_000, WORKED)
    assert result["round1"] == 10_000
    assert result["round2"] == pytest.approx(6_000)
    assert result["round3"] == pytest.approx(2_900)
    assert result["local_value"] == pytest.approx(18_900)
    assert result["lm3"] == pytest.approx(1.89)
    assert math.isnan(impact.lm3(0, WORKED)["lm3"])
    assert WORKED.validate() == [] and impact.LocalSpend().validate() == []
    assert impact.LocalSpend(wages_share=0.8, suppliers_share=0.5).validate() == ["spend_above_income"]
    assert impact.LocalSpend(staff_respend=1.5).validate() == ["staff_respend_out_of_range"]
    assert set(impact.LOCAL_SPEND_FIELDS) == set(impact.LocalSpend().as_dict())


def test_lm3_by_area_keeps_currencies_apart(panel, hand):
    # 2014 turnover: A1 £300,000 + £100,000 = £400,000 → local £756,000; A2 £50,000 and ¥1,000,000 on
    # two rows; J1 ¥90,000,000 → ¥170,100,000; A3 has none (note "no_turnover").
    table = impact.lm3_by_area(panel, _all(panel), 2014, WORKED, hand.areas)
    assert list(table.columns) == ["area", "name", "country", "currency", "enterprises", "turnover", "local_value",
                                   "lm3", "note"]
    rows = {(a, c): r for a, c, r in zip(table["area"], table["currency"], table.to_dict("records"))}
    assert set(rows) == {("A1", "GBP"), ("A2", "GBP"), ("A2", "JPY"), ("A3", None), ("J1", "JPY")}
    assert rows[("A1", "GBP")]["turnover"] == 400_000 and rows[("A1", "GBP")]["enterprises"] == 2
    assert rows[("A1", "GBP")]["local_value"] == pytest.approx(756_000)
    assert rows[("A1", "GBP")]["lm3"] == pytest.approx(1.89)
    assert rows[("A2", "JPY")]["turnover"] == 1_000_000 and rows[("A2", "GBP")]["turnover"] == 50_000
    assert rows[("J1", "JPY")]["local_value"] == pytest.approx(170_100_000)
    assert rows[("J1", "JPY")]["country"] == "JP" and rows[("A1", "GBP")]["name"] == "Alpha"
    none = rows[("A3", None)]
    assert none["note"] == "no_turnover" and math.isnan(none["turnover"]) and none["enterprises"] == 0
    assert impact.lm3_by_area(panel, np.zeros(len(panel.enterprises), dtype=bool), 2014, WORKED, hand.areas).empty


# ---- Cost per job ------------------------------------------------------------------------------------
#
# Jobs created in A1: 2013: E2 4; 2014: E1 6 + E2 1 = 7. In J1: 2014: 5. In A3: none.
# Factor 0.6075 (as in test_additionality_arithmetic).
# A1 GBP: £70,000 (2013) + £30,000 (2014) = £100,000; gross 4 + 7 = 11 → £9,090.91 per gross job;
#         net 11 × 0.6075 = 6.6825 → £14,964.46 per net job.
# A1 JPY: ¥1,400,000 (2014) → gross 7 → ¥200,000; net 4.2525 → ¥329,218.11. Not added to the pounds.
# J1 JPY: ¥5,000,000 (2014) + ¥1,000,000 (2010, the first year: no flows) → gross 5 → ¥1,200,000;
#         net 3.0375 → ¥1,975,308.64.
# A3 GBP: £500 (2014) → no jobs created.

def test_cost_per_job_two_currencies_kept_apart(panel, hand):
    params = impact.Additionality(deadweight=0.25, leakage=0.1, displacement=0.25, substitution=0.0, multiplier=1.2)
    spending = pd.DataFrame({
        "area": ["A1", "A1", "A1", "J1", "J1", "A3", "A1", "A1", None, "J1"],
        "year": [2013, 2014, 2014, 2014, 2010, 2014, 2014, 2014, 2014, 2014],
        "amount": [70_000, 30_000, 1_400_000, 5_000_000, 1_000_000, 500, -5, "lots", 10, 10],
        "currency": ["GBP", "GBP", "JPY", "JPY", "JPY", "GBP", "GBP", "GBP", "GBP", "EUR"],
    })
    costs, problems = impact.cost_per_job(spending, panel, _all(panel), params, hand.areas)
    rows = costs.set_index(["area", "currency"])
    assert sorted(rows.index) == [("A1", "GBP"), ("A1", "JPY"), ("A3", "GBP"), ("J1", "JPY")]
    assert rows.loc[("A1", "GBP"), "spend"] == 100_000 and rows.loc[("A1", "JPY"), "spend"] == 1_400_000
    assert rows.loc[("A1", "GBP"), "gross_jobs"] == 11 and rows.loc[("A1", "JPY"), "gross_jobs"] == 7
    assert rows.loc[("A1", "GBP"), "net_jobs"] == pytest.approx(6.6825)
    assert rows.loc[("A1", "GBP"), "cost_per_gross_job"] == pytest.approx(9_090.909, abs=1e-3)
    assert rows.loc[("A1", "GBP"), "cost_per_net_job"] == pytest.approx(14_964.459, abs=1e-3)
    assert rows.loc[("A1", "JPY"), "cost_per_gross_job"] == pytest.approx(200_000)
    assert rows.loc[("J1", "JPY"), "gross_jobs"] == 5 and rows.loc[("J1", "JPY"), "spend"] == 6_000_000
    assert rows.loc[("J1", "JPY"), "cost_per_gross_job"] == pytest.approx(1_200_000)
    assert rows.loc[("J1", "JPY"), "cost_per_net_job"] == pytest.approx(1_975_308.642, abs=1e-3)
    assert rows.loc[("J1", "JPY"), "country"] == "JP" and rows.loc[("A1", "GBP"), "name"] == "Alpha"
    a3 = rows.loc[("A3", "GBP")]
    assert a3["gross_jobs"] == 0 and math.isnan(a3["cost_per_gross_job"]) and math.isnan(a3["cost_per_net_job"])
    assert a3["note"] == "no_jobs_created"
    assert rows["note"].isna().sum() == 3
    # dropped rows (negative, not a number, no area, unknown currency) and the first-year row, reported
    assert [(p.row, p.code) for p in problems] == [(4, "year_without_flows"), (6, "negative_amount"),
                                                   (7, "invalid_amount"), (8, "missing_area"), (9, "invalid_currency")]
    assert all(str(p) for p in problems)


def test_cost_per_job_input_checks(panel):
    params = impact.Additionality()
    with pytest.raises(ValueError, match="amount"):
        impact.cost_per_job(pd.DataFrame({"area": ["A1"], "year": [2014], "currency": ["GBP"]}), panel,
                            _all(panel), params)
    nothing, problems = impact.cost_per_job(
        pd.DataFrame({"area": ["A1"], "year": [2014], "amount": [-1], "currency": ["GBP"]}), panel, _all(panel), params)
    assert nothing.empty and [p.code for p in problems] == ["negative_amount"]
    # an area with no enterprise in view: kept, no jobs, and said so
    out, problems = impact.cost_per_job(
        pd.DataFrame({"area": ["A1"], "year": [2014], "amount": [100.0], "currency": ["GBP"]}), panel,
        _only(panel, "E6"), params)
    assert out["note"].tolist() == ["no_jobs_created"] and [p.code for p in problems] == ["area_not_in_view"]
    # deadweight 1: every job would have happened anyway, so no cost per net job
    out, _ = impact.cost_per_job(
        pd.DataFrame({"area": ["A1"], "year": [2014], "amount": [700.0], "currency": ["GBP"]}), panel, _all(panel),
        impact.Additionality(deadweight=1.0))
    assert out["cost_per_gross_job"].tolist() == [100.0] and out["note"].tolist() == ["no_net_jobs"]


# ---- Metric availability -----------------------------------------------------------------------------

def test_available_metrics(tiny, panel):
    # conftest's tiny dataset reports headcount and FTE only
    assert impact.available_metrics(metrics.build_panel(tiny)) == {
        "fte": True, "disadvantaged_hires": False, "volunteers": False, "turnover": False}
    assert impact.available_metrics(panel) == {
        "fte": False, "disadvantaged_hires": True, "volunteers": False, "turnover": True}
    no_turnover = metrics.build_panel(_dataset(with_turnover=False))
    assert impact.available_metrics(no_turnover)["turnover"] is False
    table = impact.lm3_by_area(no_turnover, _all(no_turnover), 2014, WORKED, None)
    assert set(table["note"]) == {"no_turnover"} and table["turnover"].isna().all()


# ---- The sample panel: shape and sanity --------------------------------------------------------------

@pytest.fixture(scope="module")
def sample():
    ds = load_sample()
    return ds, metrics.build_panel(ds)


def test_sample_flows_and_per_resident(sample):
    ds, panel = sample
    everyone = _all(panel)
    flows = impact.job_flows(panel, everyone)
    assert len(flows) == panel.year_max - panel.year_min + 1
    assert flows["created"].iloc[1:].gt(0).all() and flows["lost"].iloc[1:].ge(0).all()
    change = flows["jobs"].diff().iloc[1:].to_numpy()
    assert np.array_equal(change, (flows["created"] - flows["lost"] + flows["unexplained"]).iloc[1:].to_numpy())
    year = panel.year_max
    table = impact.per_resident(panel, everyone, ds.areas, year)
    assert set(table["code"]) == set(panel.enterprises["area"].astype(str))
    assert table["jobs"].sum() == metrics.jobs_by_year(panel, everyone).set_index("year").loc[year, "jobs"]
    no_population = table["population"].isna()
    assert table.loc[no_population, "jobs_per_10k"].isna().all()
    assert table.loc[~no_population, "jobs_per_10k"].notna().all()
    assert (table.loc[no_population, "note"] == "no_population").all()
    assert table["currency"].dropna().isin(["GBP", "JPY"]).all()
    assert (table.loc[table["country"] == "GB", "currency"].dropna() == "GBP").all()
    ref = impact.reference_stats(table, "jobs_per_10k")
    assert set(ref["country"]) == {"GB", "JP"} and (ref["n"] >= 2).all()
    lm3 = impact.lm3_by_area(panel, everyone, year, impact.LocalSpend(), ds.areas)
    assert lm3["lm3"].dropna().round(6).nunique() == 1


def test_with_empty_areas_counts_places_with_nothing_in_view_as_zero():
    table = pd.DataFrame({"code": ["A"], "country": ["GB"], "jobs_per_10k": [12.0]})
    areas = pd.DataFrame({"code": ["A", "B", "C"], "country": ["GB", "GB", "GB"], "population": [1000, 2000, None]})
    out = impact.with_empty_areas(table, areas, ("jobs_per_10k",))
    assert list(out["code"]) == ["A", "B"]  # C has no population: no rate, not a zero
    assert list(out["jobs_per_10k"]) == [12.0, 0.0]
    stats = impact.reference_stats(out, "jobs_per_10k").set_index("country")
    assert stats.loc["GB", "median"] == 6.0
