"""Analysts' own area outlines (from their boundary files) on the app's maps.

They are passed to ``regen.charts`` map functions as ``outlines=``, which draws them darker and wider
than the built-in country and prefecture outlines, so that they stand out.
"""

from __future__ import annotations

from regen import charts
from regen_app import cache
from regen_app.setup import Context

COLOUR = charts.OWN_OUTLINE
JAPAN_FROM_LON = 100.0  # the app's two countries: Britain lies near 0°, Japan east of 120° E


def of(ctx: Context) -> cache.Outlines | None:
    """The outlines stored with the dataset version a page shows (None for the sample or without any)."""
    return cache.outlines(ctx.dataset.name, ctx.version) if ctx.version is not None else None


def country(bounds: tuple[float, float, float, float]) -> str:
    """"GB" or "JP": which of the app's countries outlines with these (west, south, east, north) bounds are in."""
    west, _south, east, _north = bounds
    return "JP" if (west + east) / 2 > JAPAN_FROM_LON else "GB"

