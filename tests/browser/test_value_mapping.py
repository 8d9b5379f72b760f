"""Map values, not only columns, in a real browser and in Japanese: an analyst uploads a register whose legal
forms are spelled its own way ("Society", "Community Interest Company", "Friendly Society"), sees each value
in the Values table (as typed, never as Markdown or HTML), chooses another code for one, and sees it applied:
the table's note, the count kept as "other", and the draft version stored with that code.

The server has a store of its own (a temporary SQLite file) with an analyst's account.
"""

from __future__ import annotations

import time

import pytest

from regen import i18n, store
from tests.app.test_upload import ODD, VALUES_CSV

from .conftest import wait_for_app
from .helpers import analyst_server, click_and_wait, sign_in

LANG = "ja"
ROW = 35  # px: the height of a table row (and of its header) in Streamlit's data grid


def t(key: str, **params) -> str:
    return i18n.t(key, LANG, **params)


@pytest.fixture(scope="module")
def values_server(tmp_path_factory):
    yield from analyst_server(tmp_path_factory, "values-store")


def rows_of(grid) -> list[list[str]]:
    """The grid's rows (value, rows, code, note), read from its accessible table."""
    cells = [c.strip() for c in grid.locator("td").all_text_contents()]
    return [cells[i:i + 4] for i in range(0, len(cells), 4)]


def wait_until(check, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while not check():
        if time.time() > deadline:
            raise AssertionError("the page did not change in time")
        time.sleep(0.2)


SCROLLED = "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollTop ?? window.scrollY"


def open_code_cell(page, grid, row: int, option, attempts: int = 3) -> None:
    """Open the code editor (a list of codes) of ``row``: click the table's first cell, move to the code
    column and down to the row, press Enter; again if the list does not show (the grid was not ready)."""
    for attempt in range(attempts):
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 40, box["y"] + ROW + ROW // 2)
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        for _ in range(row):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        try:
            option.wait_for(timeout=5_000)
            return
        except Exception:  # noqa: BLE001 - a Playwright timeout: try again
            if attempt + 1 == attempts:
                raise
            page.keyboard.press("Escape")


def test_values_table_in_japanese_edit_a_code_and_see_it_applied(page, values_server):
    page.goto(f"{values_server.url}/upload?lang={LANG}")
    wait_for_app(page)
    sign_in(page, LANG)
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "values.csv", "mimeType": "text/csv", "buffer": VALUES_CSV}])
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
    wait_for_app(page)

    step = page.locator('[data-testid="stExpander"]').filter(has_text=t("upload.values.title")).first
    step.wait_for(timeout=30_000)
    grid = step.locator('[data-testid="stDataFrame"]').first  # legal forms come first
    grid.scroll_into_view_if_needed()
    grid.locator("td").first.wait_for(state="attached", timeout=10_000)
    assert [h.strip() for h in grid.locator("th").all_text_contents()] == [
        t("upload.values.col.value"), t("upload.values.col.rows"), t("upload.values.col.code"),
        t("upload.values.col.note")]
    rows = rows_of(grid)
    by_value = {r[0]: r for r in rows}
    assert set(by_value) == {"Society", "Community Interest Company", "Friendly Society", ODD}  # as typed
    assert by_value["Society"][1:3] == ["2", "society"] and by_value["Community Interest Company"][2] == "cic"
    assert by_value["Friendly Society"][2:] == ["other", t("upload.values.kept_other")]
    assert page.locator("b", has_text="of").count() == 0 and page.get_by_role("link", name="Makers").count() == 0
    assert step.get_by_text(t("upload.values.other_note", n="2", rows="2")).count() == 1

    # Choose "cbs" for "Friendly Society": the code cell of its row, by keyboard from the table's first cell.
    target = [r[0] for r in rows].index("Friendly Society")
    scrolled = page.evaluate(SCROLLED)
    option = page.locator('[role="option"]').filter(has_text=f"cbs · {i18n.t('legal_form.cbs', LANG)}").first
    open_code_cell(page, grid, target, option)
    option.click()
    changed = t("upload.values.changed", proposed=f"other · {i18n.t('legal_form.other', LANG)}")
    wait_until(lambda: rows_of(grid)[target][3] == changed)
    wait_for_app(page)
    assert rows_of(grid)[target][:3] == ["Friendly Society", "1", "cbs"]
    step.get_by_text(t("upload.values.other_note", n="1", rows="1")).wait_for(timeout=30_000)
    assert rows_of(grid)[target][3] == changed  # the edit stays after the file is read again
    assert grid.is_visible()  # the step is still open
    now = page.evaluate(SCROLLED)
    assert abs(now - scrolled) < 5  # no jump

    click_and_wait(page, page.get_by_role("button", name=t("upload.save_draft"), exact=True))
    page.get_by_text(t("upload.done.draft", name="main", version=1)).wait_for(timeout=30_000)
    engine = store.get_engine(values_server.database_url)
    try:
        stored = store.load_dataset(engine, "main", 1).enterprises.set_index("name")
    finally:
        engine.dispose()
    assert stored.loc["Pallion Mutual", "legal_form"] == "cbs"
    assert (stored.loc["Ryhope Makers", "legal_form"], stored.loc["Ryhope Makers", "legal_form_text"]) == ("other",
                                                                                                           ODD)
    assert page.blocked == [], f"requests left the machine: {page.blocked[:3]}"
