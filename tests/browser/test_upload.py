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

from regen import i18n
from tests.conftest import store_frames

from .conftest import wait_for_app, wait_for_map
from .helpers import (
    USER, analyst_server, click_and_wait, error_boxes, map_state, metric, sign_in, table_cells,
)

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
    frames = store_frames(n=2, prefix="P", years=1, first_year=2023)
    yield from analyst_server(tmp_path_factory, "upload-store", frames=frames, dataset=DATASET)


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
            metric(page, t("upload.rows_rejected"))) == ("4", "4", "0")
    assert metric(page, t("upload.values_left_out")) == "1"  # the year 1700, left out of a row that is kept
    summary = table_cells(page, t("upload.summary_col.examples"))
    # the file's row 5: title line, header, then T1..T3
    assert summary[:5] == [t("report.kept"), "outside the allowed range (1800 to 2100)", "Founded", "1", "row 5: 1700"]
    excluded = page.locator('[data-testid="stAlertContentWarning"]').filter(has_text="personal data")
    assert "Contact email" in excluded.inner_text()
    assert "Contact email" in table_cells(page, t("upload.excluded_col.column"))
    assert "Contact email" not in table_cells(page, t("upload.col.field"))  # not offered for mapping

    with page.expect_download() as info:
        page.get_by_role("button", name=t("upload.download_report")).click()
    report = list(csv.reader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read())))
    assert report[0] == [t("upload.problem_col.row"), t("upload.problem_col.column"), t("upload.problem_col.value"),
                         t("upload.problem_col.reason"), t("upload.problem_col.kept")]
    assert report[1][:3] == ["5", "Founded", "1700"] and report[1][4] == t("report.kept")

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
    assert map_state(page)["points"] == 4  # T3 too: only its founding year was left out

    click_and_wait(page, page.locator('[data-testid="stSidebar"]').get_by_role("link", name=t("nav.upload")))
    versions = table_cells(page, t("upload.version_col.status"))
    assert versions[:2] == ["2", t("upload.status.published")]
    click_and_wait(page, page.get_by_role("button", name=t("upload.rollback")))
    page.get_by_text(t("upload.done.rolled_back", name=DATASET, version=1)).wait_for(timeout=30_000)
    assert USER in table_cells(page, t("upload.audit_col.actor"))

    click_and_wait(page, page.get_by_role("link", name=t("upload.open_map", name=DATASET)))
    page.get_by_text(re.compile(rf"Data: {DATASET}, version 1")).wait_for(timeout=30_000)
    wait_for_map(page)
    # version 1 again: one enterprise in Britain on the map, one in Japan said under it
    assert map_state(page)["points"] == 1
    page.get_by_text(t("map.elsewhere", n="1", country=i18n.label("country", "JP", "en"))).wait_for(timeout=10_000)
    assert page.blocked == [], f"requests left the machine: {page.blocked[:3]}"
