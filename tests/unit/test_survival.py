"""Kaplan–Meier survival (regen.survival): hand-computed answers with censoring and late entry."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from regen import survival
from regen.dataset import Dataset, load_sample
from regen.metrics import build_panel

nan = np.nan
Z = 1.959963984540054

# ---- The hand-made cohort: records begin in 2010 (start year S), data complete up to 2020 (censor year Y).
# time T = closed − founded (or Y − founded when still trading / closed after Y); entry = S − F − 1 when F < S, else −1.
#    id  founded closed   → time  status        entry
#    A   2005    2012       7     closed          4   (late entry: at risk from age 5)
#    B   2006    —         14     censored        3   (late entry: at risk from age 4)
#    C   2008    2011       3     closed          1   (late entry: at risk from age 2)
#    D   2003    2009       —     closed before the records begin (T=6 ≤ entry 6): excluded_before_start
#    E   2010    2013       3     closed         −1
#    F   2011    2014       3     closed         −1
#    G   2012    —          8     censored       −1
#    H   2012    2017       5     closed         −1
#    I   2014    2016       2     closed         −1
#    J   2015    2022       5     censored (closed after Y)   −1
#    K   2016    —          4     censored       −1
#    L   2021    —          —     founded after Y: left out
#    M   —       2015       —     founding year unknown: left out (founded_unknown)
#    N   2013    2013       0     closed         −1
#    O   2017    —          3     censored       −1
# Included: A B C E F G H I J K N O → n = 12, closures A C E F H I N → 7, late entries A B C → 3.
FOUNDED = [2005, 2006, 2008, 2003, 2010, 2011, 2012, 2012, 2014, 2015, 2016, 2021, nan, 2013, 2017]
CLOSED = [2012, nan, 2011, 2009, 2013, 2014, nan, 2017, 2016, 2022, nan, nan, 2015, 2013, nan]

# Risk sets (at risk at age t when entry < t ≤ time), closures d, and the product:
#   t=0: E F G H I J K N O            n=9  d=1 (N)      S = 8/9
#   t=1: E F G H I J K O              n=8  d=0          S = 8/9
#   t=2: C E F G H I J K O            n=9  d=1 (I)      S = 8/9 · 8/9 = 64/81
#   t=3: C E F G H J K O              n=8  d=3 (C E F)  S = 64/81 · 5/8 = 40/81
#   t=4: B G H J K                    n=5  d=0          S = 40/81
#   t=5: A B G H J                    n=5  d=1 (H)      S = 40/81 · 4/5 = 32/81
#   t=6: A B G                        n=3  d=0
#   t=7: A B G                        n=3  d=1 (A)      S = 32/81 · 2/3 = 64/243
#   t=8: B G                          n=2  d=0
#   t=9…14: B                         n=1  d=0          (last time anyone is at risk: 14)
AT_RISK = [9, 8, 9, 8, 5, 5, 3, 3, 2, 1, 1, 1, 1, 1, 1]
EVENTS = [1, 0, 1, 3, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]
S_HAND = {0: 8 / 9, 1: 8 / 9, 2: 64 / 81, 3: 40 / 81, 4: 40 / 81, 5: 32 / 81, 6: 32 / 81, 7: 64 / 243}


def hand(**kw):
    args = dict(censor_year=2020, start_year=2010, min_count=3, horizons=(3, 5, 10, 15))
    return survival.kaplan_meier(FOUNDED, CLOSED, **(args | kw))


def test_hand_cohort_counts_and_risk_sets():
    r = hand()
    assert (r.n, r.events, r.late_entries, r.excluded_before_start) == (12, 7, 3, 1)
    assert (r.start_year, r.censor_year) == (2010, 2020)
    assert r.curve["years"].tolist() == list(range(15))
    assert r.curve["at_risk"].tolist() == AT_RISK
    assert r.curve["events"].tolist() == EVENTS
    for t, s in S_HAND.items():
        assert r.curve["survival"][t] == pytest.approx(s, rel=1e-12), t
    assert r.curve["survival"][14] == pytest.approx(64 / 243, rel=1e-12)


def test_hand_cohort_horizons_median_and_warnings():
    r = hand()
    assert r.at[3].estimate == pytest.approx(40 / 81, rel=1e-12)  # closures at exactly 3 count: S(3) = P(T > 3)
    assert r.at[5].estimate == pytest.approx(32 / 81, rel=1e-12)
    # S(10): at risk at ages 9 and 10 is 1 (< min_count 3); 15 is past the last time anyone is followed (14)
    assert r.at[10] == survival.Estimate(None, None, None)
    assert r.at[15] == survival.Estimate(None, None, None)
    assert r.median.estimate == 3.0  # S(2) = 64/81 > 0.5, S(3) = 40/81 ≤ 0.5
    assert r.warnings == ("founded_unknown", "late_entry", "excluded_before_start", "too_few_at_10",
                          "beyond_follow_up_15")


def test_too_few_at_horizon_uses_every_age_up_to_it():
    # min_count 6: ages 0..3 have ≥ 8 at risk, but age 4 has 5 → S(3) shown, S(5) not.
    r = hand(min_count=6, horizons=(3, 5))
    assert r.at[3].estimate == pytest.approx(40 / 81)
    assert r.at[5].estimate is None
    assert "too_few_at_5" in r.warnings
    # the median (age 3) rests on risk sets of 9, 8, 9, 8: still shown
    assert r.median.estimate == 3.0
    r = hand(min_count=9, horizons=(3,))
    assert r.at[3].estimate is None and r.median.estimate is None  # age 1 has 8 at risk
    assert "too_few_at_3" in r.warnings and "median_too_few" in r.warnings


def test_greenwood_loglog_interval_by_hand():
    r = hand()
    # Greenwood: Var S(t) = S(t)² Σ_{tᵢ ≤ t} dᵢ / (nᵢ (nᵢ − dᵢ))
    #   t=3: 1/(9·8) + 1/(9·8) + 3/(8·5) = 1/72 + 1/72 + 3/40 = 37/360
    #   t=5: 37/360 + 1/(5·4) = 37/360 + 18/360 = 55/360
    for t, s, total in ((3, 40 / 81, 37 / 360), (5, 32 / 81, 55 / 360)):
        se_ll = math.sqrt(total) / abs(math.log(s))  # se(log(−log S)) = se / (S |ln S|)
        lower = s ** math.exp(Z * se_ll)
        upper = s ** math.exp(-Z * se_ll)
        assert r.at[t].lower == pytest.approx(lower, rel=1e-10)
        assert r.at[t].upper == pytest.approx(upper, rel=1e-10)
        assert r.at[t].lower < s < r.at[t].upper
    # t=3 explicitly: se_ll = √(37/360) / ln(81/40) = 0.45474…; lower = (40/81)^e^(0.8913) ≈ 0.17923
    assert r.at[3].lower == pytest.approx(0.179228, abs=1e-6)
    assert r.at[3].upper == pytest.approx(0.748572, abs=1e-6)


def test_late_entry_changes_the_answer():
    # Without D (closed before 2010) and without a start year, everyone is at risk from age 0:
    #   t=0: n=12 d=1 → 11/12;  t=2: n=11 d=1 → 10/12;  t=3: n=10 (O censored at 3 still in) d=3 → 7/12
    #   t=4: n=6 (A B G H J K);  t=5: n=5 d=1 → 7/12 · 4/5 = 7/15
    founded = [f for i, f in enumerate(FOUNDED) if i != 3]
    closed = [c for i, c in enumerate(CLOSED) if i != 3]
    naive = survival.kaplan_meier(founded, closed, censor_year=2020, start_year=None, min_count=3)
    assert naive.at[3].estimate == pytest.approx(7 / 12, rel=1e-12)
    assert naive.at[5].estimate == pytest.approx(7 / 15, rel=1e-12)
    assert naive.late_entries == 0 and "left_truncation_unknown" in naive.warnings
    assert "late_entry" not in naive.warnings
    late = survival.kaplan_meier(founded, closed, censor_year=2020, start_year=2010, min_count=3)
    assert late.at[3].estimate == pytest.approx(40 / 81, rel=1e-12)  # lower: A B C no longer count at ages they were not seen
    assert late.at[5].estimate == pytest.approx(32 / 81, rel=1e-12)
    assert late.at[3].estimate < naive.at[3].estimate


def test_closed_after_censor_is_censored_and_founded_after_is_left_out():
    base = dict(censor_year=2020, start_year=2000, min_count=1, horizons=(3,))
    founded = [2010, 2011, 2012, 2013]
    # closed 2022 (after Y) is the same as still trading: censored at 2020 − 2013 = 7
    a = survival.kaplan_meier(founded, [2012, 2015, nan, 2022], **base)
    b = survival.kaplan_meier(founded, [2012, 2015, nan, nan], **base)
    assert a.events == b.events == 2
    assert a.curve.equals(b.curve)
    # T: 2, 4, 8 (censored), 7 (censored). S(3) = 1 − 1/4 = 3/4
    assert a.at[3].estimate == pytest.approx(3 / 4)
    # founded after the censor year: left out, nothing else changes
    c = survival.kaplan_meier(founded + [2021], [2012, 2015, nan, 2022, nan], **base)
    assert c.n == 4 and c.curve.equals(a.curve)
    # an earlier censor year: the 2015 closure is after it, so censored at 2014 − 2011 = 3
    d = survival.kaplan_meier(founded, [2012, 2015, nan, 2022], **(base | {"censor_year": 2014}))
    assert d.events == 1 and d.n == 4 and d.censor_year == 2014
    # T: 2 (closed 2012), 3 (censored: 2014 − 2011), 2 (censored), 1 (censored) → followed to age 3 at most
    assert d.curve["years"].max() == 3 and d.curve["events"].tolist() == [0, 0, 1, 0]


def test_too_few_and_odd_inputs_do_not_raise():
    r = survival.kaplan_meier([2010] * 9, [nan] * 9, censor_year=2020, start_year=2010)
    assert r.n == 9 and "too_few" in r.warnings
    assert all(e.estimate is None for e in r.at.values()) and r.median.estimate is None
    assert list(r.curve.columns) == list(survival.CURVE_COLUMNS) and r.curve.empty
    empty = survival.kaplan_meier([], [], censor_year=2020, start_year=None)
    assert empty.n == 0 and "too_few" in empty.warnings and set(empty.at) == set(survival.HORIZONS)
    unknown = survival.kaplan_meier([nan, nan], [nan, 2010], censor_year=2020, start_year=2000)
    assert unknown.n == 0 and unknown.warnings[0] == "founded_unknown"
    backwards = survival.kaplan_meier([2010, 2010], [2005, nan], censor_year=2020, start_year=2000, min_count=1)
    assert backwards.n == 1 and "closed_before_founded" in backwards.warnings
    json.dumps(empty.as_dict())


def test_no_closures_interval_at_one():
    # 12 enterprises founded 2010–2015, none closed, censor 2020: S = 1 everywhere.
    founded = [2010, 2010, 2011, 2011, 2012, 2012, 2013, 2013, 2014, 2014, 2015, 2015]
    r = survival.kaplan_meier(founded, [nan] * 12, censor_year=2020, start_year=2010)
    assert "no_closures" in r.warnings and "median_not_reached" in r.warnings and r.median.estimate is None
    # all 12 are followed through age 5 (shortest: founded 2015 → censored at 5); 0 closures among 12 →
    # exact one-sided 97.5 % bound 0.025^(1/12)
    assert r.at[3] == survival.Estimate(1.0, pytest.approx(0.025 ** (1 / 12)), 1.0)
    assert r.at[5] == survival.Estimate(1.0, pytest.approx(0.025 ** (1 / 12)), 1.0)
    assert "too_few_at_10" in r.warnings  # at age 10 only the 2 founded in 2010 are followed


def test_everyone_at_risk_closes():
    # 10 founded 2000, all closed 2002: S(0) = S(1) = 1, S(2) = 0; nobody followed past age 2.
    r = survival.kaplan_meier([2000] * 10, [2002] * 10, censor_year=2010, start_year=2000, horizons=(1, 3))
    assert r.curve["survival"].tolist() == [1.0, 1.0, 0.0]
    assert r.curve["lower"][2] == 0.0 and r.curve["upper"][2] == 1.0  # upper carried from age 1
    assert r.at[1].estimate == 1.0 and r.at[3].estimate is None and "beyond_follow_up_3" in r.warnings
    assert r.median.estimate == 2.0
    assert not r.curve[["survival", "lower", "upper"]].isna().any().any()


def test_median_interval_when_survival_jumps_over_half():
    # 2000 enterprises founded 2000; 1200 close in 2003, the rest trade on (censored at 10).
    # S(3) = 800/2000 = 0.4, so the median is 3. Greenwood: se_ll = √(1200/(2000·800)) / |ln 0.4| = 0.02989;
    # the log(−log) test at age 3 rejects S = 0.5 (|r| ≈ 9), so statsmodels' quantile_ci finds no age;
    # the band crosses 0.5 at age 3 on both sides: lower(3) ≈ 0.386 ≤ 0.5, upper(3) ≈ 0.414 ≤ 0.5.
    founded = [2000] * 2000
    closed = [2003] * 1200 + [nan] * 800
    r = survival.kaplan_meier(founded, closed, censor_year=2010, start_year=2000)
    assert r.at[3].estimate == pytest.approx(0.4)
    se_ll = math.sqrt(1200 / (2000 * 800)) / abs(math.log(0.4))
    assert r.at[3].lower == pytest.approx(0.4 ** math.exp(Z * se_ll))
    assert r.at[3].upper == pytest.approx(0.4 ** math.exp(-Z * se_ll)) and r.at[3].upper < 0.5
    assert r.median == survival.Estimate(3.0, 3.0, 3.0)


def test_median_interval_from_statsmodels():
    # A hand-sized case where the test finds ages: 20 founded 2000, closing 2 per year in 2001–2010.
    # S(t) = 1 − 2t/20 for t = 1..10 (no censoring) → S(5) = 0.5 → median 5.
    r = survival.kaplan_meier([2000] * 20, [2000 + t for t in range(1, 11) for _ in range(2)],
                              censor_year=2010, start_year=2000)
    assert [r.curve["survival"][t] for t in range(11)] == pytest.approx([1 - t / 10 for t in range(11)])
    assert r.median.estimate == 5.0
    # Pointwise bands: lower(t) ≤ 0.5 first at t=3 (S=0.7: 0.7^exp(1.96·se_ll) ≈ 0.453), upper ≤ 0.5 first at t=8
    se = {t: math.sqrt(sum(2 / ((20 - 2 * (i - 1)) * (20 - 2 * i)) for i in range(1, t + 1))) for t in range(1, 10)}
    lower = {t: (1 - t / 10) ** math.exp(Z * se[t] / abs(math.log(1 - t / 10))) for t in se}
    upper = {t: (1 - t / 10) ** math.exp(-Z * se[t] / abs(math.log(1 - t / 10))) for t in se}
    assert min(t for t in se if lower[t] <= 0.5) == 3 and min(t for t in se if upper[t] <= 0.5) == 8
    assert (r.median.lower, r.median.upper) == (3.0, 8.0)


def test_default_start_year_and_unknown_start(tiny):
    assert survival.default_start_year(build_panel(tiny)) == 2001  # figures from 2001; closure 2004
    earlier = tiny.enterprises.assign(closed=pd.array([None, 1999, None], dtype="Int64"),
                                      founded=pd.array([1990, 1995, 2003], dtype="Int64"))
    assert survival.default_start_year(build_panel(Dataset(earlier, tiny.figures, tiny.areas))) == 1999
    # a register snapshot: no yearly figures, no closures → start unknown
    snapshot = tiny.enterprises.assign(closed=pd.array([None] * 3, dtype="Int64"))
    panel = build_panel(Dataset(snapshot, tiny.figures.iloc[:0], tiny.areas))
    assert survival.default_start_year(panel) is None
    r = survival.panel_survival(panel, np.ones(3, bool), censor_year=2010, min_count=1)
    assert r.start_year is None and "left_truncation_unknown" in r.warnings and r.late_entries == 0


@pytest.fixture(scope="module")
def sample():
    return build_panel(load_sample())


def test_sample_survival_is_sane(sample):
    r = survival.panel_survival(sample, np.ones(len(sample.founded), bool))
    assert (r.start_year, r.censor_year) == (2001, 2025)
    assert r.n == 360 and 0 < r.events < r.n and r.late_entries > 0 and "late_entry" in r.warnings
    five = r.at[5]
    assert 0 < five.estimate < 1 and five.lower <= five.estimate <= five.upper
    assert r.at[3].estimate >= five.estimate >= r.at[10].estimate
    curve = r.curve
    assert list(curve.columns) == list(survival.CURVE_COLUMNS)
    assert (np.diff(curve["survival"]) <= 0).all() and not curve.isna().any().any()
    assert ((curve["lower"] <= curve["survival"]) & (curve["survival"] <= curve["upper"])).all()
    assert r.median.estimate is None or r.median.lower is None or r.median.lower <= r.median.estimate
    earlier = survival.panel_survival(sample, None, censor_year=2012)
    assert earlier.censor_year == 2012 and earlier.n < r.n


def test_sample_survival_by_groups(sample):
    everyone = np.ones(len(sample.founded), bool)
    whole = survival.panel_survival(sample, everyone)
    cohorts = survival.survival_by(sample, everyone, "cohort")
    labels = list(cohorts)
    assert labels[0] == "1995–1999" and labels[-1] == "2025"  # aligned to multiples of 5, clipped at the censor year
    assert labels == sorted(labels)
    assert sum(g.n for g in cohorts.values()) == whole.n
    forms = survival.survival_by(sample, everyone, "legal_form")
    sizes = [g.n + g.excluded_before_start for g in forms.values()]
    assert sizes == sorted(sizes, reverse=True) and list(forms)[0] == "cic"
    assert sum(g.n for g in forms.values()) == whole.n
    for group in list(cohorts.values()) + list(forms.values()):
        assert (group.start_year, group.censor_year) == (whole.start_year, whole.censor_year)
    # a cohort group equals panel_survival over the same founding years
    band = survival.panel_survival(sample, everyone, founded_from=2005, founded_to=2009)
    assert band.as_dict() == cohorts["2005–2009"].as_dict()
    # the 1995–1999 cohort is all late entries: nobody is seen at ages 0–1, so nothing can be said
    assert cohorts["1995–1999"].at[5].estimate is None and "too_few_at_5" in cohorts["1995–1999"].warnings
    with pytest.raises(ValueError):
        survival.survival_by(sample, everyone, "no_such_column")
    assert survival.survival_by(sample, np.zeros(len(sample.founded), bool), "sector") == {}


def test_as_dict_is_json():
    r = hand()
    data = json.loads(json.dumps(r.as_dict()))
    assert list(data) == ["n", "events", "late_entries", "excluded_before_start", "start_year", "censor_year",
                          "median", "at", "warnings"]
    assert list(data["at"]) == ["3", "5", "10", "15"]
    assert data["at"]["3"]["estimate"] == pytest.approx(40 / 81)
    assert set(data["median"]) == {"estimate", "lower", "upper"}
    assert data["warnings"] == list(r.warnings)


def test_shown_curve_stops_where_too_few_were_at_risk():
    # 12 enterprises founded 2001 and followed to 2025; closures thin the risk set below 10 after age 2
    founded = np.full(12, 2001.0)
    closed = np.array([2002, 2003, 2004, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan])
    result = survival.kaplan_meier(founded, closed, censor_year=2025, start_year=2001)
    at_risk = list(result.curve["at_risk"][:5])
    assert at_risk == [12, 12, 11, 10, 9]  # at risk at ages 0..4 (one closure at ages 1, 2, 3)
    shown = result.shown_curve()
    assert list(shown["years"]) == [0, 1, 2, 3]  # age 4 has 9 at risk: not drawn
    assert result.shown_curve(min_count=13).empty
