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
from regen.vocab import ALL_LEGAL_FORMS, OTHER, SECTORS, UNKNOWN

FONT = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Yu Gothic, Meiryo, Segoe UI, Helvetica, Arial, sans-serif"
INK = "#1f2a37"
MUTED = "#6b7280"
ACCENT = "#0f766e"
LAND = "#f4f1ea"
OUTLINE = "#9aa3ad"
OWN_OUTLINE = INK  # an analyst's own area outlines: darker and wider than the built-in ones
OWN_OUTLINE_WIDTH = 1.4

_PALETTE = ["#0f766e", "#d97706", "#2563eb", "#b91c1c", "#7c3aed", "#15803d", "#db2777", "#0891b2",
            "#92400e", "#4b5563", "#65a30d", "#c2410c", "#1e3a8a", "#a16207", "#be185d", "#0e7490", "#6d28d9",
            "#047857", "#9d174d"]
# "other" and "not stated" are greys, so that they never look like a sector or form of their own.
_GREYS = {OTHER: "#9ca3af", UNKNOWN: "#d1d5db"}
SECTOR_COLOURS = {**dict(zip([s for s in SECTORS if s not in _GREYS], _PALETTE)), **_GREYS}
_FORMS = [f for f in ALL_LEGAL_FORMS if f not in _GREYS]
LEGAL_FORM_COLOURS = {**dict(zip(_FORMS, _PALETTE[3:] + _PALETTE[:3])), **_GREYS}
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


def integer_axis(top: float, *, ticks: int = 5) -> dict:
    """Axis settings for counts from 0 to ``top``: whole-number ticks at a round step (1, 2, 5, 10, 20,
    25, 50 …) with at most about ``ticks`` intervals, so that no tick reads "37" or repeats "1, 1"."""
    top = max(float(top) if np.isfinite(top) else 0.0, 1.0)
    step = 1.0
    for magnitude in (10 ** k for k in range(0, 12)):
        for base in (1, 2, 2.5, 5):
            candidate = base * magnitude
            if candidate != int(candidate):
                continue
            step = candidate
            if top / candidate <= ticks:
                upper = math.ceil(top * 1.04 / step) * step
                return dict(tickmode="linear", tick0=0, dtick=step, range=[0, upper])
    return dict(range=[0, top * 1.04])


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
    jobs_top = float(pd.to_numeric(series["jobs"], errors="coerce").max()) if len(series) else 0.0
    firms_top = float(pd.to_numeric(series["enterprises"], errors="coerce").max()) if len(series) else 0.0
    fig.update_layout(
        yaxis=dict(title=i18n.t("chart.jobs", lang), gridcolor="#eef0f2", tickformat=",d", **integer_axis(jobs_top)),
        yaxis2=dict(title=i18n.t("chart.enterprises", lang), overlaying="y", side="right", showgrid=False,
                    tickformat=",d", **integer_axis(firms_top)),
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
    """plotly map layers for a map without a style of its own: land filled under the data from the first
    outline set, outlines drawn over it; ``outlines`` (an analyst's own areas) last, in :data:`OWN_OUTLINE`."""
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


OWN_OUTLINES_LAYER = "own-outlines"  # the id of an analyst's outlines in a map's style
OWN_OUTLINES_SOURCE = "own"  # … and of their source (never served as a file: see basemap.by_reference)


def with_outlines(style: dict, boundaries: list[dict], outlines: dict | None = None) -> dict:
    """``style`` (a MapLibre style) with the built-in ``boundaries`` and an analyst's ``outlines`` as line
    layers of its own, under the place names: the built-in ones in :data:`OUTLINE`, the analyst's last,
    darker and wider (:data:`OWN_OUTLINE`), with the id :data:`OWN_OUTLINES_LAYER`."""
    sources = dict(style["sources"])
    extra = []
    for i, geojson in enumerate(boundaries):
        sources[f"outline{i}"] = {"type": "geojson", "data": _SharedGeoJSON(geojson)}
        extra.append({"id": f"outline-{i}", "type": "line", "source": f"outline{i}",
                      "paint": {"line-color": OUTLINE, "line-width": 0.8 if i == 0 else 0.6}})
    if outlines is not None:
        sources[OWN_OUTLINES_SOURCE] = {"type": "geojson", "data": _SharedGeoJSON(outlines)}
        extra.append({"id": OWN_OUTLINES_LAYER, "type": "line", "source": OWN_OUTLINES_SOURCE,
                      "paint": {"line-color": OWN_OUTLINE, "line-width": OWN_OUTLINE_WIDTH}})
    layers = list(style["layers"])
    at = next((i for i, layer in enumerate(layers) if layer.get("type") == "symbol"), len(layers))
    return {**style, "sources": sources, "layers": layers[:at] + extra + layers[at:]}


def _map_layout(fig: go.Figure, view: dict, boundaries: list[dict], height: int,
                outlines: dict | None = None, style: dict | None = None,
                fit: tuple[float, float, float, float] | None = None) -> go.Figure:
    """Map layout at ``view``; with ``style`` (from :func:`regen.basemap.style`) the map draws its own
    geography and names. With ``fit`` (west, south, east, north) the browser fits the view to the
    data at the map's real size instead (MapLibre ``fitbounds``): an invisible two-point trace spans
    ``fit`` so that the fitted view stays put while the year (and so the points) changes."""
    if fit is not None:
        west, south, east, north = fit
        fig.add_trace(go.Scattermap(lat=[south, north], lon=[west, east], mode="markers", showlegend=False,
                                    marker=dict(size=1, opacity=0), hoverinfo="skip", name="extent"))
        where = dict(fitbounds="locations")
        revision = "fit:" + ",".join(f"{v:.4f}" for v in fit)
    else:
        where = dict(center=dict(lat=view["center_lat"], lon=view["center_lon"]), zoom=view["zoom"], fitbounds=False)
        revision = f"{view['center_lat']:.4f},{view['center_lon']:.4f},{view['zoom']}"
    if style is not None:
        # outlines go into the style itself: plotly's own map layers are lost when a map has a style
        # object (MapLibre drops them when the style is set), so they would never be drawn
        style = _SharedGeoJSON(with_outlines(style, boundaries, outlines))
        layers = []
    else:
        layers = boundary_layers(boundaries, outlines)
    fig.update_layout(map=dict(style=style if style is not None else "white-bg", layers=layers, **where),
                      uirevision=revision)
    _layout(fig, height=height)
    fig.update_layout(margin=dict(l=0, r=0, t=0, b=0),
                      # two entries to a row whatever the width: half the rows of one-per-row on a phone
                      legend=dict(orientation="h", yanchor="top", y=-0.01, x=0, bgcolor="rgba(255,255,255,0.9)",
                                  itemsizing="constant", font=dict(size=11), tracegroupgap=0,
                                  entrywidth=0.5, entrywidthmode="fraction"))
    return fig


def marker_sizes(jobs: pd.Series | np.ndarray, *, smallest: float = 6.0, largest: float = 34.0) -> np.ndarray:
    """Marker diameters in pixels with area proportional to jobs (square-root scale, fixed reference)."""
    jobs = np.nan_to_num(np.asarray(jobs, dtype=float))  # jobs not reported: the smallest point
    return np.clip(smallest + np.sqrt(np.clip(jobs, 0, None)) * 2.6, smallest, largest)


def points_map(points: pd.DataFrame, *, colour_by: str, lang: str, view: dict, boundaries: list[dict],
               height: int = 620, outlines: dict | None = None, style: dict | None = None,
               fit: tuple[float, float, float, float] | None = None) -> go.Figure:
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
    employees = pd.to_numeric(points["employees"], errors="coerce")
    jobs = [i18n.t("map.jobs_not_reported", lang) if pd.isna(v) else f"{i18n.number(int(v), lang)} {jobs_word}"
            for v in employees.to_numpy(dtype=float, na_value=np.nan)]
    columns = {name: np.asarray(values) for name, values in (
        ("lat", points["lat"]), ("lon", points["lon"]), ("id", points["enterprise_id"].astype(str)),
        ("name", names), ("employees", employees.to_numpy(dtype=float, na_value=np.nan)),
        ("jobs", np.asarray(jobs, dtype=object)), ("place", place))}
    for code in [c for c in palette if c in rows] + sorted(set(rows) - set(palette)):
        sel = rows[code]
        part = {name: values[sel] for name, values in columns.items()}
        label = i18n.label(colour_by, code, lang)
        fig.add_trace(go.Scattermap(
            lat=part["lat"], lon=part["lon"], mode="markers", name=label,
            marker=dict(size=marker_sizes(part["employees"]), color=palette.get(code, MUTED), opacity=0.8),
            customdata=np.stack([part["id"], part["name"], part["jobs"], part["place"]], axis=-1)
            .view(_ImmutableItems),
            hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[3]}<br>" + escape(label) + "<br>%{customdata[2]}"
            "<extra></extra>",
        ))
    if not fig.data:  # keep an (empty) map so the page still shows geography
        fig.add_trace(go.Scattermap(lat=[], lon=[], mode="markers", showlegend=False))
    return _map_layout(fig, view, boundaries, height, outlines, style, fit)


def hex_map(hexes: pd.DataFrame, geojson: dict, *, lang: str, view: dict, boundaries: list[dict],
            measure: str = "jobs", height: int = 620, outlines: dict | None = None, style: dict | None = None,
            fit: tuple[float, float, float, float] | None = None) -> go.Figure:
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
    return _map_layout(fig, view, boundaries, height, outlines, style, fit)


def history_chart(history: pd.DataFrame, lang: str, *, height: int = 220) -> go.Figure:
    """Small bar chart of one enterprise's jobs per year."""
    fig = go.Figure(go.Bar(x=history["year"], y=history["employees"], marker_color=ACCENT,
                           hovertemplate="%{x}: %{y:,} " + i18n.t("unit.jobs", lang) + "<extra></extra>"))
    fig.update_layout(yaxis=dict(title=i18n.t("chart.jobs", lang), rangemode="tozero", tickformat=",d", gridcolor="#eef0f2"),
                      xaxis=dict(dtick=5))
    _layout(fig, height=height, legend=False)
    fig.update_layout(margin=dict(l=8, r=8, t=8, b=8))
    return fig


# --- Impact, comparison and scenario charts ---------------------------------------------------------

CREATED = "#15803d"
LOST = "#b91c1c"
NET = INK
BAND_ALPHA = 0.18
# Colours of places or groups drawn together (survival curves, compared places), in order.
SERIES_COLOURS = ["#0f766e", "#d97706", "#2563eb", "#7c3aed", "#b91c1c", "#15803d", "#db2777", "#0891b2",
                  "#92400e", "#4b5563", "#65a30d", "#c2410c"]


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def job_flows_chart(flows: pd.DataFrame, lang: str, *, height: int = 380) -> go.Figure:
    """Jobs created (bars up) and lost (bars down) per year, with the net change as a line.

    ``flows`` has the columns of :func:`regen.impact.job_flows` (year, created, lost, net)."""
    jobs_word = i18n.t("unit.jobs", lang)
    flows = {c: flows[c].to_numpy(dtype=float) for c in ("year", "created", "lost", "net")}
    fig = go.Figure()
    fig.add_trace(go.Bar(x=flows["year"], y=flows["created"], name=i18n.t("chart.created", lang),
                         marker_color=CREATED, hovertemplate="%{x}: +%{y:,} " + jobs_word + "<extra></extra>"))
    fig.add_trace(go.Bar(x=flows["year"], y=-flows["lost"], name=i18n.t("chart.lost", lang),
                         marker_color=LOST, customdata=flows["lost"],
                         hovertemplate="%{x}: −%{customdata:,} " + jobs_word + "<extra></extra>"))
    fig.add_trace(go.Scatter(x=flows["year"], y=flows["net"], name=i18n.t("chart.net", lang), mode="lines+markers",
                             line=dict(color=NET, width=2), marker=dict(size=6),
                             hovertemplate="%{x}: %{y:+,} " + jobs_word + "<extra></extra>"))
    fig.update_layout(barmode="relative", hovermode="x unified",
                      yaxis=dict(title=i18n.t("chart.jobs", lang), tickformat=",d", gridcolor="#eef0f2",
                                 zeroline=True, zerolinecolor=MUTED),
                      xaxis=dict(dtick=5, gridcolor="#f3f4f6"))
    return _layout(fig, height=height)


def _steps(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Corner points of a step function that holds y[i] from x[i] up to x[i+1]: (x0, y0), (x1, y0),
    (x1, y1), (x2, y1) … (the last value held for one more unit)."""
    if len(x) == 0:
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ends = np.append(x[1:], x[-1] + 1)
    return np.column_stack([x, ends]).ravel(), np.repeat(y, 2)


def survival_chart(curves: dict[str, pd.DataFrame], lang: str, *, horizons: tuple[int, ...] = (3, 5, 10),
                   height: int = 400) -> go.Figure:
    """Kaplan–Meier curves (steps) with their 95 % bands, one per group, labelled by the dict's keys.

    Each frame has the columns of ``SurvivalResult.curve`` (years, survival, lower, upper, at_risk).
    Dashed vertical lines mark ``horizons``."""
    fig = go.Figure()
    share = i18n.t("chart.still_trading", lang)
    years_word = i18n.t("unit.years", lang)
    for i, (label, curve) in enumerate(curves.items()):
        if curve is None or curve.empty:
            continue
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        name = escape(label)
        # numpy arrays, not Series: plotly converts each Series through narwhals (most of this chart's time)
        curve = {c: curve[c].to_numpy(dtype=float) for c in ("years", "survival", "lower", "upper", "at_risk")}
        # the band as an explicit step polygon: a "hv" line shape would step the wrong way on the way back
        sx, upper = _steps(curve["years"], curve["upper"])
        _, lower = _steps(curve["years"], curve["lower"])
        fig.add_trace(go.Scatter(
            x=np.concatenate([sx, sx[::-1]]), y=np.concatenate([upper, lower[::-1]]),
            fill="toself", fillcolor=_rgba(colour, BAND_ALPHA), line=dict(width=0),
            hoverinfo="skip", showlegend=False, legendgroup=name, name=name,
        ))
        fig.add_trace(go.Scatter(
            x=curve["years"], y=curve["survival"], name=name, legendgroup=name, mode="lines",
            line=dict(color=colour, width=3, shape="hv"),
            customdata=np.stack([curve["lower"], curve["upper"], curve["at_risk"]], axis=-1),
            hovertemplate=name + "<br>%{x} " + years_word + ": %{y:.0%} " + share + " · "
            + i18n.t("metric.survival_ci", lang, lower="%{customdata[0]:.0%}", upper="%{customdata[1]:.0%}")
            + " · " + i18n.t("chart.at_risk", lang, n="%{customdata[2]:,}") + "<extra></extra>",
        ))
    # one layout update for the horizon lines (add_vline validates the whole layout once per line)
    fig.update_layout(shapes=[dict(type="line", xref="x", yref="paper", x0=h, x1=h, y0=0, y1=1,
                                   line=dict(color=MUTED, width=1, dash="dot")) for h in horizons],
                      yaxis=dict(title=share, range=[0, 1.02], tickformat=".0%", gridcolor="#eef0f2"),
                      xaxis=dict(title=i18n.t("chart.years_since_founding", lang), dtick=5, gridcolor="#f3f4f6",
                                 rangemode="tozero"))
    return _layout(fig, height=height, legend=len(curves) > 1)


def compare_bars(table: pd.DataFrame, column: str, lang: str, *, reference: pd.DataFrame | None = None,
                 title: str = "", digits: int = 1, height: int = 300) -> go.Figure:
    """One horizontal bar per place (``label`` column) for ``column`` on a shared scale from zero, the
    value written beside each place's name; where ``reference`` (from
    :func:`regen.impact.reference_stats`: country, median, std) is given, each place's country median is
    marked with a diamond and ±1 standard deviation with a whisker (cut at zero: a rate is never negative)."""
    frame = table.reset_index(drop=True)
    values = pd.to_numeric(frame[column], errors="coerce")
    labels = [f"{escape(name)}  <b>{i18n.number(v, lang, digits) if pd.notna(v) else i18n.t('compare.no_value', lang)}</b>"
              for name, v in zip(frame["label"], values)]
    colours = [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(frame))]
    fmt = f",.{digits}f"
    fig = go.Figure(go.Bar(
        x=values, y=labels, orientation="h", marker_color=colours, name=title or column, showlegend=False,
        hovertemplate="%{y}<extra></extra>",
    ))
    top = float(np.nanmax(values)) if values.notna().any() else 1.0
    if reference is not None and len(reference):
        ref = reference.set_index("country")
        med = np.array([ref["median"].get(c, np.nan) for c in frame["country"]], dtype=float)
        std = np.nan_to_num(np.array([ref["std"].get(c, np.nan) for c in frame["country"]], dtype=float))
        low = np.minimum(std, np.nan_to_num(med))  # the whisker stops at zero
        fig.add_trace(go.Scatter(
            x=med, y=labels, mode="markers", name=i18n.t("compare.country_median", lang),
            marker=dict(symbol="diamond", size=12, color=INK, line=dict(color="white", width=1)),
            error_x=dict(type="data", symmetric=False, array=std, arrayminus=low, color=INK, thickness=1.5, width=6),
            customdata=np.stack([med, std], axis=-1),
            hovertemplate=i18n.t("compare.country_median", lang) + ": %{customdata[0]:" + fmt + "} ± %{customdata[1]:"
            + fmt + "}<extra></extra>",
        ))
        if np.isfinite(med).any():
            top = max(top, float(np.nanmax(med + std)))
    fig.update_layout(xaxis=dict(title=title, range=[0, top * 1.08 if top > 0 else 1], gridcolor="#eef0f2"),
                      yaxis=dict(automargin=True, autorange="reversed"))
    return _layout(fig, height=height, legend=reference is not None)


def sector_mix_chart(mix: pd.DataFrame, lang: str, *, height: int = 300) -> go.Figure:
    """Share of jobs by sector for each place (100 % stacked bars). ``mix``: label, sector, jobs."""
    totals = mix.groupby("label", sort=False)["jobs"].transform("sum")
    mix = mix.assign(share=np.where(totals > 0, mix["jobs"] / totals.where(totals > 0, 1), 0.0))
    fig = go.Figure()
    order = list(dict.fromkeys(mix["label"]))
    sectors = [s for s in SECTOR_COLOURS if (mix["sector"] == s).any()] + sorted(
        set(mix["sector"].astype(str)) - set(SECTOR_COLOURS))
    for sector in sectors:
        part = mix[mix["sector"] == sector].set_index("label").reindex(order)
        name = i18n.label("sector", sector, lang)
        fig.add_trace(go.Bar(
            y=[escape(v) for v in order], x=part["share"].fillna(0), orientation="h", name=name,
            marker_color=SECTOR_COLOURS.get(sector, MUTED), customdata=part["jobs"].fillna(0),
            hovertemplate=name + ": %{x:.0%} (%{customdata:,} " + i18n.t("unit.jobs", lang) + ")<extra></extra>",
        ))
    fig.update_layout(barmode="stack", xaxis=dict(tickformat=".0%", range=[0, 1]),
                      yaxis=dict(automargin=True, autorange="reversed"))
    return _layout(fig, height=height)


def scenario_chart(band: pd.DataFrame, lang: str, *, net: pd.DataFrame | None = None, height: int = 420) -> go.Figure:
    """Simulated jobs over time: the median path with its 80 % band (10th–90th percentile of runs);
    optionally the net-additional median (``net``: same x column, ``jobs_median``) as a dashed line."""
    x = band["year"] if "year" in band else band["year_offset"]
    jobs_word = i18n.t("unit.jobs", lang)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=np.concatenate([x, x[::-1]]), y=np.concatenate([band["jobs_p90"], band["jobs_p10"][::-1]]),
        fill="toself", fillcolor=_rgba(ACCENT, 0.2), line=dict(width=0), hoverinfo="skip",
        name=i18n.t("chart.band80", lang),
    ))
    fig.add_trace(go.Scatter(
        x=x, y=band["jobs_median"], mode="lines+markers", name=i18n.t("chart.median_gross", lang),
        line=dict(color=ACCENT, width=3), customdata=np.stack([band["jobs_p10"], band["jobs_p90"]], axis=-1),
        hovertemplate="%{x}: %{y:,.0f} " + jobs_word + " (80%: %{customdata[0]:,.0f}–%{customdata[1]:,.0f})<extra></extra>",
    ))
    if net is not None:
        fig.add_trace(go.Scatter(
            x=x, y=net["jobs_median"], mode="lines", name=i18n.t("chart.median_net", lang),
            line=dict(color="#d97706", width=2, dash="dash"),
            hovertemplate="%{x}: %{y:,.0f} " + jobs_word + "<extra></extra>",
        ))
    fig.update_layout(hovermode="x unified",
                      yaxis=dict(title=i18n.t("chart.jobs", lang), rangemode="tozero", gridcolor="#eef0f2", tickformat=",d"),
                      xaxis=dict(title=i18n.t("chart.year" if "year" in band else "chart.years_after_start", lang),
                                 gridcolor="#f3f4f6"))
    return _layout(fig, height=height)


def area_value_map(frame: pd.DataFrame, *, value: str, lang: str, view: dict, boundaries: list[dict],
                   hover: str = "", height: int = 460, style: dict | None = None) -> go.Figure:
    """Areas as circles at their enterprises' centre (lat, lon), sized by ``value``; ``label`` names the
    area and ``text`` (already formatted) goes in the hover label."""
    fig = go.Figure()
    values = pd.to_numeric(frame[value], errors="coerce").fillna(0).to_numpy()
    top = values.max() if len(values) and values.max() > 0 else 1.0
    fig.add_trace(go.Scattermap(
        lat=frame["lat"], lon=frame["lon"], mode="markers",
        marker=dict(size=np.clip(8 + 40 * np.sqrt(values / top), 8, 48), color=ACCENT, opacity=0.65),
        customdata=np.stack([[escape(v) for v in frame["label"]], [escape(v) for v in frame["text"]]], axis=-1)
        if len(frame) else None,
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>", showlegend=False,
    ))
    return _map_layout(fig, view, boundaries, height, style=style)
