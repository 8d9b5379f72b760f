"""One set-up call at the top of every page: language, page config, translated menu, dataset, shared filters.

Every page file starts with ``ctx = setup_page("map")`` so that any page works as the first page a
visitor opens (a deep link). The URL mirrors the filters (see ``regen_app.urlstate``), so a copied
link reopens the same view, language and dataset included (``?lang=ja&data=main``).
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import streamlit as st

from regen import i18n, places
from regen.dataset import Dataset
from regen.filters import Filters, options
from regen.metrics import Panel
from regen_app import cache, urlstate
from regen_app import state as keys
from regen_app.cache import STORE_ERRORS, Published

log = logging.getLogger(__name__)

# (page file, url path, i18n key, icon). The entry point (Overview) is served at "/".
PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("dashboard.py", "", "overview", ":material/dashboard:"),
    ("pages/1_map.py", "map", "map", ":material/map:"),
    ("pages/5_impact.py", "impact", "impact", ":material/insights:"),
    ("pages/6_compare.py", "compare", "compare", ":material/compare_arrows:"),
    ("pages/7_scenario.py", "scenario", "scenario", ":material/trending_up:"),
    ("pages/2_explorer.py", "explorer", "explorer", ":material/table_view:"),
    ("pages/3_about.py", "about", "about", ":material/info:"),
    ("pages/4_upload.py", "upload", "upload", ":material/upload_file:"),
)

# Pages about managing data rather than showing it: no "which data is this" banner or caption.
NO_DATA_BANNER = frozenset({"upload"})

ICON = Path(__file__).parent / "static" / "icon.png"
_SESSION_LANG = "_lang"  # the language of this session's last run: kept when a later URL names none
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$:])")


def literal(text: object) -> str:
    """Markdown that displays ``text`` exactly as typed (no HTML, no Markdown, no LaTeX)."""
    if text is None:
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False)).replace("\n", "  \n")


@dataclass
class Context:
    page: str
    lang: str
    filters: Filters
    dataset: Dataset
    panel: Panel
    query: dict[str, str]  # the shared filters as query parameters, for links to other pages
    version: int | None = None  # the published version shown (None for the built-in sample)

    def t(self, key: str, **params: object) -> str:
        return i18n.t(key, self.lang, **params)

    @property
    def years(self) -> tuple[int, int]:
        return self.filters.years(self.panel.years)

    @cached_property
    def area_names(self) -> dict[str, str]:
        """Area code → name in the visitor's language, looked up once per page run (pages name areas
        row by row; each cached look-up hashes and copies every area's name)."""
        return _area_names(self.dataset, self.lang)


def current_language() -> str:
    """The visitor's language (after :func:`urlstate.restore` has read the URL): a link's ``?lang=``,
    else the language of this session so far (the sidebar choice sticks), else on a first visit the
    browser's language (``st.context.locale``). Stored for the language radio to show."""
    lang = i18n.choose_language(st.context.locale, st.session_state.get(keys.LANG),
                                st.session_state.get(_SESSION_LANG))
    st.session_state[keys.LANG] = st.session_state[_SESSION_LANG] = lang
    return lang


def _lang_in_url(lang: str) -> str | None:
    """``lang`` as the URL carries it: left out only where a visitor opening the link would get it
    anyway (English in an English-speaking browser), so a copied link keeps its language."""
    return None if lang == i18n.DEFAULT_LANGUAGE == i18n.from_locale(st.context.locale) else lang


def setup_page(page: str) -> Context:
    """Configure the page and draw the shared sidebar; return what the page needs."""
    urlstate.restore(page)
    urlstate.clean(keys.LANG, i18n.LANGUAGES, multi=False)
    lang = current_language()
    st.set_page_config(
        page_title=f"{i18n.t('nav.' + page, lang)} · {i18n.t('app.title', lang)}",
        page_icon=str(ICON),  # a local file: a material-icon favicon would be fetched from a CDN
        layout="wide",
        # "auto": expanded on wider screens, collapsed at or below Streamlit's 768 px breakpoint (phones),
        # and re-decided the same way (or as the visitor last left it) after a page change.
        initial_sidebar_state="auto",
    )
    _chart_toolbar_texts(lang)
    with st.sidebar:
        st.markdown(f"### {literal(i18n.t('app.title', lang))}")
        lang = st.radio(
            "Language · 言語", i18n.LANGUAGES, format_func=i18n.LANGUAGE_NAMES.get, horizontal=True,
            key=keys.LANG,
        )
        menu = st.container()
        st.divider()
        choice, source, offered = _choose_dataset(lang)
        ds, panel, source = _load(choice, source)
        filters = _filters(ds, panel, lang)
        shared = urlstate.publish({
            keys.LANG: _lang_in_url(lang),
            keys.COUNTRY: filters.country, keys.REGION: filters.region, keys.AREA: filters.area,
            keys.SECTOR: filters.sector, keys.LEGAL_FORM: filters.legal_form,
            keys.YEARS: None if (filters.year_from, filters.year_to) == panel.default_years
            else (filters.year_from, filters.year_to),
            keys.DATA: choice if offered else None,
        }, shared=True)
        with menu:
            _menu(page, lang, shared)
        _menu_closes_sidebar_on_phones()
    if source is None and choice != keys.SAMPLE:  # the chosen dataset could not be loaded
        st.warning(i18n.t("data.unavailable", lang), icon=":material/warning:")
    if page not in NO_DATA_BANNER:
        _data_banner(ds, source, lang)
    return Context(page=page, lang=lang, filters=filters, dataset=ds, panel=panel, query=shared,
                   version=source.version if source else None)


def _chart_toolbar_texts(lang: str) -> None:
    """The tooltip of the full-screen button Streamlit adds to every chart's toolbar, in ``lang``.

    plotly.js's own buttons follow the chart's locale (``widgets.plotly_config``); this one is
    Streamlit's, titled in English only, so its tooltip (drawn from ``data-title`` by CSS) is
    replaced by CSS too. Style-only HTML takes no room on the page."""
    if lang == i18n.DEFAULT_LANGUAGE:
        return
    rules = "".join(
        f'.js-plotly-plot .plotly .modebar-btn[data-title="{title}"]::after{{content:"{i18n.t(key, lang)}"}}'
        for title, key in (("Fullscreen", "chart.fullscreen"), ("Close fullscreen", "chart.close_fullscreen")))
    st.html(f"<style>{rules}</style>")


def _data_banner(ds: Dataset, source: Published | None, lang: str) -> None:
    """Which data this is: the sample's banner, or the analyst dataset's name, version and publish date."""
    if ds.illustrative:
        st.info(i18n.t("sample.banner", lang), icon=":material/science:")
    elif source is not None:
        when = source.published_at.strftime("%Y-%m-%d") if source.published_at else "–"
        st.caption(":material/database: " + i18n.t("data.caption", lang, name=literal(source.name),
                                                      version=source.version, date=when))


def _choose_dataset(lang: str) -> tuple[str, Published | None, bool]:
    """The dataset to show: (name, its publication or None for the sample, whether a selector was shown).

    A selector appears only when analysts have published at least one dataset; its default is the
    most recently published one.
    """
    sources = cache.published()
    names = [keys.SAMPLE] + [s.name for s in sources]
    urlstate.clean(keys.DATA, names, multi=False)
    if not sources:
        return keys.SAMPLE, None, False
    st.session_state.setdefault(keys.DATA, sources[0].name)
    choice = st.selectbox(
        i18n.t("data.label", lang), names, key=keys.DATA, on_change=_dataset_changed,
        format_func=lambda n: i18n.t("data.sample", lang) if n == keys.SAMPLE else n,
        help=i18n.t("data.help", lang),
    )
    return choice, next((s for s in sources if s.name == choice), None), True


def _dataset_changed() -> None:
    # Another dataset has other years and enterprises: start from its full range, no open card.
    for key in (keys.YEARS, keys.MAP_YEAR, keys.MAP_SELECTED):
        st.session_state.pop(key, None)


def _load(choice: str, source: Published | None) -> tuple[Dataset, Panel, Published | None]:
    """The chosen dataset and its panel; the sample if the store cannot provide it."""
    if source is not None:
        try:
            return cache.dataset(source.name, source.version), cache.panel(source.name, source.version), source
        except STORE_ERRORS as err:
            log.warning("cannot load dataset %s version %s: %s", source.name, source.version, err)
    return cache.dataset(), cache.panel(), None


def _menu(current: str, lang: str, query: dict[str, str]) -> None:
    for path, _url, key, icon in PAGES:
        st.page_link(path, label=i18n.t(f"nav.{key}", lang), icon=icon, disabled=(key == current),
                      query_params=query)


# Streamlit's own page list closes the sidebar on a phone once a page is chosen; st.page_link does not,
# and the sidebar remembers that the visitor opened it (to reach the menu), so the next page would open
# under it. This closes it after a menu tap on a narrow screen (Streamlit's breakpoint, 768 px), as the
# sidebar's own close button does. A fixed script (nothing from data or the URL); installed once.
_CLOSE_AFTER_MENU_TAP = """<script>
(() => {
  if (document.documentElement.dataset.regenMenuCloses) return;
  document.documentElement.dataset.regenMenuCloses = "1";
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element &&
      event.target.closest('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]');
    if (!link || window.innerWidth > 768) return;
    // Closed now, and again while the new page is drawn: a click on the close button during the page
    // change can be lost, and the new page would open under the sidebar.
    const close = () => {
      const sidebar = document.querySelector('[data-testid="stSidebar"]');
      const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (sidebar && sidebar.dataset.collapsed === "false" && button) button.click();
    };
    close();
    [300, 800, 1500].forEach((ms) => setTimeout(close, ms));
  });
})();
</script>"""


def _menu_closes_sidebar_on_phones() -> None:
    st.html(_CLOSE_AFTER_MENU_TAP, unsafe_allow_javascript=True, width="content")


def _filters(ds: Dataset, panel: Panel, lang: str) -> Filters:
    t = lambda key, **p: i18n.t(key, lang, **p)  # noqa: E731
    ent = ds.enterprises
    st.markdown(f"**{literal(t('filters.title'))}**")
    area_names = _area_names(ds, lang)

    def multi(key: str, label: str, opts: list[str], fmt) -> tuple[str, ...]:
        urlstate.clean(key, opts, multi=True)
        # No built-in "Select all" (English only, not translatable): choosing none means all, and
        # "Reset filters" below clears every filter.
        chosen = st.multiselect(label, opts, format_func=fmt, key=key,
                                placeholder=t("filters.all"), select_all=False)
        return tuple(chosen)

    country = multi(keys.COUNTRY, t("filters.country"), options(ent, "country", Filters()),
                    lambda c: i18n.label("country", c, lang))
    region = multi(keys.REGION, t("filters.region"), options(ent, "region", Filters(country=country)),
                   lambda r: places.region_name(r, lang))
    area = multi(keys.AREA, t("filters.area"), options(ent, "area", Filters(country=country, region=region)),
                 lambda a: area_names.get(a, a))
    sector = multi(keys.SECTOR, t("filters.sector"), list(_present(ent, "sector")),
                   lambda s: i18n.label("sector", s, lang))
    legal_form = multi(keys.LEGAL_FORM, t("filters.legal_form"), list(_present(ent, "legal_form")),
                       lambda f: i18n.label("legal_form", f, lang))
    lo, hi = panel.years
    if lo == hi:  # one year of figures: nothing to choose (a slider needs two different ends)
        st.session_state.pop(keys.YEARS, None)
        st.caption(t("filters.one_year", year=lo))
        years = (lo, hi)
    else:
        if keys.YEARS in st.session_state:  # clip a range from an old link to the data's years
            a, b = st.session_state[keys.YEARS]
            st.session_state[keys.YEARS] = (max(lo, min(hi, a)), max(lo, min(hi, b)))
        years = st.slider(t("filters.years"), min_value=lo, max_value=hi,
                          value=None if keys.YEARS in st.session_state else panel.default_years, key=keys.YEARS,
                          help=t("filters.years_help"))
    st.button(t("filters.reset"), on_click=_reset, args=(panel.default_years,), icon=":material/restart_alt:",
              width="stretch")
    return Filters(country=country, region=region, area=area, sector=sector, legal_form=legal_form,
                   year_from=int(years[0]), year_to=int(years[1]))


def _present(ent, column: str) -> list[str]:
    from regen.charts import COLOURS

    found = set(ent[column].dropna().astype(str))
    known = [c for c in COLOURS.get(column, {}) if c in found]
    return known + sorted(found - set(known))


def _reset(years: tuple[int, int]) -> None:
    for key in (keys.COUNTRY, keys.REGION, keys.AREA, keys.SECTOR, keys.LEGAL_FORM):
        st.session_state[key] = []
    st.session_state[keys.YEARS] = years


@st.cache_data(show_spinner=False)
def _area_names_cached(codes: tuple[str, ...], names: tuple[str, ...], names_ja: tuple[str, ...], lang: str) -> dict:
    chosen = names_ja if lang == "ja" else names
    return {"unknown": i18n.t("place.unknown", lang), **{c: (n if n else e) for c, n, e in zip(codes, chosen, names)}}


def _area_names(ds: Dataset, lang: str) -> dict[str, str]:
    areas = ds.areas
    return _area_names_cached(
        tuple(areas["code"].astype(str)), tuple(areas["name"].fillna("").astype(str)),
        tuple(areas["name_ja"].fillna("").astype(str)), lang,
    )


def area_name(ctx: Context, code: str) -> str:
    return ctx.area_names.get(code, code)


def place_label(ctx: Context, ward: object, area: str, region: str) -> str:
    """"Hendon · Sunderland · North East England" in the visitor's language."""
    parts = [places.ward_name(ward, ctx.lang) if isinstance(ward, str) and ward else "",
             "" if area == "unknown" else area_name(ctx, area),
             "" if region == "unknown" else places.region_name(region, ctx.lang)]
    return " · ".join(p for p in parts if p) or ctx.t("place.unknown")


def place_labels(ctx: Context, frame) -> "pd.Series":
    """:func:`place_label` for every row of ``frame`` (ward, area, region), built with one lookup per
    distinct area and region rather than per row."""
    import pandas as pd

    areas = {**ctx.area_names, "unknown": ""}  # a part not known is left out
    area = frame["area"].astype(str)
    area = area.map({a: areas.get(a, a) for a in area.unique()})
    region = frame["region"].astype(str)
    region = region.map({r: "" if r == "unknown" else places.region_name(r, ctx.lang) for r in region.unique()})
    ward = frame["ward"].fillna("").astype(str) if "ward" in frame else pd.Series("", index=frame.index)
    ward = ward.map({w: places.ward_name(w, ctx.lang) for w in ward.unique()})
    out = (ward + " · " + area + " · " + region).str.replace(r"( · )+", " · ", regex=True).str.strip(" ·")
    return out.where(out != "", ctx.t("place.unknown"))
