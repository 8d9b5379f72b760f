"""Scenario planner: "If N social enterprises like these were started in your municipality": a place, a
profile drawn from the observed enterprises (sectors, legal forms, support intensity) and a horizon;
jobs over time simulated by resampling observed enterprises' growth and survival (Monte Carlo, seeded),
the median path with its 80 % band, the net-additional view and the assumptions in plain words."""

import pandas as pd
import streamlit as st

from regen import charts, export, i18n, scenario
from regen_app import cache
from regen_app import state as keys
from regen_app import urlstate
from regen_app.setup import area_name, literal, setup_page
from regen_app.widgets import additionality_inputs, plotly_config

OTHER = "_other"  # a place that is not in the data: the visitor types its name and population
RUNS = 1000
N_RANGE, HORIZON_RANGE = (1, 50), (1, 20)

ctx = setup_page("scenario")
t, lang = ctx.t, ctx.lang
panel, ds = ctx.panel, ctx.dataset

st.title(t("scenario.title"))
st.markdown(t("scenario.intro"))

areas = ds.areas.set_index("code")
present = set(panel.enterprises["area"].astype(str))
place_codes = [c for c in ds.areas.sort_values(["country", "name"], kind="stable")["code"] if c in present]
urlstate.clean(keys.SCENARIO_PLACE, [*place_codes, OTHER], multi=False)
urlstate.clean(keys.SCENARIO_SUPPORT, tuple(scenario.SUPPORT), multi=False)
for key, (lo, hi) in ((keys.SCENARIO_N, N_RANGE), (keys.SCENARIO_HORIZON, HORIZON_RANGE)):
    if key in st.session_state:
        st.session_state[key] = max(lo, min(hi, int(st.session_state[key])))
if keys.SCENARIO_PLACE not in st.session_state and place_codes:
    st.session_state[keys.SCENARIO_PLACE] = "15205" if "15205" in place_codes else place_codes[0]


def _place_label(code: str) -> str:
    if code == OTHER:
        return t("scenario.other_place")
    country = areas["country"].get(code, "")
    return f"{area_name(ctx, code)} · {i18n.label('country', country, lang)}"


c1, c2, c3 = st.columns([2, 1, 1])
with c1:
    place = st.selectbox(t("scenario.place"), [*place_codes, OTHER], key=keys.SCENARIO_PLACE,
                         format_func=_place_label, help=t("scenario.place_help"))
with c2:
    n = st.slider(t("scenario.n"), *N_RANGE, value=None if keys.SCENARIO_N in st.session_state else 10,
                  key=keys.SCENARIO_N)
with c3:
    horizon = st.slider(t("scenario.horizon"), *HORIZON_RANGE,
                        value=None if keys.SCENARIO_HORIZON in st.session_state else 10, key=keys.SCENARIO_HORIZON)

if place == OTHER:
    o1, o2, o3 = st.columns([2, 1, 1])
    place_name = o1.text_input(t("scenario.other_name"), key="scenario_other_name", max_chars=80) or t("scenario.your_town")
    population = o2.number_input(t("scenario.other_population"), min_value=0, max_value=50_000_000, step=1000,
                                 value=None, key="scenario_other_population")
    countries = [c for c in ("JP", "GB") if (panel.enterprises["country"].astype(str) == c).any()] or ["GB"]
    country = o3.selectbox(t("filters.country"), countries, key="scenario_other_country",
                           format_func=lambda c: i18n.label("country", c, lang))
else:
    place_name = area_name(ctx, place)
    population = areas["population"].get(place)
    population = None if population is None or pd.isna(population) else int(population)
    country = str(areas["country"].get(place, "GB"))

st.subheader(t("scenario.profile"))
p1, p2, p3 = st.columns([2, 2, 2])
donor_country = panel.enterprises["country"].astype(str) == country
sectors_present = sorted(set(panel.enterprises.loc[donor_country, "sector"].astype(str)))
forms_present = sorted(set(panel.enterprises.loc[donor_country, "legal_form"].astype(str)))
urlstate.clean(keys.SCENARIO_SECTOR, sectors_present, multi=True)
urlstate.clean(keys.SCENARIO_LEGAL_FORM, forms_present, multi=True)
with p1:
    sectors = st.multiselect(t("filters.sector"), sectors_present, key=keys.SCENARIO_SECTOR,
                             format_func=lambda s: i18n.label("sector", s, lang), placeholder=t("filters.all"),
                             select_all=False)
with p2:
    forms = st.multiselect(t("filters.legal_form"), forms_present, key=keys.SCENARIO_LEGAL_FORM,
                           format_func=lambda f: i18n.label("legal_form", f, lang), placeholder=t("filters.all"),
                           select_all=False)
with p3:
    support = st.radio(t("scenario.support"), tuple(scenario.SUPPORT), key=keys.SCENARIO_SUPPORT, horizontal=True,
                       format_func=lambda s: t(f"scenario.support.{s}"), help=t("scenario.support_help"))

urlstate.publish({keys.SCENARIO_PLACE: place, keys.SCENARIO_N: n, keys.SCENARIO_HORIZON: horizon,
                  keys.SCENARIO_SUPPORT: None if support == "as_observed" else support,
                  keys.SCENARIO_SECTOR: sectors, keys.SCENARIO_LEGAL_FORM: forms})

with st.expander(t("impact.assumptions")):
    params = additionality_inputs(ctx, "scenario_add")
    st.caption(t("additionality.source"))

pool = cache.donors(ctx, country=country, sectors=tuple(sectors), legal_forms=tuple(forms))
result = scenario.simulate(pool, n, horizon, runs=RUNS, seed=scenario.DEFAULT_SEED, support=support)

for code in result.warnings:
    key = f"scenario.warning.{code}"
    st.warning(t(key, donors=i18n.number(result.donors, lang), minimum=scenario.MIN_DONORS,
                 ages=len(result.band) - 1 if len(result.band) else 0) if i18n.has(key) else code,
               icon=":material/warning:")

if result.band.empty:
    st.stop()

band = result.band
last = band.iloc[-1]
reached = int(last["year_offset"])
factor = params.factor()
net = band.assign(jobs_median=band["jobs_median"] * factor)

m1, m2, m3, m4 = st.columns(4)
m1.metric(t("scenario.jobs_after", years=reached), i18n.number(last["jobs_median"], lang),
          help=t("scenario.band_help", lower=i18n.number(last["jobs_p10"], lang), upper=i18n.number(last["jobs_p90"], lang)))
m2.metric(t("scenario.per_10k", place=literal(place_name)),
          i18n.number(last["jobs_median"] / population * 10_000, lang, 1) if population else "–",
          help=t("scenario.per_10k_help") if population else t("scenario.no_population"))
m3.metric(t("scenario.trading_after", years=reached), i18n.number(last["trading_median"], lang) + f" / {n}")
m4.metric(t("scenario.net_after", years=reached), i18n.number(last["jobs_median"] * factor, lang),
          help=t("impact.net_help", factor=i18n.number(factor, lang, 2)))

st.markdown(literal(t("reading.scenario", n=n, place=place_name, years=reached,
                      median=i18n.number(last["jobs_median"], lang), lower=i18n.number(last["jobs_p10"], lang),
                      upper=i18n.number(last["jobs_p90"], lang),
                      net=i18n.number(last["jobs_median"] * factor, lang))))
as_table = st.toggle(t("impact.show_table"), key="scenario_as_table")
if as_table:
    st.dataframe(band, hide_index=True, key="scenario_table", column_config={
        "year_offset": st.column_config.NumberColumn(t("chart.years_after_start"), format="%d"),
        **{c: st.column_config.NumberColumn(t(f"scenario.col.{c}"), format="%.1f")
           for c in band.columns if c != "year_offset" and i18n.has(f"scenario.col.{c}")}})
else:
    st.plotly_chart(charts.scenario_chart(band, lang, net=net), key="scenario_chart", config=plotly_config(lang))

st.subheader(t("scenario.assumptions_title"))
st.markdown("\n".join("- " + literal(line) for line in (
    t("scenario.assume.donors", donors=i18n.number(result.donors, lang),
      country=i18n.label("country", country, lang),
      profile=", ".join([i18n.label("sector", s, lang) for s in sectors] + [i18n.label("legal_form", f, lang)
                                                                           for f in forms]) or t("filters.all")),
    t("scenario.assume.method", runs=i18n.number(result.runs, lang), seed=result.seed),
    t("scenario.assume.support", support=t(f"scenario.support.{support}"),
      multiplier=i18n.number(scenario.SUPPORT[support], lang, 2)),
    t("scenario.assume.net", factor=i18n.number(factor, lang, 2)),
    t("scenario.assume.place", place=place_name,
      population=i18n.number(population, lang) if population else t("scenario.no_population")),
    t("scenario.assume.not_forecast"),
)))

download = scenario.to_csv_frame(result, population=population)
st.download_button(t("scenario.download"), export.to_csv_bytes(download), file_name="regen-atlas-scenario.csv",
                   mime="text/csv", icon=":material/download:", on_click="ignore", key="dl_scenario")
