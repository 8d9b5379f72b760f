"""Scenario planner: donor extraction and the Monte Carlo, on hand-made data with answers worked out by hand."""

import json

import numpy as np
import pandas as pd
import pytest

from regen import metrics, scenario
from regen.dataset import Dataset, load_sample
from regen.schema import validate

NAN = np.nan


def make_panel(enterprises: list[tuple], figures: list[tuple]) -> metrics.Panel:
    """A panel from (id, founded, closed) and (id, year, employees) tuples (all in Sunderland, GB)."""
    ent = pd.DataFrame([{
        "enterprise_id": eid, "name": f"Enterprise {eid}", "legal_form": "cic", "sector": "care",
        "founded": founded, "closed": closed, "country": "GB", "region": "north_east", "area": "E08000024",
        "lat": 54.9, "lon": -1.38, "geo_precision": "exact",
    } for eid, founded, closed in enterprises])
    ent["closed"] = ent["closed"].astype("Int64")
    fig = pd.DataFrame(figures, columns=["enterprise_id", "year", "employees"])
    areas = pd.DataFrame({"code": ["E08000024"], "name": ["Sunderland"], "country": ["GB"], "region": ["north_east"],
                          "population": [277_000]})
    tables = {}
    for kind, frame in (("enterprises", ent), ("figures", fig), ("areas", areas)):
        tables[kind], problems = validate(frame, kind)
        assert problems == [], problems
        tables[kind] = tables[kind].reset_index(drop=True)
    return metrics.build_panel(Dataset(tables["enterprises"], tables["figures"], tables["areas"], name="hand"))


# Figures run 2020-2025, so year_min = 2020 and year_max = 2025: an enterprise founded in F is followed to
# age 2025 - F. Expected paths by age 0..5 (the earliest donor, B or E, founded 2020, is followed to age 5).
PANEL_ENTERPRISES = [
    ("A", 2024, None),  # trading, followed to age 1: [5, 5] then censored
    ("B", 2020, 2022),  # closed at age 2: [1, 1] then 0 for ever
    ("C", 2022, None),  # trading, followed to age 3: [3, 3, 3, 3]
    ("D", 2018, None),  # founded before the figures start: not a donor
    ("E", 2020, None),  # gaps in 2021, 2023 and 2024 carried forward: [4, 4, 6, 6, 6, 7]
    ("F", 2021, None),  # stops reporting after 2022 while trading: [2, 3, 3, 3, 3]
    ("G", 2021, None),  # first figure one year after founding: [0, 5, 5, 5, 5]
    ("H", 2021, None),  # trading with no figure at all: not a donor
    ("I", 2023, 2023),  # closed in its founding year, no figure: 0 jobs, closed at age 0
    ("J", 2021, 2023),  # closed at age 2; its 2023 figure (the closing year) is ignored: [2, 2, 0, ...]
    ("K", 2023, 2030),  # closing year after the data: still trading in the data, followed to age 2
]
PANEL_FIGURES = [
    ("A", 2024, 5), ("A", 2025, 5),
    ("B", 2020, 1), ("B", 2021, 1),
    ("C", 2022, 3), ("C", 2023, 3), ("C", 2024, 3), ("C", 2025, 3),
    ("D", 2020, 9), ("D", 2021, 9),
    ("E", 2020, 4), ("E", 2022, 6), ("E", 2025, 7),
    ("F", 2021, 2), ("F", 2022, 3),
    ("G", 2022, 5),
    ("J", 2021, 2), ("J", 2022, 2), ("J", 2023, 9),
    ("K", 2023, 8), ("K", 2024, 8), ("K", 2025, 8),
]


@pytest.fixture(scope="module")
def panel():
    return make_panel(PANEL_ENTERPRISES, PANEL_FIGURES)


@pytest.fixture(scope="module")
def sample_donors():
    return scenario.donors(metrics.build_panel(load_sample()))


def hand_donors(paths: list[list[float]], closed_at: list[int], observed_to: list[int]) -> scenario.Donors:
    ids = np.array([f"X{i}" for i in range(len(paths))], dtype=object)
    return scenario.Donors(paths=np.array(paths, dtype=float), closed_at=np.array(closed_at),
                           observed_to=np.array(observed_to), ids=ids)


# ---- donors ------------------------------------------------------------------------------------------

def test_donor_extraction_by_hand(panel):
    pool = scenario.donors(panel, np.ones(len(panel.enterprises), bool))
    assert pool.ids.tolist() == ["A", "B", "C", "E", "F", "G", "I", "J", "K"]  # D (before 2020) and H (no figure) out
    assert len(pool) == 9
    expected = np.array([
        [5, 5, NAN, NAN, NAN, NAN],  # A: censored after age 1
        [1, 1, 0, 0, 0, 0],          # B: closed at age 2
        [3, 3, 3, 3, NAN, NAN],      # C
        [4, 4, 6, 6, 6, 7],          # E: gaps carried forward
        [2, 3, 3, 3, 3, NAN],        # F: trailing gap carried forward to 2025 (age 4)
        [0, 5, 5, 5, 5, NAN],        # G: 0 before its first figure
        [0, 0, 0, 0, 0, 0],          # I: closed at age 0
        [2, 2, 0, 0, 0, 0],          # J: closed at age 2 (figure of the closing year ignored)
        [8, 8, 8, NAN, NAN, NAN],    # K: closes after the data's years, so censored after age 2
    ])
    np.testing.assert_array_equal(pool.paths, expected)
    assert pool.closed_at.tolist() == [-1, 2, -1, -1, -1, -1, 0, 2, -1]
    assert pool.observed_to.tolist() == [1, 2, 3, 5, 4, 4, 0, 2, 2]
    assert pool.max_age == 5
    assert pool.trading(2).tolist() == [False, False, True, True, True, True, False, False, True]
    assert pool.followed(3).tolist() == [False, True, True, True, True, True, True, True, False]


def test_donor_mask_and_odd_masks(panel):
    n = len(panel.enterprises)
    ids = panel.enterprises["enterprise_id"].astype(str)
    assert scenario.donors(panel, ids.isin(["C", "D", "H"]).to_numpy()).ids.tolist() == ["C"]
    one = scenario.donors(panel, (ids == "C").to_numpy())
    assert one.paths.shape == (1, 4)  # C, founded 2022, is followed to age 3
    empty = scenario.donors(panel, np.zeros(n, bool))
    assert len(empty) == 0 and empty.paths.shape[0] == 0
    assert len(scenario.donors(panel, (ids == "D").to_numpy())) == 0
    with pytest.raises(ValueError, match="mask"):
        scenario.donors(panel, np.ones(n + 1, bool))


# ---- simulation: known answers -----------------------------------------------------------------------

def test_identical_donors_give_exact_band():
    # Every donor: 2, 3, 4 jobs at ages 0-2, closed at age 3. Five enterprises: 10, 15, 20 jobs, then 0.
    pool = hand_donors([[2, 3, 4, 0]] * 3, [3] * 3, [3] * 3)
    result = scenario.simulate(pool, 5, 5, runs=200, start_year=2027)
    band = result.band
    assert band["year_offset"].tolist() == [0, 1, 2, 3, 4, 5]
    assert band["year"].tolist() == [2027, 2028, 2029, 2030, 2031, 2032]
    for column in ("jobs_p10", "jobs_median", "jobs_p90", "jobs_mean"):
        assert band[column].tolist() == [10, 15, 20, 0, 0, 0], column
    for column in ("trading_p10", "trading_median", "trading_p90", "trading_mean"):
        assert band[column].tolist() == [5, 5, 5, 0, 0, 0], column
    assert result.warnings == ("too_few_donors",)  # 3 < MIN_DONORS, still computed
    assert (result.covered_to, result.any_trading_share, result.donors) == (5, 0.0, 3)
    # enough identical donors: no warning, same band
    many = scenario.simulate(hand_donors([[2, 3, 4, 0]] * 12, [3] * 12, [3] * 12), 5, 5, runs=200)
    assert many.warnings == () and many.band["jobs_median"].tolist() == [10, 15, 20, 0, 0, 0]
    assert "year" not in many.band.columns


def test_two_donors_half_survive():
    # Donor 0 closes at age 1; donor 1 trades through age 3. Each new enterprise copies one of them with
    # probability 1/2, so at age 2 the trading count of a run is Binomial(N=10, 1/2): mean 5, variance
    # N p (1 - p) = 2.5. The mean over R = 10,000 independent runs has SD sqrt(2.5 / 10,000) = 0.0158;
    # the tolerance 0.08 is 5 SD. Jobs: each enterprise has 2 jobs with probability 1/2 (variance 1 per
    # enterprise, 10 per run), mean 10 with SD sqrt(10 / 10,000) = 0.032 → tolerance 0.16 (5 SD).
    pool = hand_donors([[1, 0, 0, 0], [2, 2, 2, 2]], [1, -1], [1, 3])
    band = scenario.simulate(pool, 10, 2, runs=10_000).band
    assert band.loc[0, "trading_mean"] == 10  # nobody closes at age 0
    assert band.loc[2, "trading_mean"] == pytest.approx(5.0, abs=0.08)
    assert band.loc[2, "jobs_mean"] == pytest.approx(10.0, abs=0.16)
    assert band.loc[1, "trading_median"] == 5  # the median of Binomial(10, 1/2) is 5


def test_rematching_takes_a_donor_at_risk(panel):
    # Donors A [5, 5 | censored], B [1, 1, closed at 2], C [3, 3, 3, 3 | censored]. An enterprise copying A
    # needs a new donor at age 2; the donors trading at age 1 and followed at age 2 are B and C, one each:
    # P(trading at 2) = 1/3 (C) + 1/3 × 1/2 (A → C) = 1/2 (the Kaplan–Meier survival: 1 - 1/2 at age 2).
    # Drawing only among donors still trading at 2 (C) would give 2/3. Jobs at 2: 3 × 1/2 = 1.5 per
    # enterprise. With N = 10 and 10,000 runs: trading SD of the mean sqrt(2.5 / 10^4) = 0.016 (tolerance
    # 0.08); jobs per enterprise 3 × Bernoulli(1/2) has variance 2.25, per run 22.5, SD of the mean 0.047
    # (tolerance 0.25). At ages 0 and 1 an enterprise has 5, 1 or 3 jobs (mean 3, variance 8/3): mean 30
    # per run, SD of the mean sqrt(26.7 / 10^4) = 0.052 (tolerance 0.25). At age 4 no donor trading at 3 (C)
    # is followed: the projection stops after age 3.
    ids = panel.enterprises["enterprise_id"].astype(str)
    pool = scenario.donors(panel, ids.isin(["A", "B", "C"]).to_numpy())
    result = scenario.simulate(pool, 10, 6, runs=10_000)
    band = result.band
    assert result.warnings == ("too_few_donors", "horizon_beyond_data")
    assert result.covered_to == 3 and band["year_offset"].tolist() == [0, 1, 2, 3]
    assert band.loc[0, "jobs_mean"] == pytest.approx(30.0, abs=0.25)
    assert band.loc[1, "jobs_mean"] == pytest.approx(30.0, abs=0.25)
    assert band.loc[1, "trading_mean"] == 10
    assert band.loc[2, "trading_mean"] == pytest.approx(5.0, abs=0.08)
    assert band.loc[2, "jobs_mean"] == pytest.approx(15.0, abs=0.25)
    assert band.loc[3, "trading_mean"] == band.loc[2, "trading_mean"]  # C does not close at 3
    assert band.loc[3, "jobs_mean"] == band.loc[2, "jobs_mean"]


def test_support_scales_closure_risk():
    # Same two donors as above: closure risk at age 1 is h = 1/2.
    # more (m = 0.75): closes with probability 0.75 × 1/2 = 0.375 → trading 0.625 × 10 = 6.25.
    # less (m = 1.25): donor 1 enterprises are closed with q = 0.25 × 0.5 / 0.5 = 0.25, so the risk is
    # 1/2 + 1/2 × 0.25 = 0.625 → trading 3.75. Binomial variance 10 × 0.625 × 0.375 = 2.34, SD of the mean
    # over 10,000 runs 0.015; tolerance 0.08 (5 SD).
    pool = hand_donors([[1, 0, 0, 0], [2, 2, 2, 2]], [1, -1], [1, 3])
    trading = {s: scenario.simulate(pool, 10, 2, runs=10_000, support=s).band.loc[2, "trading_mean"]
               for s in scenario.SUPPORT}
    assert trading["more"] == pytest.approx(6.25, abs=0.08)
    assert trading["as_observed"] == pytest.approx(5.0, abs=0.08)
    assert trading["less"] == pytest.approx(3.75, abs=0.08)


def test_support_order_on_sample(sample_donors):
    bands = {s: scenario.simulate(sample_donors, 10, 10, support=s).band for s in scenario.SUPPORT}
    means = {s: band.iloc[-1] for s, band in bands.items()}
    assert means["more"]["trading_mean"] > means["as_observed"]["trading_mean"] > means["less"]["trading_mean"]
    assert means["more"]["jobs_mean"] > means["as_observed"]["jobs_mean"] > means["less"]["jobs_mean"]
    # Common random numbers: in every run and year, more support never has fewer enterprises trading than
    # as observed, and less support never more; so every percentile of the trading count is ordered too.
    for column in ("trading_p10", "trading_median", "trading_p90"):
        assert (bands["more"][column] >= bands["as_observed"][column]).all(), column
        assert (bands["as_observed"][column] >= bands["less"][column]).all(), column


# ---- reproducibility, limits, validation ---------------------------------------------------------------

def test_same_seed_same_band(sample_donors):
    one = scenario.simulate(sample_donors, 10, 10, seed=7)
    two = scenario.simulate(sample_donors, 10, 10, seed=7)
    pd.testing.assert_frame_equal(one.band, two.band)
    other = scenario.simulate(sample_donors, 10, 10, seed=8)
    assert not np.array_equal(one.band["jobs_mean"].to_numpy(), other.band["jobs_mean"].to_numpy())
    # a longer horizon extends a shorter one (fixed-size draws at every age)
    longer = scenario.simulate(sample_donors, 10, 15, seed=7)
    pd.testing.assert_frame_equal(longer.band.iloc[:11], one.band)


def test_sample_shape_and_sanity(sample_donors):
    assert len(sample_donors) == 318  # sample enterprises founded 2001 or later, all with figures
    assert sample_donors.paths.shape == (318, 25)  # the earliest, founded 2001, followed to age 24
    result = scenario.simulate(sample_donors, 10, 10)
    band = result.band
    assert list(band.columns) == list(scenario.BAND_COLUMNS)
    assert len(band) == 11 and result.warnings == () and result.covered_to == 10
    assert (band["jobs_p10"] <= band["jobs_median"]).all() and (band["jobs_median"] <= band["jobs_p90"]).all()
    assert (band["trading_p90"] <= 10).all() and band.loc[0, "trading_p10"] == 10  # no sample donor closed at age 0
    assert band["trading_mean"].is_monotonic_decreasing
    assert 0 < result.any_trading_share <= 1
    text = json.dumps(result.as_dict(), allow_nan=False)
    assert json.loads(text)["band"][0]["year_offset"] == 0


def test_no_donors_gives_empty_band(panel):
    empty = scenario.donors(panel, np.zeros(len(panel.enterprises), bool))
    result = scenario.simulate(empty, 10, 10, start_year=2026)
    assert result.warnings == ("no_donors",)
    assert result.band.empty and list(result.band.columns) == ["year_offset", "year", *scenario.BAND_COLUMNS[1:]]
    assert result.covered_to == -1 and result.any_trading_share is None
    assert json.loads(json.dumps(result.as_dict(), allow_nan=False))["band"] == []
    assert scenario.to_csv_frame(result, population=1000).empty


def test_to_csv_frame_per_resident():
    pool = hand_donors([[2, 3, 4, 0]] * 12, [3] * 12, [3] * 12)
    result = scenario.simulate(pool, 5, 3, runs=100, support="more")
    frame = scenario.to_csv_frame(result, population=20_000)
    # 20 jobs at age 2 in a place of 20,000 residents: 20 / 20,000 × 10,000 = 10 per 10,000
    assert frame["jobs_median_per_10k"].tolist() == [5.0, 7.5, 10.0, 0.0]
    assert frame["population"].unique().tolist() == [20_000]
    assert frame["support"].unique().tolist() == ["more"]
    assert frame["closure_risk_multiplier"].unique().tolist() == [0.75]
    for population in (None, 0, float("nan")):
        assert "jobs_median_per_10k" not in scenario.to_csv_frame(result, population=population)


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_enterprises=0), "n_enterprises"), (dict(n_enterprises=501), "n_enterprises"),
    (dict(n_enterprises=2.5), "n_enterprises"), (dict(n_enterprises=True), "n_enterprises"),
    (dict(horizon=0), "horizon"), (dict(horizon=31), "horizon"),
    (dict(runs=99), "runs"), (dict(runs=10_001), "runs"),
    (dict(support="lots"), "support"), (dict(seed=-1), "seed"),
])
def test_validation(kwargs, message):
    pool = hand_donors([[1, 1]], [-1], [1])
    args = dict(n_enterprises=10, horizon=5, runs=100) | kwargs
    n, h = args.pop("n_enterprises"), args.pop("horizon")
    with pytest.raises(ValueError, match=message):
        scenario.simulate(pool, n, h, **args)
