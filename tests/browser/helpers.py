"""What the browser tests share besides fixtures: the test analyst's account, a store server of its own,
and reading a page (metrics, tables, maps, error boxes)."""

from __future__ import annotations

import re

from regen import i18n

from .conftest import Server, wait_for_app

USER, PASSWORD = "analyst", "a long enough password"

def analyst_server(tmp_path_factory, name: str, *, frames: dict | None = None, dataset: str | None = None):
    """A server on a store of its own with the test analyst's account (and ``frames`` published as
    ``dataset`` when given); yields the running server and stops it afterwards (a generator: use with
    ``yield from`` in a fixture)."""
    from regen import auth, store

    url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'regen.db'}"
    engine = store.get_engine(url)
    auth.add_user(engine, USER, PASSWORD)
    if frames is not None:
        store.create_version(engine, dataset, frames, actor="setup", publish=True)
    engine.dispose()
    srv = Server(database_url=url)
    srv.wait()
    yield srv
    srv.stop()


def goto(page, server, path: str = "", query: str = "") -> None:
    page.goto(f"{server.url}/{path}{'?' + query if query else ''}")
    wait_for_app(page)


def error_boxes(page) -> int:
    return page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count()


def map_state(page, index: int = 0) -> dict:
    return page.evaluate(
        """(i) => {
            const gd = [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullLayout && g._fullLayout.map)[i];
            const pts = gd._fullData.filter(t => t.type === 'scattermap' && t.mode === 'markers' && t.name !== 'extent').reduce((n, t) => n + (t.lat ? t.lat.length : 0), 0);
            const canvas = gd.querySelector('canvas');
            const style = gd._fullLayout.map.style;
            return {points: pts, style: typeof style === 'object' ? style.name : style,
                    layers: gd._fullLayout.map.layers.length,
                    width: canvas ? canvas.width : 0};
        }""", index)


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


def biggest_point(page, index: int = 0) -> dict | None:
    """Page position (x, y), marker size and enterprise id of the biggest point well inside map ``index``."""
    return page.evaluate(
        """(index) => {
            const gd = [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullLayout && g._fullLayout.map)[index];
            const m = gd._fullLayout.map._subplot.map;
            const box = gd.querySelector('canvas').getBoundingClientRect();
            let best = null;
            gd._fullData.filter(t => t.mode === 'markers' && t.customdata).forEach(t => Array.from(t.lat || []).forEach((lat, i) => {
                const p = m.project([t.lon[i], lat]);
                const size = (t.marker.size && t.marker.size.length !== undefined) ? t.marker.size[i] : t.marker.size;
                if (p.x < 40 || p.y < 40 || p.x > box.width - 40 || p.y > box.height - 40) return;
                if (!best || size > best.size) best = {x: box.left + p.x, y: box.top + p.y, size, id: t.customdata[i][0]};
            }));
            return best;
        }""", index)


def rendered(page, prefixes: list[str], index: int = 0) -> dict[str, list[str]]:
    """What MapLibre has actually drawn on map ``index`` for style layers whose id is or starts with each
    prefix: the ``name`` property of every rendered feature (empty strings for unnamed shapes)."""
    return page.evaluate(
        """([index, prefixes]) => {
            const gd = [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullLayout && g._fullLayout.map)[index];
            const m = gd._fullLayout.map._subplot.map;
            const ids = m.getStyle().layers.map(l => l.id);
            const out = {};
            for (const p of prefixes) {
                const layers = ids.filter(id => id === p || id.startsWith(p + '-'));
                out[p] = layers.length ? m.queryRenderedFeatures({layers}).map(f => String(f.properties.name || '')) : [];
            }
            return out;
        }""", [index, prefixes])
