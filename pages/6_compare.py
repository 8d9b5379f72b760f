"""Compare places: two to four areas side by side on the same per-resident scales (enterprises and jobs
per 10,000 residents, growth, survival, sector mix), each against the median and ±1 standard deviation
of all areas of its country. Money stays in each place's own currency unless a stated exchange rate is
given. Deep-linkable: ``?compare=E08000024,15205``."""

import pandas as pd
import streamlit as st

from regen import charts, i18n, impact, metrics, readings, survival
from regen.filters import Filters
from regen_app import state as keys
from regen_app import urlstate
from regen_app.setup import area_name, literal, setup_page
from regen_app.widgets import chart_or_table, money, survival_table

MAX_PLACES = 4
DEFAULT_PLACES = ("E08000024", "15205")  # Sunderland and Kashiwazaki, when the data has them

ctx = setup_page("compare")
t, lang = ctx.t, ctx.lang
base, year = ctx.years
panel, ds = ctx.panel, ctx.dataset

st.title(t("compare.title"))
st.markdown(t("compare.intro"))

# The places replace the sidebar's country, region and area; sector and legal form still apply.
filters = Filters(sector=ctx.filters.sector, legal_form=ctx.filters.legal_form,
                  year_from=ctx.filters.year_from, year_to=ctx.filters.year_to)
mask = panel.mask(filters)
table = impact.per_resident(panel, mask, ds.areas, year)
options = list(table.sort_values(["country", "jobs"], ascending=[True, False], kind="stable")["code"])

urlstate.clean(keys.COMPARE, options, multi=True)
if keys.COMPARE in st.session_state:  # a link may name a place twice
    st.session_state[keys.COMPARE] = list(dict.fromkeys(st.session_state[keys.COMPARE]))
if keys.COMPARE in st.session_state and len(st.session_state[keys.COMPARE]) > MAX_PLACES:
    st.session_state[keys.COMPARE] = st.session_state[keys.COMPARE][:MAX_PLACES]
if keys.COMPARE not in st.session_state:
    preferred = [c for c in DEFAULT_PLACES if c in options]
    st.session_state[keys.COMPARE] = preferred if len(preferred) == 2 else options[:2]

country_of_area = dict(zip(table["code"], table["country"]))
left, right = st.columns([3, 1])
with left:
    chosen = st.multiselect(t("compare.places"), options, key=keys.COMPARE, max_selections=MAX_PLACES,
                            format_func=lambda c: f"{area_name(ctx, c)} · "
                            f"{i18n.label('country', country_of_area.get(c, ''), lang)}",
                            placeholder=t("compare.places_placeholder"), help=t("compare.places_help"),
                            select_all=False)
with right:
    rate = st.number_input(t("compare.rate"), min_value=0.0, max_value=10_000.0, step=1.0, key=keys.COMPARE_RATE,
                           value=None, placeholder=t("compare.rate_placeholder"), help=t("compare.rate_help"))
urlstate.publish({keys.COMPARE: chosen, keys.COMPARE_RATE: rate or None})
st.caption(t("compare.filters_note", year=year))

if len(chosen) < 2:
    st.info(t("compare.choose_two"), icon=":material/compare_arrows:")
    st.stop()

rows = table.set_index("code").loc[chosen].reset_index()
names = [area_name(ctx, c) for c in rows["code"]]
rows = rows.assign(label=[f"{n} ({c})" if names.count(n) > 1 else n for n, c in zip(names, rows["code"])])
# The country reference counts every area with a known population, at 0 where nothing is in view.
reference_table = impact.with_empty_areas(table, ds.areas, ("jobs_per_10k", "enterprises_per_10k"))
reference = {column: impact.reference_stats(reference_table, column)
             for column in ("jobs_per_10k", "enterprises_per_10k")}
area_of = panel.enterprises["area"].astype(str).to_numpy()
results = {code: survival.panel_survival(panel, mask & (area_of == code), censor_year=year) for code in chosen}
country_of = panel.enterprises["country"].astype(str).to_numpy()


_by_country: dict[str, survival.SurvivalResult] = {}


def _country_survival(country: str) -> survival.SurvivalResult:
    """Survival of every enterprise in view in ``country`` (once per country: cards and chart share it)."""
    if country not in _by_country:
        _by_country[country] = survival.panel_survival(panel, mask & (country_of == country), censor_year=year)
    return _by_country[country]


def _per10k(value) -> str:
    return "–" if value is None or pd.isna(value) else i18n.number(value, lang, 1)


# One column per place: its figures on the same scales.
for column, (_, row) in zip(st.columns(len(rows)), rows.iterrows()):
    with column, st.container(border=True):
        st.subheader(literal(row["label"]))
        st.caption(literal(f"{i18n.label('country', row['country'], lang)}"))
        if pd.isna(row["population"]) or not row["population"]:
            st.warning(t("compare.no_population"), icon=":material/help:")
        st.metric(t("compare.jobs_per_10k", year=year), _per10k(row["jobs_per_10k"]),
                  help=t("compare.per_10k_help"))
        st.metric(t("compare.enterprises_per_10k", year=year), _per10k(row["enterprises_per_10k"]))
        st.metric(t("compare.jobs", year=year), i18n.number(row["jobs"], lang))
        growth = row.get("growth")
        st.metric(t("compare.growth", years=5), "–" if growth is None or pd.isna(growth) else
                  i18n.percent(growth, lang), help=t("compare.growth_help", years=5))
        result = results[row["code"]]
        st.markdown(f"**{literal(t('compare.survival'))}**  \n" + literal(readings.estimate(result.at.get(5), lang)))
        if result.at.get(5) is None or result.at[5].estimate is None:
            whole = _country_survival(row["country"])
            st.caption(literal(t("compare.survival_country", n=i18n.number(result.n, lang),
                                 country=i18n.label("country", row["country"], lang),
                                 share=readings.estimate(whole.at.get(5), lang))))
        if pd.notna(row.get("turnover_per_job")):
            text = money(row["turnover_per_job"], row.get("currency"), lang)
            if rate and row.get("currency") == "GBP":
                text += " · " + money(row["turnover_per_job"] * rate, "JPY", lang)
            elif rate and row.get("currency") == "JPY":
                text += " · " + money(row["turnover_per_job"] / rate, "GBP", lang)
            st.markdown(f"**{literal(t('compare.turnover_per_job'))}**  \n{literal(text)}")
        if pd.notna(row["population"]) and row["population"]:
            source = row.get("population_source") or t("compare.source_unknown")
            when = row.get("population_year")
            st.caption(literal(t("compare.population", population=i18n.number(row["population"], lang),
                                 year=int(when) if pd.notna(when) else t("compare.year_unknown"), source=source)))

if rate:
    st.caption(t("compare.rate_note", rate=i18n.number(rate, lang, 2)))

reading = t("compare.reading", year=year, places="; ".join(
    f"{r['label']}: {_per10k(r['jobs_per_10k'])}" for _, r in rows.iterrows()))
value_columns = {"label": st.column_config.TextColumn(t("compare.place")),
                 "jobs_per_10k": st.column_config.NumberColumn(t("compare.jobs_per_10k", year=year), format="%.1f"),
                 "enterprises_per_10k": st.column_config.NumberColumn(t("compare.enterprises_per_10k", year=year),
                                                                      format="%.1f"),
                 "population": st.column_config.NumberColumn(t("compare.population_col"), format="localized"),
                 "jobs": st.column_config.NumberColumn(t("compare.jobs", year=year), format="localized"),
                 "enterprises": st.column_config.NumberColumn(t("compare.enterprises", year=year), format="localized")}

st.header(t("compare.per_resident"))
c1, c2 = st.columns(2)
with c1:
    fig = charts.compare_bars(rows, "jobs_per_10k", lang, reference=reference["jobs_per_10k"],
                              title=t("compare.jobs_per_10k", year=year))
    chart_or_table(ctx, "compare_jobs", fig, rows[["label", "jobs", "population", "jobs_per_10k"]],
                   reading=reading, column_config=value_columns)
with c2:
    fig = charts.compare_bars(rows, "enterprises_per_10k", lang, reference=reference["enterprises_per_10k"],
                              title=t("compare.enterprises_per_10k", year=year))
    chart_or_table(ctx, "compare_enterprises", fig, rows[["label", "enterprises", "population", "enterprises_per_10k"]],
                   reading=t("compare.reference_note"), column_config=value_columns)

st.header(t("compare.survival_title"))
curves = {}
for _, row in rows.iterrows():  # a place's curve as far as enough were followed; its country's when it has none
    result = results[row["code"]]
    shown = result.shown_curve()
    if result.at.get(3) is not None and result.at[3].estimate is not None and not shown.empty:
        curves[row["label"]] = shown
    else:
        label = t("compare.country_all", country=i18n.label("country", row["country"], lang))
        curves.setdefault(label, _country_survival(row["country"]).shown_curve())
table_, columns = survival_table(ctx, {row["label"]: results[row["code"]] for _, row in rows.iterrows()},
                                 label=t("compare.place"), median=False)
chart_or_table(ctx, "compare_survival", charts.survival_chart(curves, lang), table_,
               reading=" ".join(readings.survival(results[r["code"]], lang, group=r["label"]) for _, r in rows.iterrows()),
               column_config=columns)

st.header(t("compare.sector_mix", year=year))
mix = pd.concat([
    metrics.jobs_by(panel, mask & (area_of == row["code"]), year, "sector").assign(label=row["label"])
    for _, row in rows.iterrows()
], ignore_index=True)
mix_table = mix.assign(sector=[i18n.label("sector", s, lang) for s in mix["sector"].astype(str)])[
    ["label", "sector", "jobs", "enterprises"]]
chart_or_table(ctx, "compare_mix", charts.sector_mix_chart(mix[["label", "sector", "jobs"]], lang), mix_table,
               column_config={"label": st.column_config.TextColumn(t("compare.place")),
                              "sector": st.column_config.TextColumn(t("col.sector")),
                              "jobs": st.column_config.NumberColumn(t("chart.jobs")),
                              "enterprises": st.column_config.NumberColumn(t("chart.enterprises"))})

st.page_link("pages/7_scenario.py", label=t("compare.open_scenario"), icon=":material/trending_up:",
             query_params={**ctx.query, keys.SCENARIO_PLACE: chosen[-1]})
