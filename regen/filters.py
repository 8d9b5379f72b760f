"""Shared filters: which enterprises and which years every page shows.

A :class:`Filters` value is plain data (no Streamlit); the app layer builds it from widgets that are
bound to the URL, so a copied link reopens the same view. Empty selections mean "all".
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

DIMENSIONS: tuple[str, ...] = ("country", "region", "area", "sector", "legal_form")


@dataclass(frozen=True)
class Filters:
    country: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    area: tuple[str, ...] = ()
    sector: tuple[str, ...] = ()
    legal_form: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    search: str = field(default="", compare=True)

    def selections(self) -> dict[str, tuple[str, ...]]:
        return {name: getattr(self, name) for name in DIMENSIONS if getattr(self, name)}

    def years(self, default: tuple[int, int]) -> tuple[int, int]:
        """The year range, clipped to ``default`` (the data's first and last year)."""
        lo, hi = default
        start = lo if self.year_from is None else max(lo, min(hi, int(self.year_from)))
        end = hi if self.year_to is None else max(lo, min(hi, int(self.year_to)))
        return (start, end) if start <= end else (end, start)

    def is_default(self) -> bool:
        return all(getattr(self, f.name) == f.default for f in fields(self))


def enterprise_mask(enterprises: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Boolean array over ``enterprises`` rows that pass the dimension filters and the text search."""
    mask = np.ones(len(enterprises), dtype=bool)
    for name, chosen in filters.selections().items():
        if name in enterprises.columns:
            mask &= enterprises[name].isin(chosen).to_numpy(dtype=bool)
    needle = filters.search.strip().casefold()
    if needle:
        hay = enterprises["name"].fillna("").astype(str)
        if "name_ja" in enterprises.columns:
            hay = hay + " " + enterprises["name_ja"].fillna("").astype(str)
        mask &= hay.str.casefold().str.contains(needle, regex=False).to_numpy(dtype=bool)
    return mask


def options(enterprises: pd.DataFrame, column: str, filters: Filters) -> list[str]:
    """Values of ``column`` still reachable under the filters above it (country → region → area)."""
    order = ("country", "region", "area")
    frame = enterprises
    if column in order:
        for parent in order[: order.index(column)]:
            chosen = getattr(filters, parent)
            if chosen:
                frame = frame[frame[parent].isin(chosen)]
    return sorted(frame[column].dropna().astype(str).unique().tolist())
