"""Write PNG screenshots of every page in English and Japanese to docs/screenshots/.

Starts the app on a free port, drives Debian's Chromium with Playwright (requests leaving the
machine are blocked, as in the browser tests) and waits for each page and map to finish drawing.
The last shot per language is an analyst's upload: signed in with an account made for the run, a
messy CSV export (title line, BOM, contact column, day-first dates, one bad row) and a small
boundary file, showing the report and the preview map (the test files of tests/browser).
Usage: ``make screenshots`` (or ``python scripts/screenshots.py [--out DIR]``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, LOOPBACK, Server, wait_for_app, wait_for_map  # noqa: E402

SHOTS = [  # name, path, query, has map
    ("overview", "", "", True),
    ("map", "map", "view=sunderland", True),
    ("map-japan", "map", "view=japan&country=JP", True),
    ("map-card", "map", "view=hendon&enterprise=GB-0053", True),
    ("map-hexes", "map", "view=north_east&mode=hexes", True),
    ("impact", "impact", "", True),
    ("compare", "compare", "compare=E08000024,15205", False),
    ("scenario", "scenario", "place=15205&n=10&horizon=10", False),
    ("explorer", "explorer", "", False),
    ("about", "about", "", False),
    ("upload", "upload", "", False),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from urllib.parse import urlparse

    from playwright.sync_api import sync_playwright

    from regen import auth, store
    from tests.app.test_upload_boundaries import WARDS
    from tests.browser.helpers import PASSWORD, USER, sign_in
    from tests.browser.test_upload import messy_csv

    folder = tempfile.TemporaryDirectory(prefix="regen-shots-")
    url = f"sqlite:///{Path(folder.name) / 'regen.db'}"
    engine = store.get_engine(url)
    auth.add_user(engine, USER, PASSWORD)
    engine.dispose()
    server = Server(database_url=url)
    server.wait()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                         "--disable-background-networking", "--disable-component-update"])
            context = browser.new_context(viewport={"width": 1440, "height": 1900}, device_scale_factor=1)
            context.route("**/*", lambda r: r.continue_() if (urlparse(r.request.url).hostname or "") in LOOPBACK
                          else r.abort())
            page = context.new_page()
            for lang in ("en", "ja"):
                for name, path, query, has_map in SHOTS:
                    q = "&".join(x for x in (query, "lang=ja" if lang == "ja" else "") if x)
                    page.goto(f"{server.url}/{path}{'?' + q if q else ''}")
                    wait_for_app(page)
                    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')",
                                           timeout=30_000)
                    page.wait_for_timeout(500)
                    if name == "explorer":
                        page.wait_for_selector('[data-testid="stDataFrame"] canvas', timeout=30_000)
                        page.wait_for_timeout(1500)
                    if has_map:
                        wait_for_map(page)
                        page.wait_for_timeout(800)  # markers and outlines finish painting after "loaded"
                    target = args.out / f"{name}-{lang}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                page.set_viewport_size({"width": 1440, "height": 3300})  # the report and the preview map below it
                page.goto(f"{server.url}/upload{'?lang=ja' if lang == 'ja' else ''}")
                wait_for_app(page)
                sign_in(page, lang)
                page.locator('input[type="file"]').set_input_files(files=[
                    {"name": "messy.csv", "mimeType": "text/csv", "buffer": messy_csv()},
                    {"name": "wards.geojson", "mimeType": "application/geo+json", "buffer": WARDS}])
                page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
                wait_for_app(page)
                wait_for_map(page)
                page.wait_for_timeout(1500)
                target = args.out / f"upload-report-{lang}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
                page.set_viewport_size({"width": 1440, "height": 1900})
            browser.close()
    finally:
        server.stop()
        folder.cleanup()


if __name__ == "__main__":
    main()
