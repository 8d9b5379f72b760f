"""Impact: for the current filters, jobs created and lost by year, how long enterprises last
(Kaplan–Meier with 95 % bands), jobs per resident by area, disadvantaged hires, net additional jobs
(editable assumptions), the local multiplier (LM3) and, when programme spending is typed in, cost per
job. Every chart has a table alternative and a one-line reading."""

import pandas as pd
import streamlit as st

from regen import basemap, charts, export, geo, i18n, impact, mapview, readings, survival
from regen_app import state as keys
from regen_app import maps, urlstate
from regen_app.setup import area_name, literal, setup_page
from regen_app.widgets import additionality_inputs, chart_or_table, money, share_metric, survival_table

GROUPS = ("none", "cohort", "legal_form", "sector", "country", "area")
MAX_CURVES = 8

ctx = setup_page("impact")
t, lang = ctx.t, ctx.lang
base, year = ctx.years
panel, ds = ctx.panel, ctx.dataset
mask = panel.mask(ctx.filters)
available = impact.available_metrics(panel)

st.title(t("impact.title"))
st.markdown(t("impact.intro"))

flows = impact.job_flows(panel, mask)
in_range = flows[(flows["year"] > base) & (flows["year"] <= year)]
# Flows need two consecutive years of figures: a one-year range (or one year of data) has none to show.
measured = bool(in_range["created"].notna().any())
created, lost = int(in_range["created"].fillna(0).sum()), int(in_range["lost"].fillna(0).sum())
overall = survival.panel_survival(panel, mask, censor_year=year)
shares = impact.per_resident(panel, mask, ds.areas, year)

cols = st.columns(4)
cols[0].metric(t("impact.created", base=base, year=year), i18n.number(created if measured else None, lang),
               help=t("impact.created_help"))
cols[1].metric(t("impact.lost", base=base, year=year), i18n.number(lost if measured else None, lang),
               help=t("impact.lost_help"))
cols[2].metric(t("impact.net_change", base=base, year=year), i18n.signed(created - lost if measured else None, lang))
five = overall.at.get(5) or survival.Estimate(None, None, None)
with cols[3]:
    share_metric(ctx, t("impact.still_trading", h=5), five.estimate, five.lower, five.upper,
                 help=t("impact.still_trading_help", n=i18n.number(overall.n, lang), year=year))

# Other figures of the end year: disadvantaged hires (with a Wilson interval), FTE and volunteers, each
# only where the data has the column ("not in this data" rather than zero).
share = impact.disadvantaged_share(panel, mask, year)
lo, hi = panel.year_start[year - panel.year_min], panel.year_start[year - panel.year_min + 1]
in_year = panel.figures.iloc[lo:hi]
in_year = in_year[mask[in_year["pos"].to_numpy()]]
o1, o2, o3, o4 = st.columns(4)
with o1:
    if not available.get("disadvantaged_hires", False):
        st.metric(t("impact.disadvantaged", year=year), t("impact.not_in_data"))
    else:
        share_metric(ctx, t("impact.disadvantaged", year=year), share.share, share.lower, share.upper,
                     help=t("impact.disadvantaged_help", hires=i18n.number(share.hires, lang),
                            jobs=i18n.number(share.jobs, lang)))
o2.metric(t("compare.jobs", year=year), i18n.number(int(in_year["employees"].sum()), lang))
o3.metric(t("metric.fte", year=year), i18n.number(in_year["fte"].sum(min_count=1), lang)
          if available.get("fte", False) else t("impact.not_in_data"))
o4.metric(t("impact.volunteers", year=year), i18n.number(in_year["volunteers"].sum(min_count=1), lang)
          if available.get("volunteers", False) else t("impact.not_in_data"))

# --- Jobs created and lost -----------------------------------------------------------------------------
st.header(t("impact.flows_title"))
flow_table = flows[(flows["year"] > panel.year_min)][["year", "jobs", "created", "lost", "net"]]
chart_or_table(ctx, "flows", charts.job_flows_chart(flows[flows["year"] > panel.year_min], lang), flow_table,
               reading=readings.flows(flows, base, year, lang) if measured else t("impact.flows_none"),
               column_config={"year": st.column_config.NumberColumn(t("chart.year"), format="%d"),
                              "jobs": st.column_config.NumberColumn(t("chart.jobs"), format="localized"),
                              "created": st.column_config.NumberColumn(t("chart.created"), format="localized"),
                              "lost": st.column_config.NumberColumn(t("chart.lost"), format="localized"),
                              "net": st.column_config.NumberColumn(t("chart.net"), format="localized")})
st.caption(t("impact.flows_note"))

# --- Survival ------------------------------------------------------------------------------------------
st.header(t("impact.survival_title"))
urlstate.clean(keys.IMPACT_GROUP, GROUPS, multi=False)
group = st.segmented_control(t("impact.survival_by"), GROUPS, key=keys.IMPACT_GROUP, default="none",
                             format_func=lambda g: t(f"impact.by.{g}"))
group = group or "none"
urlstate.publish({keys.IMPACT_GROUP: None if group == "none" else group})


def _group_label(value: str) -> str:
    if group == "area":
        return area_name(ctx, value)
    if group in ("legal_form", "sector", "country"):
        return i18n.label(group, value, lang)
    return value


if group == "none":
    groups = {"all": overall}
    labels = {"all": t("impact.all_enterprises")}
else:
    groups = survival.survival_by(panel, mask, group, censor_year=year)  # every group: all go in the table
    labels = {code: _group_label(code) for code in groups}
    repeated = {label for label in labels.values() if list(labels.values()).count(label) > 1}
    labels = {code: f"{label} ({code})" if label in repeated else label for code, label in labels.items()}
# Curves only where there is an estimate and only as far as enough enterprises were followed; at most
# MAX_CURVES of them (the newest founding years, or the largest groups).
drawable = [code for code, r in groups.items() if not r.shown_curve().empty and r.at.get(3) is not None
            and r.at[3].estimate is not None]
drawable = drawable[-MAX_CURVES:] if group == "cohort" else drawable[:MAX_CURVES]
curves = {labels[code]: groups[code].shown_curve() for code in drawable}
lines = [readings.survival(r, lang, group=None if group == "none" else labels[code]) for code, r in groups.items()
         if code in drawable or group == "none"]
table, columns = survival_table(ctx, {labels[code]: r for code, r in groups.items()}, label=t("impact.col.group"),
                                key="group")
chart_or_table(ctx, "survival", charts.survival_chart(curves, lang), table,
               reading=" ".join(lines[:3]) + (" …" if len(lines) > 3 else ""), column_config=columns)
if len(curves) < len(groups):
    st.caption(t("impact.curves_hidden", shown=len(curves), groups=len(groups)))
for code in overall.warnings:
    st.caption(":material/info: " + literal(readings.warning(code, overall, lang)))
st.caption(t("impact.survival_method", censor=overall.censor_year))

# --- Per resident --------------------------------------------------------------------------------------
st.header(t("impact.per_resident_title", year=year))
areas_view = shares.assign(
    name=[area_name(ctx, c) for c in shares["code"]],
    country=[i18n.label("country", c, lang) for c in shares["country"]],
    note=[t(f"impact.note.{n}") if isinstance(n, str) and n and i18n.has(f"impact.note.{n}") else (n or "")
          for n in shares.get("note", pd.Series([""] * len(shares)))],
)
areas_view["turnover_per_job"] = [money(v, c, lang) for v, c in zip(shares["turnover_per_job"], shares["currency"])]
area_columns = [c for c in ("name", "country", "population", "enterprises", "jobs", "enterprises_per_10k",
                            "jobs_per_10k", "growth", "disadvantaged_share", "turnover_per_job", "population_source",
                            "note")
                if c in areas_view.columns]
st.dataframe(areas_view[area_columns].sort_values("jobs", ascending=False), hide_index=True, key="areas_table",
             column_config={
                 "name": st.column_config.TextColumn(t("col.area"), pinned=True),
                 "country": st.column_config.TextColumn(t("col.country")),
                 "population": st.column_config.NumberColumn(t("compare.population_col"), format="localized"),
                 "enterprises": st.column_config.NumberColumn(t("compare.enterprises", year=year), format="localized"),
                 "jobs": st.column_config.NumberColumn(t("compare.jobs", year=year), format="localized"),
                 "enterprises_per_10k": st.column_config.NumberColumn(t("compare.enterprises_per_10k", year=year),
                                                                      format="%.1f"),
                 "jobs_per_10k": st.column_config.NumberColumn(t("compare.jobs_per_10k", year=year), format="%.1f"),
                 "growth": st.column_config.NumberColumn(t("compare.growth", years=5), format="percent"),
                 "disadvantaged_share": st.column_config.NumberColumn(t("impact.col.disadvantaged_share"),
                                                                      format="percent"),
                 "turnover_per_job": st.column_config.TextColumn(t("compare.turnover_per_job")),
                 "population_source": st.column_config.TextColumn(t("impact.col.population_source")),
                 "note": st.column_config.TextColumn(t("impact.col.note")),
             })
st.caption(t("impact.per_resident_note"))
top = list(shares.dropna(subset=["jobs_per_10k"]).sort_values("jobs", ascending=False)["code"][:2])
if len(top) == 2:
    st.page_link("pages/6_compare.py", label=t("impact.open_compare"), icon=":material/compare_arrows:",
                 query_params={**ctx.query, keys.COMPARE: ",".join(top)})
if not available.get("disadvantaged_hires", False):
    st.caption(t("impact.missing_metric", metric=t("field.disadvantaged_hires")))

# --- Net additional jobs -------------------------------------------------------------------------------
st.header(t("impact.net_title"))
st.markdown(t("impact.net_intro", base=base, year=year))
with st.expander(t("impact.assumptions"), expanded=False):
    params = additionality_inputs(ctx, "impact_add")
    st.caption(t("additionality.source"))
net = float(impact.net_additional(float(created), params))
g1, g2 = st.columns(2)
g1.metric(t("impact.gross_jobs", base=base, year=year), i18n.number(created, lang))
g2.metric(t("impact.net_jobs", base=base, year=year), i18n.number(round(net), lang),
          help=t("impact.net_help", factor=i18n.number(params.factor(), lang, 2)))
steps = impact.additionality_steps(float(created), params)
steps = steps.assign(step=[t(f"additionality.step.{s}") for s in steps["step"]])
with st.expander(t("impact.show_working")):
    st.dataframe(steps, hide_index=True, key="additionality_steps",
                 column_config={"step": st.column_config.TextColumn(t("impact.col.step")),
                                "value": st.column_config.NumberColumn(t("chart.jobs"), format="%.1f")})

# --- Local multiplier (LM3) ----------------------------------------------------------------------------
st.header(t("impact.lm3_title"))
st.markdown(t("impact.lm3_intro"))
spend_default = impact.LocalSpend()
sliders = st.columns(3)
spend_values = {}
for i, name in enumerate(impact.LOCAL_SPEND_FIELDS):
    with sliders[i % 3]:
        spend_values[name] = st.slider(t(f"lm3.{name}"), 0, 100, int(round(getattr(spend_default, name) * 100)), step=5,
                                       format="%d%%", key=f"lm3_{name}", help=t(f"lm3.{name}_help")) / 100
spend = impact.LocalSpend(**spend_values)
spend_problems = spend.validate()
if spend_problems:
    for code in spend_problems:
        st.warning(t(f"lm3.{code}") if i18n.has(f"lm3.{code}") else code, icon=":material/warning:")
else:  # the LM3 figure and map only for shares that add up (wages + suppliers ≤ income)
    worked = impact.lm3(1.0, spend)
    st.metric(t("impact.lm3_value"), i18n.number(worked["lm3"], lang, 2),
              help=t("impact.lm3_help"))
    st.markdown(literal(t("reading.lm3", value=i18n.number(worked["lm3"], lang, 2))))
    if available.get("turnover", False):
        by_area = impact.lm3_by_area(panel, mask, year, spend, ds.areas)
        centres = panel.enterprises[mask].groupby("area", observed=True)[["lat", "lon"]].mean()
        by_area = by_area.join(centres, on="area", how="inner") if len(by_area) else by_area
        if len(by_area):
            by_area = by_area.assign(
                label=[area_name(ctx, c) for c in by_area["area"]],
                text=[t("impact.lm3_hover", turnover=money(tv, cur, lang), local=money(lv, cur, lang))
                      for tv, lv, cur in zip(by_area["turnover"], by_area["local_value"], by_area["currency"])],
            )
            # Sizes are comparable only within one currency: one map per currency present.
            for currency, part in by_area.groupby("currency", sort=True):
                view = geo.fit_view(part["lat"], part["lon"], width=700, height=420)
                country = "JP" if currency == "JPY" else "GB"
                fig = maps.lighten(charts.area_value_map(part, value="local_value", lang=lang, view=view, height=420,
                                                         boundaries=mapview.outline_layers(view, country),
                                                         style=basemap.style(view, lang)))
                table = part[["label", "turnover", "local_value", "currency"]]
                chart_or_table(ctx, f"lm3_{currency}", fig, table,
                               reading=t("impact.lm3_map", currency=currency, year=year),
                               column_config={"label": st.column_config.TextColumn(t("col.area")),
                                              "turnover": st.column_config.NumberColumn(t("col.turnover"), format="localized"),
                                              "local_value": st.column_config.NumberColumn(t("impact.col.local_value"),
                                                                                           format="localized"),
                                              "currency": st.column_config.TextColumn(t("col.currency"))})
    else:
        st.caption(t("impact.missing_metric", metric=t("field.turnover")))
st.caption(t("lm3.source"))

# --- Cost per job --------------------------------------------------------------------------------------
st.header(t("impact.cost_title"))
st.markdown(t("impact.cost_intro"))
pasted = st.text_area(t("impact.cost_paste"), key=keys.IMPACT_SPENDING, height=120,
                      placeholder=t("impact.cost_placeholder"),
                      help=t("impact.cost_paste_help"))
spending = impact.read_spending(pasted, ds.areas)
if len(spending):
    costs, problems = impact.cost_per_job(spending, panel, mask, params)
    for problem in problems:
        key = f"impact.spending.{problem.code}"
        st.warning(t(key, row=problem.row + 1, value=literal(problem.value)) if i18n.has(key) else literal(problem),
                   icon=":material/warning:")
    if len(costs):
        view = costs.assign(
            area=[area_name(ctx, c) for c in costs["area"]],
            cost_per_gross_job=[money(v, c, lang) for v, c in zip(costs["cost_per_gross_job"], costs["currency"])],
            cost_per_net_job=[money(v, c, lang) for v, c in zip(costs["cost_per_net_job"], costs["currency"])],
            spend=[money(v, c, lang) for v, c in zip(costs["spend"], costs["currency"])],
        )
        st.dataframe(view[["area", "currency", "spend", "gross_jobs", "net_jobs", "cost_per_gross_job",
                           "cost_per_net_job"]], hide_index=True, key="cost_table",
                     column_config={"area": st.column_config.TextColumn(t("col.area")),
                                    "currency": st.column_config.TextColumn(t("col.currency")),
                                    "spend": st.column_config.TextColumn(t("impact.col.amount")),
                                    "gross_jobs": st.column_config.NumberColumn(t("impact.col.gross_jobs"), format="%.0f"),
                                    "net_jobs": st.column_config.NumberColumn(t("impact.col.net_jobs"), format="%.1f"),
                                    "cost_per_gross_job": st.column_config.TextColumn(t("impact.col.cost_gross")),
                                    "cost_per_net_job": st.column_config.TextColumn(t("impact.col.cost_net"))})
        st.download_button(t("impact.download_costs"), export.to_csv_bytes(costs), file_name="regen-atlas-cost-per-job.csv",
                           mime="text/csv", icon=":material/download:", on_click="ignore", key="dl_costs")
else:
    st.caption(t("impact.cost_empty"))
