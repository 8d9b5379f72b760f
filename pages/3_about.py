"""About & method: what the data is, definitions, sources, licences and attribution."""

import streamlit as st

from regen import i18n
from regen.schema import AREA_COLUMNS, ENTERPRISE_COLUMNS, FIGURE_COLUMNS
from regen_app.setup import literal, setup_page

ctx = setup_page("about")
t = ctx.t

st.title(t("about.title"))
st.markdown(t("about.intro"))

st.header(t("about.data"))
st.markdown(t("about.data_body"))

st.header(t("about.definitions"))
for term in ("job", "fte", "active", "jobs_added", "flows", "per_resident", "survival", "net_additional", "lm3",
             "cost_per_job", "scenario", "small_numbers", "disadvantaged", "precision"):
    st.markdown(f"**{literal(t('about.term.' + term))}** — {t('about.def.' + term)}")

st.header(t("about.fields"))
for title, columns in ((t("about.fields.enterprises"), ENTERPRISE_COLUMNS),
                       (t("about.fields.figures"), FIGURE_COLUMNS), (t("about.fields.areas"), AREA_COLUMNS)):
    with st.expander(title):
        st.markdown("\n".join(f"- `{c}` — {t('field.' + c)}" for c in columns))

st.header(t("about.sources"))
st.markdown(t("about.sources_body"))
st.subheader(t("about.sources_methods"))
st.markdown(t("about.sources_methods_body"))
st.header(t("about.privacy"))
st.markdown(t("about.privacy_body"))
st.caption(t("about.version", version=__import__("regen").__version__, language=i18n.LANGUAGE_NAMES[ctx.lang]))
