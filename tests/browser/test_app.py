"""What only a browser shows: pages drawn, maps with points, clicks, URL state, downloads, Japanese glyphs."""

from __future__ import annotations

import re
import time

import pytest

from regen import i18n
from regen_app.setup import PAGES as MENU

from .conftest import wait_for_app, wait_for_map
from .helpers import analyst_server, biggest_point, error_boxes, goto, map_state

# The app's own list of pages (key → URL path), but the analysts' Upload page, tested on its own
PAGES = {key: url for _path, url, key, _icon in MENU if key != "upload"}


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_without_error(page, server, name, lang):
    goto(page, server, PAGES[name], "lang=ja" if lang == "ja" else "")
    assert error_boxes(page) == 0
    title_key = f"{name}.title"
    assert page.locator("h1").first.inner_text().strip() == i18n.t(title_key, lang)
    assert page.get_by_text(i18n.t("sample.banner", lang)[:30]).count() >= 1 or name == "about"
    assert page.blocked == [], f"requests left the machine: {page.blocked[:3]}"


def painted_fraction(png: bytes) -> float:
    """Share of pixels that are not (near) white in a screenshot."""
    from io import BytesIO

    from PIL import Image

    img = Image.open(BytesIO(png)).convert("L")
    hist = img.histogram()
    return 1 - sum(hist[245:]) / sum(hist)


def test_map_draws_points_offline(page, server):
    goto(page, server, "map", "view=sunderland")
    wait_for_map(page)
    state = map_state(page)
    assert state["points"] > 50 and state["style"] == "Regen Atlas (offline)" and state["width"] > 300
    shot = page.locator(".js-plotly-plot").first.screenshot()
    assert painted_fraction(shot) > 0.05  # land, outlines and points actually drawn
    assert page.blocked == []


def click_first_point(page) -> str:
    """Click the biggest point of the map; return its enterprise id."""
    target = biggest_point(page)
    assert target, "no point inside the map to click"
    page.mouse.click(target["x"], target["y"])
    return target["id"]


def test_clicking_a_point_opens_its_card(page, server):
    goto(page, server, "map", "view=hendon")
    wait_for_map(page)
    page.wait_for_timeout(500)  # let MapLibre finish placing markers after load
    click_first_point(page)
    card = page.locator(".st-key-enterprise_card")
    card.wait_for(timeout=30_000)
    wait_for_app(page)  # the card is drawn piece by piece while the script runs
    assert card.locator("h4").inner_text().strip()
    assert card.get_by_text(re.compile(r"Founded|設立")).count() >= 1
    assert card.locator(".js-plotly-plot").count() == 1  # jobs over time


def headline_jobs(page) -> tuple[str, str]:
    """The headline jobs metric ("Jobs in 2025", value), found by its label, not by its position."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(r"^Jobs in \d{4}$"))).first
    metric.wait_for(timeout=30_000)
    return (metric.locator('[data-testid="stMetricLabel"]').inner_text().strip(),
            metric.locator('[data-testid="stMetricValue"]').inner_text().strip())


def test_changing_the_year_changes_headline_jobs(page, server):
    goto(page, server)
    label, value = headline_jobs(page)
    assert label == "Jobs in 2025"
    upper = page.locator('[data-testid="stSlider"] input[type="range"]').nth(1)
    upper.focus()
    for _ in range(10):  # each key press may rerun the script; wait for the last one below
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => location.search.includes('years=2001-2015')", timeout=30_000)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m => m.innerText.includes('Jobs in 2015'))""",
        timeout=30_000)
    wait_for_app(page)
    new_label, new_value = headline_jobs(page)
    assert new_label == "Jobs in 2015"
    assert int(new_value.replace(",", "")) < int(value.replace(",", ""))  # the sample grows over time


def test_deep_link_restores_filters_and_language(page, server):
    from playwright.sync_api import expect

    goto(page, server, "explorer", "lang=ja&country=JP&sector=care")
    assert page.locator("h1").first.inner_text().strip() == i18n.t("explorer.title", "ja")
    # the sidebar's widgets may still be settling after the script run (seen under load): let expect retry
    expect(page.locator('[data-testid="stMultiSelect"]').first).to_contain_text("日本", timeout=30_000)
    assert error_boxes(page) == 0


def test_deep_link_as_first_request_to_fresh_server(page, fresh_server):
    from playwright.sync_api import expect

    goto(page, fresh_server, "map", "lang=ja&country=JP&view=japan")
    expect(page.locator("h1").first).to_have_text(i18n.t("map.title", "ja"), timeout=30_000)
    # our translated menu, and no automatic page list naming files
    expect(page.locator('[data-testid="stPageLink"] [data-testid="stMarkdownContainer"]')).to_have_text(
        [i18n.t(f"nav.{p}", "ja") for p in ("overview", "map", "impact", "compare", "scenario", "explorer", "about",
                                             "upload")], timeout=30_000)
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    expect(page.locator('[data-testid="stMultiSelect"]').first).to_contain_text("日本", timeout=30_000)
    wait_for_map(page)
    assert map_state(page)["points"] > 0
    assert error_boxes(page) == 0


def test_japanese_text_renders_with_real_glyphs(page, server):
    goto(page, server, "", "lang=ja")
    assert "地域再生アトラス" in page.inner_text("body")
    # Missing CJK fonts draw every character as the same "tofu" box: compare with unassigned code points.
    widths = page.evaluate(
        """() => { const c = document.createElement('canvas').getContext('2d');
                   c.font = '32px ' + getComputedStyle(document.querySelector('h1')).fontFamily;
                   return [c.measureText('地域再生').width, c.measureText('\\u{10FFFD}\\u{10FFFD}\\u{10FFFD}\\u{10FFFD}').width,
                           c.measureText('一').width, c.measureText('鬱').width]; }""")
    real, tofu, simple, complex_ = widths
    assert real > 0 and abs(real - tofu) > 1, "Japanese glyphs look like tofu: install fonts-noto-cjk"


def test_language_switch_keeps_page_and_filters(page, server):
    goto(page, server, "explorer", "country=GB")
    page.get_by_text("日本語", exact=True).click()
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText.includes('事業体一覧')")
    assert "lang=ja" in page.url and "country=GB" in page.url


@pytest.fixture(scope="module")
def display_server(tmp_path_factory):
    """A server whose store has the fixture dataset with hostile text published (tests/fixtures/display.py):
    the showcase sample has none."""
    from tests.fixtures import display

    yield from analyst_server(tmp_path_factory, "display", frames=display.display_frames(), dataset=display.NAME)


@pytest.mark.parametrize("button,suffix", [("Download CSV", "csv"), ("Download Excel", "xlsx")])
def test_explorer_downloads_neutralise_formulas(page, display_server, button, suffix):
    from tests.fixtures import display

    goto(page, display_server, "explorer", f"data={display.NAME}")
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile(button)).click()
    path = info.value.path()
    if suffix == "csv":
        lines = open(path, encoding="utf-8-sig").read().splitlines()
        assert lines[0].startswith("enterprise_id,name")
        assert not any(line.startswith(("=", "+", "@")) for line in lines)
        assert any(line.startswith(f"{display.FORMULA_ID},'{display.FORMULA_NAME}") for line in lines)
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(open(path, "rb")).active  # a file object: the temporary path has no suffix
        names = [row[1].value for row in sheet.iter_rows(min_row=2)]
        assert "'" + display.FORMULA_NAME in names
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # no formula cells


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_card_from_a_link_shows_text_literally(page, display_server, lang):
    from tests.fixtures import display

    goto(page, display_server, "map", f"view=millfield&enterprise={display.MARKUP_ID}&data={display.NAME}"
         + ("&lang=ja" if lang == "ja" else ""))
    card = page.locator(".st-key-enterprise_card")
    card.wait_for(timeout=30_000)
    wait_for_app(page)
    text = card.inner_text()
    markup = (display.MARKUP_JA if lang == "ja" else display.MARKUP).strip()
    assert markup in text  # "<b>…</b>" and "**…**" shown as typed
    word = "毎週土曜日" if lang == "ja" else "every Saturday"
    assert card.locator("b, strong, i, em").filter(has_text=word).count() == 0


def test_card_leads_with_a_hostile_japanese_name_as_typed(page, display_server):
    from tests.fixtures import display

    goto(page, display_server, "map", f"enterprise={display.JP_ID}&data={display.NAME}&lang=ja")
    card = page.locator(".st-key-enterprise_card")
    card.wait_for(timeout=30_000)
    wait_for_app(page)
    assert card.locator("h4").first.inner_text().strip() == display.JP_NAME_JA
    assert card.locator("h4 i, h4 strong, h4 b").count() == 0


def test_play_runs_through_the_years_on_a_fresh_page_and_pauses(page, server):
    """Play is pressed inside the map's self-rerunning fragment: it must start the timer, not one step."""
    goto(page, server, "map")
    wait_for_map(page)
    year = page.locator('[data-testid="stMain"] [data-testid="stSliderThumbValue"]').first

    def shown() -> int:
        return int(year.inner_text().strip())

    assert shown() == 2025
    page.get_by_role("button", name=i18n.t("map.play", "en")).click()  # from the last year: starts at the first
    seen = []
    deadline = time.time() + 40
    while time.time() < deadline and not (seen and 2006 <= seen[-1] < 2025):
        page.wait_for_timeout(200)
        if year.count():
            seen.append(shown())
    assert seen and 2006 <= seen[-1] < 2025, seen
    played = [y for y in seen if y != 2025]
    assert played == sorted(played), seen  # never back a year, whatever the browser sends late
    pause = page.get_by_role("button", name=i18n.t("map.pause", "en"))
    pause.click()
    page.get_by_role("button", name=i18n.t("map.play", "en")).wait_for(timeout=20_000)
    wait_for_app(page)
    stopped = shown()
    page.wait_for_timeout(3_000)  # paused: no more steps
    assert shown() == stopped and 2006 <= stopped < 2025
    assert error_boxes(page) == 0
