"""One decision for every map of enterprises: which country, which view, points or hexagons, which
geography and outlines. The Overview, the Map page, the Upload preview and the benchmarks all call
:func:`plan` and then :func:`figure`, so that they cannot drift apart.

A map never shows the whole world. With no place chosen ("auto") it shows one country: the one of the
dataset's own outlines, else the one the interface's language belongs to, if it has enterprises; else
the one that has. The view is then
fitted to the enterprises in the browser, at the map's real size (MapLibre ``fitbounds``), and the
server's own estimate of that view only chooses how detailed the geography is.

Nothing here imports Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from regen import basemap, charts, geo

POINT_LIMIT = charts.POINT_LIMIT
HOME = {"en": "GB", "ja": "JP"}  # the country a language's visitors come from
FALLBACK_VIEW = {"GB": "sunderland", "JP": "japan"}
# Views that mean "the enterprises of this country", fitted like an auto view.
COUNTRY_VIEW = {"GB": "britain", "JP": "japan"}
# The size a map is assumed to have when the server estimates a view (a laptop's map column).
NOMINAL = (760, 580)


@dataclass
class MapPlan:
    """What a map draws. ``points`` are the located enterprises drawn (all of the chosen country, or
    those around an explicit view); ``fit`` lets the browser fit the view to ``extent``."""

    view: dict
    fit: bool
    hexes: bool
    resolution: int | None
    country: str
    points: pd.DataFrame
    extent: tuple[float, float, float, float] | None  # (west, south, east, north) to fit, or None
    outlines: dict | None = None
    total: int = 0  # enterprises passed in (located or not)
    unlocated: int = 0  # of them, without coordinates
    elsewhere: dict[str, int] = field(default_factory=dict)  # located enterprises in other countries
    outside_view: int = 0  # located enterprises of the shown country outside an explicit view

    @property
    def empty_view(self) -> bool:
        """True when there are enterprises to show but none is in the chosen view."""
        return self.total > self.unlocated and not len(self.points)


def _located(frame: pd.DataFrame) -> pd.Series:
    return frame["lat"].notna() & frame["lon"].notna()


def _country_of(view: dict) -> str:
    return view.get("country") or ("JP" if float(view["center_lon"]) > 100 else "GB")


def _extent(frame: pd.DataFrame) -> tuple[float, float, float, float] | None:
    if not len(frame):
        return None
    lat = frame["lat"].to_numpy(dtype=float)
    lon = frame["lon"].to_numpy(dtype=float)
    return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())


def plan(points: pd.DataFrame, *, lang: str = "en", view_key: str = "auto", mode: str = "points",
         everyone: pd.DataFrame | None = None, outlines: dict | None = None,
         outline_bounds: tuple[float, float, float, float] | None = None, country: str | None = None,
         point_limit: int | None | str = "default", max_zoom: float = 15.0) -> MapPlan:
    """Decide what a map of ``points`` (rows with ``lat``, ``lon``, ``country``) shows.

    ``view_key`` is "auto" or a key of :data:`regen.geo.VIEWS`; ``mode`` "points" or "hexes" (points
    above ``point_limit`` become hexagons too). ``everyone`` (e.g. the enterprises of every year) fixes
    the fitted extent so that it does not move as the year changes. ``outlines`` (an analyst's own
    areas, GeoJSON, with ``outline_bounds``) are drawn when they lie in the country shown, and an
    auto view fits them too. ``country`` forces the country of an auto view.
    """
    if point_limit == "default":
        point_limit = charts.POINT_LIMIT  # read when called, so that it can be changed (tests)
    located = points[_located(points)] if len(points) else points
    counts = located["country"].astype(str).value_counts().to_dict() if len(located) else {}
    outline_country = None
    if outline_bounds is not None:
        west, _s, east, _n = outline_bounds
        outline_country = "JP" if (west + east) / 2 > 100 else "GB"
    if view_key in COUNTRY_VIEW.values():
        country, view_key = next(c for c, v in COUNTRY_VIEW.items() if v == view_key), "auto"
    if view_key != "auto" and view_key in geo.VIEWS:
        view = geo.VIEWS[view_key]
        shown = _country_of(view)
        mine = located[located["country"].astype(str) == shown] if len(located) else located
        visible = int(np.count_nonzero(geo.in_view(mine["lat"], mine["lon"], view, width=NOMINAL[0],
                                                   height=NOMINAL[1], margin=0.0))) if len(mine) else 0
        if mode == "hexes" or (point_limit is not None and len(mine) > point_limit):
            # hexagons only in (and around) the view: shading fits what is seen, the payload stays bounded
            drawn = mine[geo.in_view(mine["lat"], mine["lon"], view, width=NOMINAL[0], height=NOMINAL[1])]
        else:  # every point, so that panning shows the rest
            drawn = mine
        if not visible:
            drawn = mine.iloc[0:0]
        fit, extent, outside = False, None, len(mine) - visible
    else:
        # a dataset's own outlines say where its analysts look; else the interface language's country
        preferred = country or outline_country or HOME.get(lang, "GB")
        shown = (preferred if country or counts.get(preferred) else
                 max(counts, key=counts.get) if counts else (outline_country or preferred))
        if shown not in basemap.COUNTRIES:
            shown = preferred
        drawn = located[located["country"].astype(str) == shown] if len(located) else located
        frame = drawn
        if everyone is not None and len(everyone):
            around = everyone[_located(everyone) & (everyone["country"].astype(str) == shown)]
            frame = pd.concat([drawn[["lat", "lon"]], around[["lat", "lon"]]]) if len(around) else drawn
        extent = _extent(frame)
        if outlines is not None and outline_bounds is not None and outline_country == shown:
            w, s, e, n = outline_bounds
            extent = (min(extent[0], w), min(extent[1], s), max(extent[2], e), max(extent[3], n)) if extent else (w, s, e, n)
        if extent is None:
            view, fit = geo.VIEWS[COUNTRY_VIEW.get(shown, "britain") if country else
                                  FALLBACK_VIEW.get(shown, "sunderland")], False
        else:
            view = geo.fit_view([extent[1], extent[3]], [extent[0], extent[2]], width=NOMINAL[0],
                                height=NOMINAL[1], max_zoom=max_zoom)
            fit = True
        outside = 0
    too_many = point_limit is not None and len(drawn) > point_limit
    hexes = mode == "hexes" or too_many
    resolution = geo.resolution_for_zoom(view["zoom"]) if hexes else None
    elsewhere = {c: n for c, n in counts.items() if c != shown}
    return MapPlan(view=view, fit=fit, hexes=hexes, resolution=resolution, country=shown, points=drawn,
                   extent=extent, outlines=outlines if outline_country in (None, shown) else None,
                   total=len(points), unlocated=len(points) - len(located), elsewhere=elsewhere,
                   outside_view=outside)


def boundaries(plan: MapPlan) -> list[dict]:
    """The built-in borders a map draws over the land: borders between countries while zoomed out, and
    between the prefectures of Japan (their lines are coarse, so not when zoomed in to a town)."""
    return outline_layers(plan.view, plan.country)


def outline_layers(view: dict, country: str) -> list[dict]:
    """:func:`boundaries` for any map at ``view`` in ``country`` (e.g. the Impact page's areas). Only
    the lines where two areas meet: the coast is the basemap's own, finer, line, and the whole outlines
    were most of a whole-country map's shapes."""
    zoom = float(view["zoom"])
    layers = [geo.inner_borders("countries")] if zoom < basemap.OUTLINE_MAX_ZOOM else []
    if country == "JP" and zoom < 10:
        layers.append(geo.inner_borders("jp_prefectures"))
    return layers


def figure(plan: MapPlan, *, lang: str, colour_by: str = "sector", height: int = 620,
           legend: bool = True, measure: str = "jobs") -> go.Figure:
    """The map for ``plan``: points (sized by jobs, coloured by ``colour_by``; an optional ``place``
    column goes in hover labels) or H3 hexagons, over the offline geography in ``lang``."""
    style = basemap.style(plan.view, lang)
    if plan.hexes:
        hexes = geo.hex_aggregate(plan.points, plan.resolution)
        fig = charts.hex_map(hexes, geo.hex_geojson(hexes["hex"]), lang=lang, view=plan.view,
                             boundaries=boundaries(plan), height=height, outlines=plan.outlines,
                             measure=measure, style=style, fit=plan.extent if plan.fit else None)
        if not legend:
            fig.update_traces(showscale=False)
    else:
        fig = charts.points_map(plan.points, colour_by=colour_by, lang=lang, view=plan.view,
                                boundaries=boundaries(plan), height=height, outlines=plan.outlines,
                                style=style, fit=plan.extent if plan.fit else None)
    if not legend:
        fig.update_layout(showlegend=False)
    return fig
