"""Small pieces the pages share: every chart's plotly config (toolbar in the interface language), a
chart with a "show as table" alternative and its one-line reading, and the additionality assumptions
as editable inputs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from regen import i18n, impact, readings, survival
from regen_app.setup import Context, literal



def plotly_config(lang: str, **extra) -> dict:
    """The config of every chart: no plotly logo, and plotly.js's own texts (the toolbar's tooltips,
    month and day names) in the interface language, passed with the chart rather than fetched from a
    CDN. ``extra`` adds or overrides options (``scrollZoom=True``, ``displayModeBar=False``)."""
    config: dict = {"displaylogo": False}
    locale = i18n.plotly_locale(lang)
    if locale is not None:
        code = i18n.normalise(lang)
        config.update(locale=code, locales={code: locale})
    config.update(extra)
    return config


def chart_or_table(ctx: Context, key: str, fig, table: pd.DataFrame, *, reading: str | None = None,
                   column_config: dict | None = None) -> None:
    """``reading`` (one plain sentence), then the chart, or the same numbers as a table when the
    visitor asks for it (screen readers, projectors, copying numbers)."""
    if reading:
        st.markdown(literal(reading))
    as_table = st.toggle(ctx.t("impact.show_table"), key=f"{key}_as_table")
    if as_table:
        st.dataframe(table, hide_index=True, key=f"{key}_table", column_config=column_config or {})
    else:
        st.plotly_chart(fig, key=f"{key}_chart", config=plotly_config(ctx.lang))


def additionality_inputs(ctx: Context, key: str) -> impact.Additionality:
    """Sliders for deadweight, leakage, displacement, substitution and the multiplier, starting from the
    defaults of :class:`regen.impact.Additionality` (illustrative starting points)."""
    t = ctx.t
    default = impact.Additionality()
    values = {}
    cols = st.columns(5)
    for col, name in zip(cols, ("deadweight", "leakage", "displacement", "substitution")):
        with col:
            percent = st.slider(t(f"additionality.{name}"), 0, 100, int(round(getattr(default, name) * 100)), step=5,
                                format="%d%%", key=f"{key}_{name}", help=t(f"additionality.{name}_help"))
            values[name] = percent / 100
    with cols[4]:
        values["multiplier"] = st.slider(t("additionality.multiplier"), 1.0, 2.0, float(default.multiplier), step=0.05,
                                         key=f"{key}_multiplier", help=t("additionality.multiplier_help"))
    return impact.Additionality(**values)


def money(value, currency: str | None, lang: str) -> str:
    if currency is None or currency != currency or value is None or value != value:
        return "–"
    return i18n.money(value, str(currency), lang)


def share_metric(ctx: Context, label: str, value: float | None, lower: float | None, upper: float | None, *,
                 help: str | None = None) -> None:
    """A share as a metric ("too few to say" when there is none) with its 95 % interval underneath."""
    shown = ctx.t("reading.too_few_short") if value is None or value != value else i18n.percent(value, ctx.lang)
    st.metric(label, shown, help=help)
    if lower is not None and upper is not None and value is not None and value == value:
        st.caption(ctx.t("metric.survival_ci", lower=i18n.percent(lower, ctx.lang), upper=i18n.percent(upper, ctx.lang)))


def survival_table(ctx: Context, results: dict[str, survival.SurvivalResult], *, label: str, key: str = "label",
                   median: bool = True) -> tuple[pd.DataFrame, dict]:
    """Survival by group or place as a table (the name in column ``key`` headed ``label``, enterprises,
    closures, S(3/5/10) with intervals and optionally the median) and its column headings."""
    t, lang = ctx.t, ctx.lang
    frame = pd.DataFrame([{
        key: name, "n": r.n, "events": r.events,
        **{f"s{h}": readings.estimate(r.at.get(h), lang) for h in survival.HORIZONS},
        **({"median": readings.years(r.median, lang, r.warnings)} if median else {}),
    } for name, r in results.items()])
    columns = {key: st.column_config.TextColumn(label),
               "n": st.column_config.NumberColumn(t("impact.col.n")),
               "events": st.column_config.NumberColumn(t("impact.col.events")),
               **{f"s{h}": st.column_config.TextColumn(t("impact.col.s_at", h=h)) for h in survival.HORIZONS},
               **({"median": st.column_config.TextColumn(t("impact.col.median"))} if median else {})}
    return frame, columns
