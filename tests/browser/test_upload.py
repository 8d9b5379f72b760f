"""An analyst's round trip in a real browser: sign in, upload a messy CSV, read the report, publish,
see the enterprises on the map, roll back.

The server has a store of its own (a temporary SQLite file), prepared through the library before it
starts: an account, and a dataset "pilot" whose version 1 (two enterprises) is published, so that the
upload becomes version 2 and a rollback has somewhere to go.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from regen import auth, i18n, store
from tests.conftest import store_frames

from .conftest import Server, wait_for_app, wait_for_map
from .test_app import error_boxes, map_state

USER, PASSWORD = "analyst", "a long enough password"
DATASET = "pilot"


def messy_csv() -> bytes:
    """A title line, a BOM, a contact-email column, day-first dates and one bad row (founded 1700)."""
    rows = [
        "ID,Name,Legal form,Sector,Founded,Country,Region,Local authority,Latitude,Longitude,Contact email,"
        "Employees,Year",
        "T1,Hendon Café,CIC,Food,03/04/2015,UK,North East,Sunderland,54.8986,-1.3733,cafe@example.org,12,2023",
        "T2,Millfield Energy,Co-op,Community energy,21/09/2012,UK,North East,Sunderland,54.9060,-1.4100,"
        "energy@example.org,5,2023",
        "T3,Bad Year CIC,CIC,Food,1700,UK,North East,Sunderland,54.9000,-1.3800,bad@example.org,3,2023",
        "T4,Pallion Reuse,CIC,Reuse,15/01/2019,UK,North East,Sunderland,54.9100,-1.4300,reuse@example.org,7,2023",
    ]
    return ("\ufeffSocial enterprises in Sunderland (export)\n" + "\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def store_server(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('upload-store') / 'regen.db'}"
    engine = store.get_engine(url)
    auth.add_user(engine, USER, PASSWORD)
    store.create_version(engine, DATASET, store_frames(n=2, prefix="P", years=1, first_year=2023), actor="setup",
                         publish=True)
    engine.dispose()
    srv = Server(database_url=url)
    srv.wait()
    yield srv
    srv.stop()


def metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{re.escape(label)}$")))
    return box.first.locator('[data-testid="stMetricValue"]').inner_text().strip()


def table_cells(page, header: str) -> list[str]:
    """The cells of the st.dataframe that has a column ``header`` (read from the grid's accessible table)."""
    grid = page.locator('[data-testid="stDataFrame"]').filter(has=page.locator("th", has_text=header)).first
    grid.scroll_into_view_if_needed()  # the grid fills in cells only when it is on screen
    grid.locator("td").first.wait_for(state="attached", timeout=10_000)
    return [c.strip() for c in grid.locator("td").all_text_contents()]


def click_and_wait(page, locator) -> None:
    locator.click()
    page.wait_for_timeout(300)
    wait_for_app(page)


def sign_in(page, lang: str = "en") -> None:
    """Fill the Upload page's sign-in form (the page is open) with the test account and submit it."""
    form = page.locator('[data-testid="stForm"]')
    form.get_by_label(i18n.t("signin.username", lang)).fill(USER)
    form.get_by_label(i18n.t("signin.password", lang), exact=True).fill(PASSWORD)
    click_and_wait(page, page.get_by_test_id("stBaseButton-primaryFormSubmit"))


def test_upload_publish_map_and_roll_back(page, store_server):
    t = lambda key, **p: i18n.t(key, "en", **p)  # noqa: E731
    page.goto(f"{store_server.url}/upload")  # a deep link as the first request to this server
    wait_for_app(page)
    assert page.locator('input[type="file"]').count() == 0  # nothing to upload before signing in
    sign_in(page)
    assert page.get_by_text(f"Signed in as {USER}").count() == 1

    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "messy.csv", "mimeType": "text/csv", "buffer": messy_csv()}])
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert (metric(page, t("upload.rows_read")), metric(page, t("upload.rows_accepted")),
            metric(page, t("upload.rows_rejected"))) == ("4", "3", "1")
    problems = table_cells(page, t("upload.problem_col.reason"))
    assert problems[:3] == ["5", "Founded", "1700"]  # the file's row 5: title line, header, then T1..T3
    excluded = page.locator('[data-testid="stAlertContentWarning"]').filter(has_text="personal data")
    assert "Contact email" in excluded.inner_text()
    assert "Contact email" in table_cells(page, t("upload.excluded_col.column"))
    assert "Contact email" not in table_cells(page, t("upload.col.field"))  # not offered for mapping

    with page.expect_download() as info:
        page.get_by_role("button", name=t("upload.download_report")).click()
    report = list(csv.reader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read())))
    assert report[0] == [t("upload.problem_col.row"), t("upload.problem_col.column"), t("upload.problem_col.value"),
                         t("upload.problem_col.reason")]
    assert report[1][:3] == ["5", "Founded", "1700"]

    name = page.get_by_role("textbox", name=t("upload.dataset_name"))
    name.fill(DATASET)
    name.press("Enter")
    wait_for_app(page)
    click_and_wait(page, page.get_by_role("button", name=t("upload.publish"), exact=True))
    page.get_by_text(t("upload.done.published", name=DATASET, version=2)).wait_for(timeout=30_000)
    assert error_boxes(page) == 0

    # The success message links to the map of the new version (same session, ?data=pilot).
    click_and_wait(page, page.get_by_role("link", name=t("upload.open_map", name=DATASET)))
    assert f"data={DATASET}" in page.url
    page.get_by_text(re.compile(rf"Data: {DATASET}, version 2")).wait_for(timeout=30_000)
    wait_for_map(page)
    assert map_state(page)["points"] == 3  # T1, T2 and T4; the bad row is not published

    click_and_wait(page, page.locator('[data-testid="stSidebar"]').get_by_role("link", name=t("nav.upload")))
    versions = table_cells(page, t("upload.version_col.status"))
    assert versions[:2] == ["2", t("upload.status.published")]
    click_and_wait(page, page.get_by_role("button", name=t("upload.rollback")))
    page.get_by_text(t("upload.done.rolled_back", name=DATASET, version=1)).wait_for(timeout=30_000)
    assert USER in table_cells(page, t("upload.audit_col.actor"))

    click_and_wait(page, page.get_by_role("link", name=t("upload.open_map", name=DATASET)))
    page.get_by_text(re.compile(rf"Data: {DATASET}, version 1")).wait_for(timeout=30_000)
    wait_for_map(page)
    assert map_state(page)["points"] == 2  # version 1 again
    assert page.blocked == [], f"requests left the machine: {page.blocked[:3]}"
