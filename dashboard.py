"""Regen Atlas entry point and Overview page: headline figures, jobs over time, small maps (with an
analyst dataset's own area outlines, when its version has them).

Run with ``make run`` (or ``streamlit run dashboard.py``). Other pages live in ``pages/`` (Streamlit's
classic multipage mode) and share the set-up in ``regen_app.setup``.
"""

import streamlit as st

from regen import charts, geo, i18n, metrics, survival
from regen_app import cache, outlines
from regen_app.setup import setup_page
from regen_app.widgets import share_metric

MIN_BASE = 10  # no percentage change from fewer jobs than this (a base of 1 gives +678,554 %)
LOW_COVERAGE = 0.5  # below this share of active enterprises reporting, the jobs figure is marked

ctx = setup_page("overview")
t, lang = ctx.t, ctx.lang
base, year = ctx.years

st.title(t("overview.title"))
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
                config={"displaylogo": False})

left, right = st.columns([3, 2])
with left:
    st.subheader(t("overview.where", year=year))
    points = metrics.snapshot(ctx.panel, mask, year)
    countries = [c for c in ("GB", "JP") if (points["country"] == c).any()] or ["GB"]
    own = outlines.of(ctx)
    # One small map per country: a single map over Britain and Japan would show neither.
    for column, country in zip(st.columns(len(countries)), countries):
        part = points[points["country"] == country]
        # fit to the small map as drawn (a share of about 540 px, 420 px high)
        view = (geo.fit_view(part["lat"], part["lon"], width=540 // len(countries), height=400) if len(part)
                else geo.VIEWS["sunderland"])
        layers = [cache.boundaries("countries")] + ([cache.boundaries("jp_prefectures")] if country == "JP" else [])
        drawn = own.geojson if own is not None and outlines.country(own.bounds) == country else None
        if len(part) > charts.POINT_LIMIT:  # many enterprises: hexagons keep the page fast and light
            hexes = geo.hex_aggregate(part, geo.resolution_for_zoom(view["zoom"]))
            fig = charts.hex_map(hexes, geo.hex_geojson(hexes["hex"]), lang=lang, view=view, boundaries=layers,
                                 height=420, outlines=drawn)
            fig.update_traces(showscale=False)
        else:
            fig = charts.points_map(part, colour_by="sector", lang=lang, view=view, boundaries=layers, height=420,
                                    outlines=drawn)
        fig.update_layout(showlegend=False)
        with column:
            st.caption(i18n.label("country", country, lang))
            st.plotly_chart(fig, key=f"overview_map_{country}", config={"displaylogo": False, "scrollZoom": False})
    links = st.columns(2)
    links[0].page_link("pages/1_map.py", label=t("overview.open_map"), icon=":material/arrow_forward:",
                       query_params=ctx.query)
    links[1].page_link("pages/6_compare.py", label=t("overview.open_compare"), icon=":material/compare_arrows:",
                       query_params=ctx.query)
with right:
    st.subheader(t("overview.by_sector", year=year))
    by_sector = metrics.jobs_by(ctx.panel, mask, year, "sector")
    st.plotly_chart(charts.jobs_by_category(by_sector, "sector", lang, height=420), key="sector_chart",
                    config={"displaylogo": False})
