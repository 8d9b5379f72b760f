"""Impact, Compare and Scenario pages in both languages: figures follow the filters, readings and
intervals are shown, deep links open a comparison, the scenario is reproducible and downloadable."""

import re

import pytest

from regen import i18n

from .conftest import open_page
from .test_pages import text_of as raw_text


def text_of(at) -> str:
    """The page's text as a visitor reads it (Markdown escapes of literal text removed)."""
    return raw_text(at).replace("\\", "")


def metric(at, prefix: str):
    for m in at.metric:
        if m.label.startswith(prefix):
            return m
    raise AssertionError(f"no metric starting {prefix!r}: {[m.label for m in at.metric]}")


def number(text: str) -> float:
    return float(re.sub(r"[^\d.\-−]", "", text).replace("−", "-"))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_impact_page_shows_flows_survival_and_net(lang):
    at = open_page("impact", {"lang": lang} if lang == "ja" else None)
    assert not at.exception, at.exception
    text = text_of(at)
    created = metric(at, i18n.t("impact.created", lang, base=2001, year=2025))
    lost = metric(at, i18n.t("impact.lost", lang, base=2001, year=2025))
    assert number(created.value) > number(lost.value) > 0
    still = metric(at, i18n.t("impact.still_trading", lang, h=5)).value
    assert re.fullmatch(r"\d+%", still), still
    # the headline carries its interval, right under it (the first interval caption): "95% CI 59%–70%"
    prefix = i18n.t("metric.survival_ci", lang, lower="", upper="")[:5]
    caption = [c.value for c in at.caption if c.value.startswith(prefix)][0]
    low, high = (int(x) for x in re.findall(r"(\d+)%", caption)[1:3])
    assert low < int(still[:-1]) < high
    # the one-line readings are there, in the page's language
    assert i18n.t("reading.flows", lang, base=2001, year=2025, created=created.value, lost=lost.value,
                  net=i18n.signed(number(created.value) - number(lost.value), lang)) in text
    # gross and net shown side by side, net smaller under the default assumptions
    gross = number(metric(at, i18n.t("impact.gross_jobs", lang, base=2001, year=2025)).value)
    net = number(metric(at, i18n.t("impact.net_jobs", lang, base=2001, year=2025)).value)
    assert gross == number(created.value) and 0 < net < gross
    assert len(at.get("plotly_chart")) >= 3  # flows, survival, LM3 map(s)


def test_impact_survival_split_and_table():
    at = open_page("impact")
    at.segmented_control(key="survival_by").set_value("legal_form").run()
    assert not at.exception
    assert at.query_params.get("survival_by") in (["legal_form"], "legal_form")
    at.toggle(key="survival_as_table").set_value(True).run()
    tables = [d for d in at.dataframe if "group" in d.value.columns]
    assert tables, "the survival table is shown instead of the chart"
    groups = set(tables[0].value["group"])
    assert i18n.label("legal_form", "cic", "en") in groups


def test_impact_follows_filters():
    everyone = open_page("impact")
    japan = open_page("impact", {"country": "JP"})
    label = i18n.t("impact.created", "en", base=2001, year=2025)
    assert number(metric(japan, label).value) < number(metric(everyone, label).value)


def test_impact_assumptions_change_the_net_figure():
    at = open_page("impact")
    label = i18n.t("impact.net_jobs", "en", base=2001, year=2025)
    before = number(metric(at, label).value)
    at.slider(key="impact_add_deadweight").set_value(50).run()
    after = number(metric(at, label).value)
    assert after < before
    # deadweight 25% → 50% halves (1 − deadweight) from 0.75 to 0.5: the net figure scales by 2/3
    assert after == pytest.approx(before * 0.5 / 0.75, abs=1)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_cost_per_job_from_pasted_spending(lang):
    at = open_page("impact", {"lang": lang} if lang == "ja" else None)
    # pasted from a spreadsheet: a header, a name instead of a code, a currency sign, a bad row
    at.text_area(key="spending").set_value(
        "area\tyear\tamount\nSunderland\t2020\t£100,000\n柏崎市\t2021\t¥5,000,000\nSunderland\tlast year\t5").run()
    assert not at.exception, at.exception
    cost_tables = [d.value for d in at.dataframe if "cost_per_gross_job" in d.value.columns]
    assert cost_tables
    costs = cost_tables[0].set_index("currency")
    assert costs.loc["GBP", "cost_per_gross_job"].startswith("£")  # pounds and yen stay apart
    assert "¥" in costs.loc["JPY", "cost_per_gross_job"] or "￥" in costs.loc["JPY", "cost_per_gross_job"]
    assert costs.loc["GBP", "gross_jobs"] > 0
    warnings = [w.value for w in at.warning]
    assert any("3" in w for w in warnings), warnings  # the bad row is named (row 3), the rest kept


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_compare_deep_link_two_places(lang):
    query = {"compare": "E08000024,15205"} | ({"lang": "ja"} if lang == "ja" else {})
    at = open_page("compare", query)
    assert not at.exception, at.exception
    subheaders = [s.value for s in at.subheader]
    names = ("Sunderland", "Kashiwazaki") if lang == "en" else ("サンダーランド", "柏崎市")
    assert all(any(n in s for s in subheaders) for n in names), subheaders
    per_10k = [m for m in at.metric if m.label == i18n.t("compare.jobs_per_10k", lang, year=2025)]
    assert len(per_10k) == 2 and all(number(m.value) > 0 for m in per_10k)
    text = text_of(at)
    # Kashiwazaki has fewer than 10 enterprises in the sample: "too few to say", with Japan as a whole instead
    assert i18n.t("reading.too_few_short", lang) in text
    assert len(at.get("plotly_chart")) == 4  # two per-resident charts, survival, sector mix


def test_compare_needs_two_places_and_keeps_currencies_apart():
    at = open_page("compare", {"compare": "E08000024"})
    assert not at.exception
    assert any(i18n.t("compare.choose_two", "en") == i.value for i in at.info)
    at = open_page("compare", {"compare": "E08000024,15205"})
    text = text_of(at)
    assert "£" in text and "¥" in text and i18n.t("compare.rate_note", "en", rate="180.00") not in text
    at = open_page("compare", {"compare": "E08000024,15205", "rate": "180"})
    assert i18n.t("compare.rate_note", "en", rate="180.00") in text_of(at)


def test_compare_ignores_unknown_places_in_the_link():
    at = open_page("compare", {"compare": "E08000024,NOPE,15205"})
    assert not at.exception
    assert at.multiselect(key="compare").value == ["E08000024", "15205"]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_scenario_band_and_assumptions(lang):
    at = open_page("scenario", {"lang": lang} if lang == "ja" else None)
    assert not at.exception, at.exception
    jobs = metric(at, i18n.t("scenario.jobs_after", lang, years=10))
    assert number(jobs.value) > 0
    assert len(at.get("plotly_chart")) == 1
    text = text_of(at)
    assert i18n.t("scenario.assume.not_forecast", lang) in text
    assert i18n.t("scenario.assumptions_title", lang) in text


def test_scenario_is_reproducible_and_follows_choices():
    first = open_page("scenario", {"place": "E08000024", "n": "10", "horizon": "8"})
    second = open_page("scenario", {"place": "E08000024", "n": "10", "horizon": "8"})
    label = i18n.t("scenario.jobs_after", "en", years=8)
    assert metric(first, label).value == metric(second, label).value
    more = open_page("scenario", {"place": "E08000024", "n": "20", "horizon": "8"})
    assert number(metric(more, label).value) > number(metric(first, label).value)


def test_scenario_out_of_range_link_is_clipped():
    at = open_page("scenario", {"n": "100000", "horizon": "-3"})
    assert not at.exception
    assert at.slider(key="n").value == 50 and at.slider(key="horizon").value == 1


def test_a_link_to_a_comparison_seen_before_still_applies():
    """Impact's "compare" link (A, B) → the visitor changes to (A, C) → back to Impact → the same link
    again must show (A, B): a page change applies the parameters the link carries."""
    at = open_page("compare", {"compare": "E08000024,15205"})
    at.multiselect(key="compare").set_value(["E08000024", "E06000063"]).run()
    at.switch_page("pages/5_impact.py").run()
    at.query_params["compare"] = "E08000024,15205"  # what the link on the Impact page carries
    at.switch_page("pages/6_compare.py").run()
    assert not at.exception
    assert at.multiselect(key="compare").value == ["E08000024", "15205"]


def test_a_place_named_twice_in_a_link_is_compared_once():
    at = open_page("compare", {"compare": "15205,15205,E08000024"})
    assert at.multiselect(key="compare").value == ["15205", "E08000024"]


def test_lm3_shares_that_do_not_add_up_are_refused_but_the_page_goes_on():
    at = open_page("impact")
    at.slider(key="lm3_wages_share").set_value(80).run()
    at.slider(key="lm3_suppliers_share").set_value(60).run()
    assert any(w.value == i18n.t("lm3.spend_above_income", "en") for w in at.warning)
    assert not [m for m in at.metric if m.label == i18n.t("impact.lm3_value", "en")]
    assert at.text_area(key="spending") is not None  # cost per job is still there


def test_one_year_range_shows_no_flows_rather_than_zero():
    at = open_page("impact", {"years": "2025-2025"})
    assert not at.exception
    assert metric(at, i18n.t("impact.created", "en", base=2025, year=2025)).value == "–"
    assert i18n.t("impact.flows_none", "en") in text_of(at)
