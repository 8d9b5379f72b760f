"""An analyst's boundary file in a real browser: upload an enterprise list (no area column) with a
GeoJSON of two areas, publish, and see the areas' outlines drawn on the Map page, in English and
Japanese.

The server has a store of its own (a temporary SQLite file) with an account prepared through the
library before it starts.
"""

from __future__ import annotations

import re
from io import BytesIO

import pytest

from regen import i18n
from regen_app import outlines
from tests.app.test_upload_boundaries import NO_AREA, WARDS

from .conftest import wait_for_app, wait_for_map
from .helpers import analyst_server, click_and_wait, error_boxes, map_state, metric, sign_in

DATASET = "wards"
CODES = {"E08000024", "E08000037"}


@pytest.fixture(scope="module")
def store_server(tmp_path_factory):
    yield from analyst_server(tmp_path_factory, "boundaries-store")


def outline_layer(page, index: int = 0) -> dict:
    """The map's layers drawn in the analysts' outline colour: their position and the area codes they draw."""
    return page.evaluate(
        """([i, colour]) => {
            const gd = [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullLayout && g._fullLayout.map)[i];
            const m = gd._fullLayout.map._subplot.map;
            const layers = m.getStyle().layers;
            const at = layers.findIndex(l => l.type === 'line' && l.paint && l.paint['line-color'] === colour
                                             && (!l.layout || l.layout.visibility !== 'none'));
            const source = at < 0 ? null : gd._fullLayout.map.style.sources[layers[at].source];
            return {index: at, id: at < 0 ? null : layers[at].id, codes: source ? source.data.features.map(f => f.id) : []};
        }""", [index, outlines.COLOUR])


def outline_pixels(page, index: int = 0) -> int:
    """Pixels of the map (as drawn on screen) within a small distance of the outline colour."""
    import numpy as np
    from PIL import Image

    canvas = page.locator('.js-plotly-plot .maplibregl-canvas').nth(index)
    pixels = np.asarray(Image.open(BytesIO(canvas.screenshot())).convert("RGB"), dtype=int)
    colour = np.array([int(outlines.COLOUR[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels - colour).sum(axis=-1) < 40).sum())


def hide_layer(page, layer: str, index: int = 0) -> None:
    page.evaluate(
        """([i, layer]) => {
            const gd = [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullLayout && g._fullLayout.map)[i];
            gd._fullLayout.map._subplot.map.setLayoutProperty(layer, 'visibility', 'none');
        }""", [index, layer])
    page.wait_for_timeout(500)


def test_uploaded_outlines_are_published_and_drawn_on_the_map(page, store_server):
    t = lambda key, **p: i18n.t(key, "en", **p)  # noqa: E731
    page.goto(f"{store_server.url}/upload")
    wait_for_app(page)
    sign_in(page)

    page.locator('input[type="file"]').set_input_files(files=[
        {"name": "list.csv", "mimeType": "text/csv", "buffer": NO_AREA},
        {"name": "wards.geojson", "mimeType": "application/geo+json", "buffer": WARDS}])
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert (metric(page, t("upload.boundary.features")), metric(page, t("upload.boundary.areas"))) == ("2", "2")
    assert metric(page, t("upload.rows_accepted")) == "3"
    wait_for_map(page)  # the preview: points and the uploaded outlines
    assert set(outline_layer(page)["codes"]) == CODES

    name = page.get_by_role("textbox", name=t("upload.dataset_name"))
    name.fill(DATASET)
    name.press("Enter")
    wait_for_app(page)
    click_and_wait(page, page.get_by_role("button", name=t("upload.publish"), exact=True))
    page.get_by_text(t("upload.done.published", name=DATASET, version=1)).wait_for(timeout=30_000)
    assert error_boxes(page) == 0

    click_and_wait(page, page.get_by_role("link", name=t("upload.open_map", name=DATASET)))
    assert f"data={DATASET}" in page.url
    wait_for_map(page)
    page.wait_for_timeout(1000)  # the layers draw after the map has loaded
    assert map_state(page)["points"] == 3
    layer = outline_layer(page)
    assert set(layer["codes"]) == CODES
    page.get_by_text(t("map.outlines", n=2)).wait_for(timeout=10_000)
    drawn = outline_pixels(page)
    hide_layer(page, layer["id"])
    hidden = outline_pixels(page)
    assert drawn > 200 and drawn > 3 * hidden, f"outline-coloured pixels: {drawn} drawn, {hidden} hidden"
    assert page.blocked == [], f"requests left the machine: {page.blocked[:3]}"

    # Japanese: the same map, its caption translated
    page.goto(f"{store_server.url}/map?data={DATASET}&lang=ja")
    wait_for_app(page)
    wait_for_map(page)
    assert set(outline_layer(page)["codes"]) == CODES
    page.get_by_text(i18n.t("map.outlines", "ja", n=2)).wait_for(timeout=10_000)
    assert page.locator("h1").first.inner_text().strip() == i18n.t("map.title", "ja")
    assert not re.search(r"Outlined|boundary file", page.locator('[data-testid="stMain"]').inner_text())
    assert error_boxes(page) == 0
