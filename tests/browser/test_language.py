"""Japanese all the way, in a real browser: the browser's language on a first visit (a link's ?lang= still
wins), chart toolbars in the interface language, no Streamlit menu, no English "Select all", and on a
phone a sidebar that stays out of the way (collapsed on load and after a page change from the menu)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from regen import i18n

from .conftest import open_page, wait_for_app

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1440, "height": 900}


@contextmanager
def visitor(browser, locale: str, viewport: dict = LAPTOP):
    """A new browser profile (nothing remembered) whose language is ``locale``; non-loopback requests blocked."""
    page = open_page(browser, locale=locale, viewport=viewport)
    try:
        yield page
    finally:
        page.context.close()


def open_(page, server, path: str = "", query: str = "") -> None:
    page.goto(f"{server.url}/{path}{'?' + query if query else ''}")
    wait_for_app(page)


def h1(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def sidebar_state(page) -> tuple[str | None, float]:
    """(data-collapsed, how many pixels of the sidebar are on screen)."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    box = sidebar.bounding_box()
    return sidebar.get_attribute("data-collapsed"), (max(0.0, box["x"] + box["width"]) if box else 0.0)


def test_japanese_browser_gets_japanese_on_a_first_visit(browser, server):
    with visitor(browser, "ja-JP") as page:
        open_(page, server)
        assert h1(page) == i18n.t("overview.title", "ja")
        assert page.title() == f"{i18n.t('nav.overview', 'ja')} · {i18n.t('app.title', 'ja')}"
        links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')
        links.nth(2).wait_for(timeout=20_000)  # drawn once the sidebar's run has reached the menu
        wait_for_app(page)
        labels = [m.strip().splitlines()[-1] for m in links.all_inner_texts()]  # the text after the icon's name
        assert labels[:3] == [i18n.t(f"nav.{k}", "ja") for k in ("overview", "map", "impact")]
        assert "lang=ja" in page.url  # a copied link keeps the language
        assert page.blocked == []


def test_a_links_lang_wins_in_a_japanese_browser(browser, server):
    with visitor(browser, "ja-JP") as page:
        open_(page, server, "explorer", "lang=en")
        assert h1(page) == i18n.t("explorer.title", "en")
        assert page.title().startswith(i18n.t("nav.explorer", "en"))


def test_english_browser_gets_english(browser, server):
    with visitor(browser, "en-GB") as page:
        open_(page, server, "explorer")
        assert h1(page) == i18n.t("explorer.title", "en")
        assert "lang=" not in page.url


def test_phone_sidebar_collapsed_on_load_and_after_a_page_change(browser, server):
    with visitor(browser, "ja-JP", PHONE) as page:
        open_(page, server)
        assert sidebar_state(page) == ("true", 0.0)  # the page is readable on arrival
        page.get_by_test_id("stExpandSidebarButton").click()
        page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').dataset.collapsed === 'false'")
        # ... and on screen once the sidebar has slid in (its opening is animated)
        page.wait_for_function("""() => { const r = document.querySelector('[data-testid=stSidebar]').getBoundingClientRect();
                                          return r.x + r.width > 250; }""", timeout=10_000)
        assert sidebar_state(page)[1] > 250  # the menu is reachable ...
        page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]').filter(
            has_text=i18n.t("nav.explorer", "ja")).click()
        page.wait_for_function("(t) => document.querySelector('h1') && document.querySelector('h1').innerText === t",
                               arg=i18n.t("explorer.title", "ja"))
        wait_for_app(page)
        page.wait_for_timeout(500)  # the sidebar's slide-out
        assert sidebar_state(page) == ("true", 0.0)  # ... and out of the way on the new page
        open_(page, server, "impact", "lang=ja")  # a later load: still collapsed
        assert sidebar_state(page) == ("true", 0.0)


def test_laptop_sidebar_expanded_on_load_and_after_a_page_change(browser, server):
    with visitor(browser, "en-GB", LAPTOP) as page:
        open_(page, server)
        assert sidebar_state(page)[0] == "false" and sidebar_state(page)[1] > 250
        page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]').filter(
            has_text=i18n.t("nav.explorer", "en")).click()
        page.wait_for_function("(t) => document.querySelector('h1') && document.querySelector('h1').innerText === t",
                               arg=i18n.t("explorer.title", "en"))
        wait_for_app(page)
        assert sidebar_state(page)[0] == "false"


def test_streamlit_menu_is_not_offered(browser, server):
    with visitor(browser, "en-GB") as page:
        open_(page, server)
        page.wait_for_timeout(500)
        assert page.get_by_test_id("stMainMenu").count() == 0  # "viewer" would show it (Print, Record…)
        assert page.get_by_test_id("stAppDeployButton").count() == 0


def modebar_titles(page) -> list[str]:
    """Hover the first chart with axes (maps have other buttons; charts are drawn in any order), then
    its first button; the tooltip texts of its toolbar."""
    chart = page.locator(".js-plotly-plot:has(g.xtick)").first
    chart.scroll_into_view_if_needed()
    chart.hover()
    button = chart.locator(".modebar-btn").first
    button.wait_for(state="visible", timeout=20_000)
    button.hover()
    return chart.locator(".modebar-btn").evaluate_all("bs => bs.map(b => b.getAttribute('data-title'))")


@pytest.mark.parametrize("locale,lang", [("ja-JP", "ja"), ("en-GB", "en")])
def test_chart_toolbar_speaks_the_interface_language(browser, server, locale, lang):
    with visitor(browser, locale) as page:
        open_(page, server, "impact")
        titles = modebar_titles(page)
        download, zoom = ("PNGファイルでダウンロード", "ズーム") if lang == "ja" else ("Download plot as a PNG", "Zoom")
        assert titles[0] == download and zoom in titles
        # Streamlit's own full-screen button: its tooltip (CSS ::after) in the interface language
        full = page.locator(".js-plotly-plot:has(g.xtick)").first.locator('.modebar-btn[data-title="Fullscreen"]')
        tooltip = full.evaluate("b => getComputedStyle(b, '::after').content")
        assert tooltip == f'"{i18n.t("chart.fullscreen", lang)}"'
        assert page.blocked == []  # the locale came with the chart, not from a CDN


def test_filter_dropdown_has_no_english_select_all(browser, server):
    with visitor(browser, "ja-JP") as page:
        open_(page, server)
        box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
        options = page.get_by_role("option")
        japan = options.filter(has_text=i18n.t("country.JP", "ja")).first
        for _ in range(3):  # a rerun right after the first visit (language from the browser) can close it
            box.locator('[role="combobox"], input').first.click()
            try:
                japan.wait_for(timeout=5_000)
                break
            except PlaywrightTimeout:
                page.keyboard.press("Escape")
                wait_for_app(page)
        options.filter(has_text=i18n.t("country.GB", "ja")).first.wait_for(timeout=5_000)  # drawn in full
        texts = [t.strip() for t in options.all_inner_texts()]
        assert i18n.t("country.JP", "ja") in texts and i18n.t("country.GB", "ja") in texts
        assert not any("Select" in t for t in texts), texts
