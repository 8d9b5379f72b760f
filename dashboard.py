"""Regen Atlas entry point and Overview page: headline figures, jobs over time, small maps (with an
analyst dataset's own area outlines, when its version has them).

Run with ``make run`` (or ``streamlit run dashboard.py``). Other pages live in ``pages/`` (Streamlit's
classic multipage mode) and share the set-up in ``regen_app.setup``.
"""

import streamlit as st

from regen import charts, i18n, mapview, metrics, survival
from regen_app import maps, outlines
from regen_app.setup import setup_page
from regen_app.widgets import plotly_config, share_metric

MIN_BASE = 10  # no percentage change from fewer jobs than this (a base of 1 gives +678,554 %)
LOW_COVERAGE = 0.5  # below this share of active enterprises reporting, the jobs figure is marked

ctx = setup_page("overview")
t, lang = ctx.t, ctx.lang
base, year = ctx.years

st.title(t("overview.title"))
maps.enhance(lang)
st.markdown(t("overview.intro"))

mask = ctx.panel.mask(ctx.filters)
series = metrics.jobs_by_year(ctx.panel, mask)
head = metrics.headline(ctx.panel, ctx.filters, series)

cols = st.columns(5)
cols[0].metric(t("metric.enterprises", year=year), i18n.number(head.enterprises, lang))
reported = int(series.set_index("year").loc[year, "reporting"])
with cols[1]:
    st.metric(t("metric.jobs", year=year), i18n.number(head.jobs, lang))
    if head.enterprises:  # coverage: how many of the active enterprises reported jobs that year
        coverage = reported / head.enterprises
        st.caption((":material/warning: " if coverage < LOW_COVERAGE else "")
                   + t("metric.jobs_coverage", n=i18n.number(reported, lang), of=i18n.number(head.enterprises, lang)))
cols[2].metric(t("metric.fte", year=year), i18n.number(head.fte, lang))
base_jobs = head.jobs - head.jobs_added
cols[3].metric(t("metric.jobs_added", base=base), i18n.signed(head.jobs_added, lang),
               delta=None if head.jobs_added == 0 or base_jobs < MIN_BASE else  # no % change from a tiny base
               ("+" if head.jobs_added > 0 else "") + i18n.percent(head.jobs_added / base_jobs, lang),
               help=t("metric.jobs_added_help", base=base, year=year))
# Kaplan–Meier with its interval ("too few to say" below the minimum), as of the end of the chosen years
lasting = survival.panel_survival(ctx.panel, mask, censor_year=year)
five = lasting.at.get(5) or survival.Estimate(None, None, None)
with cols[4]:
    share_metric(ctx, t("metric.survival"), five.estimate, five.lower, five.upper,
                 help=t("metric.survival_help", n=i18n.number(lasting.n, lang)))

if head.enterprises == 0 and head.jobs == 0:
    st.warning(t("filters.empty"), icon=":material/filter_alt_off:")

st.subheader(t("overview.jobs_over_time"))
st.plotly_chart(charts.jobs_over_time(series, lang, base_year=base, year=year), key="jobs_chart",
                config=plotly_config(lang))

left, right = st.columns([3, 2])
with left:
    st.subheader(t("overview.where", year=year))
    points = metrics.snapshot(ctx.panel, mask, year)
    countries = [c for c in ("GB", "JP") if (points["country"] == c).any()] or [mapview.HOME.get(lang, "GB")]
    if lang == "ja":
        countries.reverse()  # the visitors' own country first
    own = outlines.of(ctx)
    everyone = ctx.panel.enterprises[mask]
    # One small map per country: a single map over Britain and Japan would show neither.
    for column, country in zip(st.columns(len(countries)), countries):
        plan = mapview.plan(points, lang=lang, country=country, everyone=everyone,
                            outlines=own.geojson if own is not None else None,
                            outline_bounds=own.bounds if own is not None else None)
        fig = maps.lighten(mapview.figure(plan, lang=lang, height=420, legend=False))
        with column:
            st.caption(i18n.label("country", country, lang))
            st.plotly_chart(fig, key=f"overview_map_{country}", config=maps.config(lang))
    links = st.columns(2)
    links[0].page_link("pages/1_map.py", label=t("overview.open_map"), icon=":material/arrow_forward:",
                       query_params=ctx.query)
    links[1].page_link("pages/6_compare.py", label=t("overview.open_compare"), icon=":material/compare_arrows:",
                       query_params=ctx.query)
with right:
    st.subheader(t("overview.by_sector", year=year))
    by_sector = metrics.jobs_by(ctx.panel, mask, year, "sector")
    st.plotly_chart(charts.jobs_by_category(by_sector, "sector", lang, height=420), key="sector_chart",
                    config=plotly_config(lang))
