"""Explorer: a searchable, sortable table of enterprises with their latest figures, and downloads."""

import streamlit as st

from regen import export, i18n, metrics, places
from regen.filters import Filters
from regen_app import state as keys
from regen_app import urlstate
from regen_app.setup import area_name, setup_page

ctx = setup_page("explorer")
t, lang = ctx.t, ctx.lang
base, year = ctx.years

st.title(t("explorer.title"))
query = st.text_input(t("explorer.search"), key=keys.SEARCH,
                      placeholder=t("explorer.search_placeholder"), icon=":material/search:")
urlstate.publish({keys.SEARCH: query.strip() or None})
filters = Filters(**{**ctx.filters.__dict__, "search": query or ""})
mask = ctx.panel.mask(filters)
table = metrics.latest_figures(ctx.panel, mask, year)


def _as_written(kind: str) -> list[str]:
    """Each row's label, with the file's words where the code is "other"."""
    written = table[f"{kind}_text"] if f"{kind}_text" in table else [None] * len(table)
    return [i18n.label_as_written(kind, c, w, lang) for c, w in zip(table[kind].astype(str), written)]


view = table.assign(
    legal_form=_as_written("legal_form"),
    sector=_as_written("sector"),
    country=table["country"].astype(str).map(lambda c: i18n.label("country", c, lang)),
    region=table["region"].astype(str).map(lambda c: places.region_name(c, lang)),
    area=table["area"].astype(str).map(lambda c: area_name(ctx, c)),
    geo_precision=table["geo_precision"].astype(str).map(lambda c: i18n.label("precision", c, lang)),
    # in the interface language, else the other one (a file may bring only one)
    description=[i18n.in_language(en, ja, lang) for en, ja in zip(
        table["description"] if "description" in table else [None] * len(table),
        table["description_ja"] if "description_ja" in table else [None] * len(table))],
)
columns = ["enterprise_id", "name", "name_ja", "legal_form", "sector", "founded", "closed", "area", "ward",
           "region", "country", "description", "latest_year", "employees", "fte", "disadvantaged_hires", "volunteers",
           "turnover", "currency", "geo_precision", "lat", "lon"]
columns = [c for c in columns if c in view.columns]
view = view[columns]

st.markdown(t("explorer.count", n=i18n.number(len(view), lang), year=year))
st.dataframe(
    view, hide_index=True, key="explorer_table", height=560, placeholder="–",
    column_config={
        "enterprise_id": st.column_config.TextColumn(t("col.enterprise_id"), pinned=True),
        "name": st.column_config.TextColumn(t("col.name"), pinned=True, width="medium"),
        "name_ja": st.column_config.TextColumn(t("col.name_ja")),
        "legal_form": st.column_config.TextColumn(t("col.legal_form")),
        "sector": st.column_config.TextColumn(t("col.sector")),
        "founded": st.column_config.NumberColumn(t("col.founded"), format="%d"),
        "closed": st.column_config.NumberColumn(t("col.closed"), format="%d"),
        "area": st.column_config.TextColumn(t("col.area")),
        "ward": st.column_config.TextColumn(t("col.ward")),
        "region": st.column_config.TextColumn(t("col.region")),
        "country": st.column_config.TextColumn(t("col.country")),
        "description": st.column_config.TextColumn(t("col.description"), width="large"),
        "latest_year": st.column_config.NumberColumn(t("col.latest_year"), format="%d"),
        "employees": st.column_config.NumberColumn(t("col.employees"), format="localized"),
        "fte": st.column_config.NumberColumn(t("col.fte"), format="%.1f"),
        "disadvantaged_hires": st.column_config.NumberColumn(t("col.disadvantaged_hires"), format="localized"),
        "volunteers": st.column_config.NumberColumn(t("col.volunteers"), format="localized"),
        "turnover": st.column_config.NumberColumn(t("col.turnover"), format="localized"),
        "currency": st.column_config.TextColumn(t("col.currency")),
        "geo_precision": st.column_config.TextColumn(t("col.geo_precision")),
        "lat": st.column_config.NumberColumn(t("col.lat"), format="%.4f"),
        "lon": st.column_config.NumberColumn(t("col.lon"), format="%.4f"),
    },
)

# Downloads carry codes (not translated labels) and both descriptions as the data has them, so that
# files re-import cleanly; formulas neutralised.
wanted = [name for c in columns for name in ((c, "description_ja") if c == "description" else (c,))]
download = table[[c for c in wanted if c in table.columns]]
name = f"regen-atlas-{ctx.dataset.name}-{year}"
d1, d2, _ = st.columns([1, 1, 3])
d1.download_button(t("explorer.download_csv"), export.to_csv_bytes(download), file_name=f"{name}.csv",
                   mime="text/csv", icon=":material/download:", on_click="ignore", key="dl_csv")
d2.download_button(t("explorer.download_xlsx"), export.to_xlsx_bytes(download), file_name=f"{name}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   icon=":material/download:", on_click="ignore", key="dl_xlsx")
if ctx.dataset.illustrative:
    st.caption(t("explorer.download_note"))
