"""The enterprise card shown when a point on the map is clicked."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from regen import charts, i18n, metrics
from regen_app import state as keys
from regen_app.setup import Context, literal, place_label
from regen_app.widgets import plotly_config


# A place in the other country to set a clicked place against (Sunderland for Japan, Kashiwazaki for
# Britain): the comparison visitors come with. Compare drops a code the dataset does not have.
COMPARE_PARTNER = {"JP": "E08000024", "GB": "15205"}


def card_names(name: object, name_ja: object, lang: str) -> tuple[str, str]:
    """The card's title and the name under it: in Japanese the Japanese name leads (the English one,
    when different, under it); otherwise the English name leads and the Japanese one follows."""
    name = name if isinstance(name, str) else ""
    name_ja = name_ja if isinstance(name_ja, str) and name_ja.strip() and name_ja != name else ""
    if lang == "ja" and name_ja:
        return name_ja, name
    return (name or name_ja), (name_ja if name else "")


def enterprise_card(ctx: Context, enterprise_id: str) -> None:
    t, lang = ctx.t, ctx.lang
    row = metrics.enterprise(ctx.panel, enterprise_id)
    if row is None:
        return
    with st.container(border=True, key="enterprise_card"):
        top, close = st.columns([5, 1])
        with top:
            lead, other = card_names(row.get("name"), row.get("name_ja"), lang)
            st.markdown(f"#### {literal(lead)}")
            if other:
                st.caption(literal(other))
        with close:
            st.button("", icon=":material/close:", key="close_card", help=t("card.close"),
                      on_click=lambda: st.session_state.pop(keys.MAP_SELECTED, None))
        founded = str(int(row["founded"])) if pd.notna(row.get("founded")) else t("place.unknown")
        closed = row.get("closed")
        status = t("card.closed", year=int(closed)) if pd.notna(closed) else t("card.trading")
        facts = [
            (t("card.legal_form"), i18n.label_as_written("legal_form", row["legal_form"], row.get("legal_form_text"),
                                                         lang)),
            (t("card.sector"), i18n.label_as_written("sector", row["sector"], row.get("sector_text"), lang)),
            (t("card.founded"), founded),
            (t("card.status"), status),
            (t("card.place"), place_label(ctx, row.get("ward"), str(row["area"]), str(row["region"]))),
            (t("card.precision"), i18n.label("precision", row["geo_precision"], lang)),
        ]
        st.markdown("  \n".join(f"**{literal(k)}**: {literal(v)}" for k, v in facts))
        hist = metrics.history(ctx.panel, enterprise_id)
        if len(hist):
            last = hist.iloc[-1]
            st.markdown(t("card.latest", year=int(last["year"]), jobs=i18n.number(int(last["employees"]), lang)))
            st.plotly_chart(charts.history_chart(hist, lang, height=180), key="card_chart",
                            config=plotly_config(lang, displayModeBar=False))
        description = i18n.in_language(row.get("description"), row.get("description_ja"), lang)
        if description:
            st.caption(literal(description))
        area = str(row["area"])
        partner = COMPARE_PARTNER.get(str(row["country"]))
        places = [area] + ([partner] if partner and partner != area else [])
        st.page_link("pages/6_compare.py", label=t("card.compare"), icon=":material/compare_arrows:",
                     query_params={**ctx.query, keys.COMPARE: ",".join(places)})
