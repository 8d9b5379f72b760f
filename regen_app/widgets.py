"""Small pieces the Impact, Compare and Scenario pages share: a chart with a "show as table"
alternative and its one-line reading, and the additionality assumptions as editable inputs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from regen import i18n, impact
from regen_app.setup import Context, literal

CHART_CONFIG = {"displaylogo": False}


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
        st.plotly_chart(fig, key=f"{key}_chart", config=CHART_CONFIG)


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
