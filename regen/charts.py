"""Figures as pure functions: frames in, plotly figures out. No Streamlit here.

Maps use MapLibre traces (``Scattermap``, ``Choroplethmap``) on the ``white-bg`` style, which needs
no tiles, with land and boundary outlines drawn from local GeoJSON as map layers, so every map draws
with no network. Text that comes from data (names) is escaped before plotly sees it, because plotly
renders a subset of HTML in hover labels.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from regen import i18n
from regen.vocab import ALL_LEGAL_FORMS, SECTORS

FONT = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Yu Gothic, Meiryo, Segoe UI, Helvetica, Arial, sans-serif"
INK = "#1f2a37"
MUTED = "#6b7280"
ACCENT = "#0f766e"
LAND = "#f4f1ea"
OUTLINE = "#9aa3ad"
OWN_OUTLINE = INK  # an analyst's own area outlines: darker and wider than the built-in ones
OWN_OUTLINE_WIDTH = 1.4

_PALETTE = ["#0f766e", "#d97706", "#2563eb", "#b91c1c", "#7c3aed", "#15803d", "#db2777", "#0891b2",
            "#92400e", "#4b5563", "#65a30d", "#c2410c"]
SECTOR_COLOURS = dict(zip(SECTORS, _PALETTE))
LEGAL_FORM_COLOURS = dict(zip(ALL_LEGAL_FORMS, _PALETTE[3:] + _PALETTE[:3]))
COLOURS = {"sector": SECTOR_COLOURS, "legal_form": LEGAL_FORM_COLOURS}
# Above this many points a map shows H3 hexagons instead, so what is sent to the browser stays bounded
# (see docs/performance.md: about 3 MB of points at this limit, about 0.6 MB as hexagons).
POINT_LIMIT = 20_000


def escape(text: object) -> str:
    """Text shown literally in a plotly label: ``<b>x</b>`` stays visible as typed."""
    return "" if text is None or (isinstance(text, float) and math.isnan(text)) else html.escape(str(text), quote=False)


def _escape_column(column: pd.Series) -> pd.Series:
    """:func:`escape` of every value; vectorised for pandas ``str`` columns (missing values are NaN)."""
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.na_value is np.nan:
        text = column.fillna("")
        for raw, safe in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):  # html.escape(quote=False), & first
            text = text.str.replace(raw, safe, regex=False)
        return text
    return column.map(escape)


class _ImmutableItems(np.ndarray):
    """An object array of immutable values (str, int): its deep copy is a plain copy.

    Plotly deep-copies trace data when a trace is added and again in ``to_dict``; for an object
    array that means one Python call per element (hover data of every point), which is not needed
    when no element can change."""

    def __deepcopy__(self, memo: dict) -> np.ndarray:
        return self.copy()


class _SharedGeoJSON(dict):
    """A GeoJSON document that figures share instead of copying (treat it as read-only).

    Plotly deep-copies a map layer's ``source`` when the layout is set and again in ``to_dict``
    (so in ``plotly.io.to_json``, which ``st.plotly_chart`` calls). For the boundary outlines, tens
    of thousands of small coordinate lists, those copies were most of a map's server time; copying
    this dict returns it unchanged. It compares equal to, and serialises like, the plain dict.
    """

    __slots__ = ()

    def __copy__(self) -> _SharedGeoJSON:
        return self

    def __deepcopy__(self, memo: dict) -> _SharedGeoJSON:
        return self


def _layout(fig: go.Figure, *, height: int, legend: bool = True) -> go.Figure:
    fig.update_layout(
        height=height,
        margin=dict(l=8, r=8, t=36, b=8),
        font=dict(family=FONT, color=INK, size=14),
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, font=dict(size=12)),
        hoverlabel=dict(font=dict(family=FONT)),
    )
    return fig


def jobs_over_time(series: pd.DataFrame, lang: str, *, base_year: int | None = None, year: int | None = None,
                   height: int = 360) -> go.Figure:
    """Jobs (area) and active enterprises (line, right axis) per year; the chosen years marked."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=series["year"], y=series["jobs"], name=i18n.t("chart.jobs", lang), mode="lines",
        line=dict(color=ACCENT, width=3), fill="tozeroy", fillcolor="rgba(15,118,110,0.15)",
        hovertemplate="%{x}: %{y:,} " + i18n.t("unit.jobs", lang) + "<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=series["year"], y=series["enterprises"], name=i18n.t("chart.enterprises", lang), mode="lines",
        line=dict(color="#d97706", width=2, dash="dot"), yaxis="y2",
        hovertemplate="%{x}: %{y:,} " + i18n.t("unit.enterprises", lang) + "<extra></extra>",
    ))
    if base_year is not None and year is not None and base_year < year:
        fig.add_vrect(x0=base_year, x1=year, fillcolor="#e5e7eb", opacity=0.35, line_width=0, layer="below")
    if year is not None:
        fig.add_vline(x=year, line=dict(color=INK, width=1, dash="dash"))
    fig.update_layout(
        yaxis=dict(title=i18n.t("chart.jobs", lang), rangemode="tozero", gridcolor="#eef0f2", tickformat=",d"),
        yaxis2=dict(title=i18n.t("chart.enterprises", lang), overlaying="y", side="right", rangemode="tozero",
                    showgrid=False, tickformat=",d"),
        xaxis=dict(dtick=5, gridcolor="#f3f4f6"),
        hovermode="x unified",
    )
    return _layout(fig, height=height)


def jobs_by_category(frame: pd.DataFrame, column: str, lang: str, *, height: int = 360) -> go.Figure:
    """Horizontal bars of jobs per category (sector or legal form), largest on top."""
    frame = frame.sort_values("jobs", ascending=True, kind="stable")
    labels = [i18n.label(column, v, lang) for v in frame[column].astype(str)]
    colours = [COLOURS.get(column, {}).get(v, ACCENT) for v in frame[column].astype(str)]
    fig = go.Figure(go.Bar(
        x=frame["jobs"], y=labels, orientation="h", marker_color=colours,
        customdata=frame["enterprises"],
        hovertemplate="%{y}: %{x:,} " + i18n.t("unit.jobs", lang) + " · %{customdata:,} "
        + i18n.t("unit.enterprises", lang) + "<extra></extra>",
    ))
    fig.update_layout(xaxis=dict(title=i18n.t("chart.jobs", lang), tickformat=",d", gridcolor="#eef0f2"),
                      yaxis=dict(automargin=True))
    return _layout(fig, height=height, legend=False)


def boundary_layers(boundaries: list[dict], outlines: dict | None = None) -> list[dict]:
    """MapLibre layers: land filled under the data, outlines drawn over it; ``outlines`` (an analyst's
    own areas) last, in :data:`OWN_OUTLINE`."""
    layers: list[dict] = []
    for i, geojson in enumerate(boundaries):
        if i == 0:
            layers.append(dict(source=_SharedGeoJSON(geojson), type="fill", color=LAND, below="traces"))
        layers.append(dict(source=_SharedGeoJSON(geojson), type="line", color=OUTLINE,
                           line=dict(width=0.8 if i == 0 else 0.6), below="traces"))
    if outlines is not None:
        layers.append(dict(source=_SharedGeoJSON(outlines), type="line", color=OWN_OUTLINE,
                           line=dict(width=OWN_OUTLINE_WIDTH), below="traces"))
    return layers


def _map_layout(fig: go.Figure, view: dict, boundaries: list[dict], height: int,
                outlines: dict | None = None) -> go.Figure:
    fig.update_layout(
        map=dict(style="white-bg", center=dict(lat=view["center_lat"], lon=view["center_lon"]),
                 zoom=view["zoom"], layers=boundary_layers(boundaries, outlines)),
        uirevision=f"{view['center_lat']:.4f},{view['center_lon']:.4f},{view['zoom']}",
    )
    _layout(fig, height=height)
    fig.update_layout(margin=dict(l=0, r=0, t=0, b=0),
                      legend=dict(orientation="h", yanchor="top", y=-0.01, x=0, bgcolor="rgba(255,255,255,0.9)",
                                  itemsizing="constant"))
    return fig


def marker_sizes(jobs: pd.Series | np.ndarray, *, smallest: float = 6.0, largest: float = 34.0) -> np.ndarray:
    """Marker diameters in pixels with area proportional to jobs (square-root scale, fixed reference)."""
    jobs = np.asarray(jobs, dtype=float)
    return np.clip(smallest + np.sqrt(np.clip(jobs, 0, None)) * 2.6, smallest, largest)


def points_map(points: pd.DataFrame, *, colour_by: str, lang: str, view: dict, boundaries: list[dict],
               height: int = 620, outlines: dict | None = None) -> go.Figure:
    """Enterprises as points sized by jobs and coloured by ``colour_by`` ("sector" or "legal_form").

    Each point's ``customdata[0]`` is its enterprise_id, for click-to-open cards. An optional
    ``place`` column (e.g. "Hendon · Sunderland") is shown in the hover label: the map has no tiles,
    so names of places come with the points. (Text traces would need glyphs from a server.)
    ``boundaries`` are the built-in outlines (the first also fills the land); ``outlines`` an analyst's
    own areas, drawn darker on top.
    """
    fig = go.Figure()
    palette = COLOURS.get(colour_by, {})
    jobs_word = i18n.t("unit.jobs", lang)
    names = _escape_column(points["name"])
    place = _escape_column(points["place"]) if "place" in points else pd.Series("", index=points.index)
    if lang == "ja" and "name_ja" in points:
        names = _escape_column(points["name_ja"].where(points["name_ja"].notna() & (points["name_ja"] != ""),
                                                       points["name"]))
    # Group the points by colour once (stable, so each trace keeps the frame's order).
    codes, uniques = pd.factorize(points[colour_by].astype(str))
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    rows = {str(code): order[bounds[i]:bounds[i + 1]] for i, code in enumerate(uniques)}
    columns = {name: np.asarray(values) for name, values in (
        ("lat", points["lat"]), ("lon", points["lon"]), ("id", points["enterprise_id"].astype(str)),
        ("name", names), ("employees", points["employees"]), ("place", place))}
    for code in [c for c in palette if c in rows] + sorted(set(rows) - set(palette)):
        sel = rows[code]
        part = {name: values[sel] for name, values in columns.items()}
        label = i18n.label(colour_by, code, lang)
        fig.add_trace(go.Scattermap(
            lat=part["lat"], lon=part["lon"], mode="markers", name=label,
            marker=dict(size=marker_sizes(part["employees"]), color=palette.get(code, MUTED), opacity=0.8),
            customdata=np.stack([part["id"], part["name"], part["employees"], part["place"]], axis=-1)
            .view(_ImmutableItems),
            hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[3]}<br>" + escape(label) + "<br>%{customdata[2]:,} "
            + jobs_word + "<extra></extra>",
        ))
    if not fig.data:  # keep an (empty) map so the page still shows geography
        fig.add_trace(go.Scattermap(lat=[], lon=[], mode="markers", showlegend=False))
    return _map_layout(fig, view, boundaries, height, outlines)


def hex_map(hexes: pd.DataFrame, geojson: dict, *, lang: str, view: dict, boundaries: list[dict],
            measure: str = "jobs", height: int = 620, outlines: dict | None = None) -> go.Figure:
    """H3 hexagons shaded by ``measure`` ("jobs" or "enterprises").

    The figure shares ``geojson`` (e.g. from :func:`regen.geo.hex_geojson`) rather than copying it:
    do not change it afterwards."""
    fig = go.Figure(go.Choroplethmap(
        geojson=_SharedGeoJSON(geojson), locations=hexes["hex"], featureidkey="id", z=hexes[measure],
        colorscale=[[0, "#ccfbf1"], [0.5, "#14b8a6"], [1, "#134e4a"]], marker=dict(opacity=0.75, line=dict(width=0.5, color="white")),
        colorbar=dict(title=dict(text=i18n.t(f"chart.{measure}", lang)), thickness=12, len=0.6, tickformat=",d"),
        customdata=np.stack([hexes["jobs"], hexes["enterprises"]], axis=-1) if len(hexes) else None,
        hovertemplate="%{customdata[0]:,} " + i18n.t("unit.jobs", lang) + "<br>%{customdata[1]:,} "
        + i18n.t("unit.enterprises", lang) + "<extra></extra>",
    ))
    return _map_layout(fig, view, boundaries, height, outlines)


def history_chart(history: pd.DataFrame, lang: str, *, height: int = 220) -> go.Figure:
    """Small bar chart of one enterprise's jobs per year."""
    fig = go.Figure(go.Bar(x=history["year"], y=history["employees"], marker_color=ACCENT,
                           hovertemplate="%{x}: %{y:,} " + i18n.t("unit.jobs", lang) + "<extra></extra>"))
    fig.update_layout(yaxis=dict(title=i18n.t("chart.jobs", lang), rangemode="tozero", tickformat=",d", gridcolor="#eef0f2"),
                      xaxis=dict(dtick=5))
    _layout(fig, height=height, legend=False)
    fig.update_layout(margin=dict(l=8, r=8, t=8, b=8))
    return fig
