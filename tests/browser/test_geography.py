"""A map visitors can read, checked in a real browser with the network blocked: coastline, water and
place names drawn from local data in the interface language; a first view that is a country, not the
world, fitted to the map's real size; phones (a tapped card in view, the page scrolls past the map);
and the view and filters disagreeing said out loud."""

from __future__ import annotations

import pytest

from regen import i18n

from .conftest import PHONE, open_page, wait_for_app, wait_for_map
from .helpers import biggest_point, error_boxes, goto, rendered

NAMES = {"en": ("Hendon", "Sunderland"), "ja": ("ヘンドン", "サンダーランド")}


def wait_for_names(page, expected: str, index: int = 0, timeout: float = 30_000) -> None:
    """Until MapLibre has placed a name ``expected`` on map ``index`` (names are placed after the shapes)."""
    page.wait_for_function(
        """([index, expected]) => {
            const gd = [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullLayout && g._fullLayout.map)[index];
            const m = gd && gd._fullLayout.map._subplot && gd._fullLayout.map._subplot.map;
            if (!m || !m.loaded()) return false;
            const layers = m.getStyle().layers.map(l => l.id).filter(id => id.startsWith('names-'));
            return m.queryRenderedFeatures({layers}).some(f => f.properties.name === expected);
        }""", arg=[index, expected], timeout=timeout)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_hendon_shows_the_coast_and_names_in_the_interface_language(page, server, lang):
    goto(page, server, "map", f"view=hendon&lang={lang}")
    wait_for_map(page)
    ward, city = NAMES[lang]
    wait_for_names(page, ward)
    drawn = rendered(page, ["land", "coast", "names"])
    assert len(drawn["land"]) > 0 and len(drawn["coast"]) > 0  # the sea is not drawn as land
    assert ward in drawn["names"] and city in drawn["names"]
    if lang == "ja":  # no English names in the Japanese interface
        assert all(any(ord(c) > 0x3000 for c in name) for name in drawn["names"]), drawn["names"]
    assert page.blocked == []  # glyphs and shapes came from the app itself


def test_kashiwazaki_in_japanese_shows_its_coast_and_name(page, server):
    goto(page, server, "map", "view=kashiwazaki&lang=ja")
    wait_for_map(page)
    wait_for_names(page, "柏崎市")
    drawn = rendered(page, ["land", "coast"])
    assert len(drawn["land"]) > 0 and len(drawn["coast"]) > 0
    assert page.blocked == []


def test_a_whole_country_map_gets_its_shapes_from_the_app_as_files_and_draws_them(page, server):
    """The coast, land, names and outlines of Japan are 0.7 MB: the figure names files the app serves
    (fetched once, then cached by the browser), and MapLibre draws them with the network blocked."""
    goto(page, server, "map", "view=japan&lang=ja")
    wait_for_map(page)
    sources = page.evaluate(
        """() => {
            const gd = [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullLayout && g._fullLayout.map)[0];
            const s = gd.layout.map.style.sources;
            return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v.data === 'string' ? v.data : null]));
        }""")
    for name in ("land", "coast", "names", "outline0", "outline1"):
        assert (sources[name] or "").startswith("app/static/geo/"), sources
    for _ in range(60):  # the files arrive after the figure
        drawn = rendered(page, ["land", "coast", "outline"])
        if all(drawn.values()):
            break
        page.wait_for_timeout(500)
    assert drawn["land"] and drawn["coast"] and drawn["outline"], {k: len(v) for k, v in drawn.items()}
    assert page.blocked == []


def zoom_and_spread(page, index: int = 0) -> dict:
    """The map's zoom and how much of its width and height the drawn enterprises span."""
    return page.evaluate(
        """(index) => {
            const gd = [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullLayout && g._fullLayout.map)[index];
            const m = gd._fullLayout.map._subplot.map;
            const c = m.getCanvas();
            const w = c.clientWidth, h = c.clientHeight;
            let xs = [], ys = [];
            gd._fullData.filter(t => t.mode === 'markers' && t.customdata).forEach(t => Array.from(t.lat || []).forEach((lat, i) => {
                const p = m.project([t.lon[i], lat]); xs.push(p.x); ys.push(p.y);
            }));
            const inside = xs.filter((x, i) => x >= 0 && x <= w && ys[i] >= 0 && ys[i] <= h).length;
            return {zoom: m.getZoom(), width: w, height: h, points: xs.length, inside,
                    spanX: (Math.max(...xs) - Math.min(...xs)) / w, spanY: (Math.max(...ys) - Math.min(...ys)) / h};
        }""", index)


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_first_view_is_a_country_fitted_to_the_maps_real_size(browser, server, size):
    width, height = size
    page = open_page(browser, viewport={"width": width, "height": height})
    try:
        goto(page, server, "map")
        wait_for_map(page)
        page.wait_for_timeout(500)
        fit = zoom_and_spread(page)
        assert fit["zoom"] > 4.0  # Britain, not the world
        assert fit["points"] > 50 and fit["inside"] == fit["points"]  # every enterprise in view
        # the view uses the map's real size: the enterprises fill most of it one way or the other
        assert max(fit["spanX"], fit["spanY"]) > 0.6, fit
        assert rendered(page, ["coast"])["coast"]  # (borders: see the whole-country test below)
    finally:
        page.context.close()


def test_japanese_overview_opens_on_japan_first(page, server):
    goto(page, server, "", "lang=ja")
    wait_for_map(page)
    first = page.evaluate(
        """() => { const gd = [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullLayout && g._fullLayout.map)[0];
                   return gd._fullLayout.map._subplot.map.getCenter().lng; }""")
    assert first > 120  # Japan (east of 120° E), then Britain


def test_a_view_without_the_filtered_enterprises_says_so_and_offers_the_fix(page, server):
    goto(page, server, "map", "view=kashiwazaki&country=GB")
    warning = page.get_by_text("None of the", exact=False)
    warning.wait_for(timeout=30_000)
    fix = page.get_by_role("button", name=i18n.t("map.view_fix", "en"))
    fix.click()
    page.wait_for_function("() => !location.search.includes('view=kashiwazaki')", timeout=30_000)
    wait_for_app(page)
    wait_for_map(page)
    assert page.get_by_text("None of the", exact=False).count() == 0
    assert zoom_and_spread(page)["points"] > 50
    assert error_boxes(page) == 0


def test_on_a_phone_a_tapped_enterprises_card_is_in_view(browser, server):
    page = open_page(browser, **PHONE)
    try:
        goto(page, server, "map", "view=hendon")
        wait_for_map(page)
        page.locator(".js-plotly-plot .maplibregl-canvas").first.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        target = biggest_point(page)
        assert target, "no point inside the map to tap"
        page.touchscreen.tap(target["x"], target["y"])
        card = page.locator(".st-key-enterprise_card")
        card.wait_for(timeout=30_000)
        wait_for_app(page)
        box = card.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 200) <= 844, box
        assert card.locator("h4").is_visible()
    finally:
        page.context.close()


def test_maps_let_the_page_scroll_and_zoom_only_on_purpose(browser, server):
    page = open_page(browser, **PHONE)
    try:
        goto(page, server, "map", "view=sunderland")
        wait_for_map(page)
        page.wait_for_function("() => document.querySelector('.js-plotly-plot[data-gestures=cooperative]')",
                               timeout=20_000)
        zoom = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullLayout && g._fullLayout.map)[0]
                                ._fullLayout.map._subplot.map.getZoom()""")
        canvas = page.locator(".js-plotly-plot .maplibregl-canvas").first
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        before = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop + window.scrollY")
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, 400)  # a plain wheel over the map scrolls the page, not the map
        page.wait_for_timeout(800)
        after = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop + window.scrollY")
        still = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullLayout && g._fullLayout.map)[0]
                                 ._fullLayout.map._subplot.map.getZoom()""")
        assert abs(still - zoom) < 1e-6
        assert after > before
    finally:
        page.context.close()
