"""Figures the pages show, computed from a :class:`Panel` built once per dataset.

Definitions (also on the About page):
- **job**: one person on the payroll in the year (headcount, ``employees``), whatever the hours.
- **FTE**: full-time equivalent (``fte``), where reported.
- **active** in year *Y*: founded in or before *Y* and not closed in or before *Y*
  (``founded <= Y`` and (``closed`` empty or ``closed > Y``)).
- **jobs added since a base year**: jobs in the end year minus jobs in the base year (net change).
- **survival** (Kaplan–Meier, with intervals, censoring and late entry) is in :mod:`regen.survival`.

A Panel keeps numpy arrays so that a filter or year change costs a few vectorised passes rather
than a pandas join and group-by (see ``benchmarks/``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from regen.dataset import Dataset
from regen.filters import DIMENSIONS, Filters, enterprise_mask



COVERED = 0.5  # share of trading enterprises reporting that makes a year's jobs figure the default


@dataclass
class Panel:
    enterprises: pd.DataFrame  # one row per enterprise, positional index 0..n-1
    figures: pd.DataFrame  # yearly figures sorted by year, with ``pos`` = enterprise row
    ent_pos: np.ndarray  # figures row → enterprise row
    year: np.ndarray  # figures row → year
    employees: np.ndarray
    fte: np.ndarray
    disadvantaged: np.ndarray
    founded: np.ndarray
    closed: np.ndarray  # float, NaN when still trading
    year_min: int
    year_max: int
    year_start: np.ndarray  # figures rows of year y are [year_start[y-min], year_start[y-min+1])
    _weights: np.ndarray | None = field(default=None, repr=False, compare=False)
    _default_years: tuple[int, int] | None = field(default=None, repr=False, compare=False)

    @property
    def years(self) -> tuple[int, int]:
        return self.year_min, self.year_max

    @property
    def default_years(self) -> tuple[int, int]:
        """The years shown until a visitor chooses: to the latest year in which at least COVERED of the
        trading enterprises reported figures (a register's last year often holds only the first returns),
        else to the last year with figures."""
        if self._default_years is None:
            series = jobs_by_year(self, np.ones(len(self.enterprises), dtype=bool))
            covered = series[(series["enterprises"] > 0) & (series["reporting"] >= COVERED * series["enterprises"])]
            last = int(covered["year"].max()) if len(covered) else self.year_max
            self._default_years = (self.year_min, max(self.year_min, last))
        return self._default_years

    def weights(self) -> np.ndarray:
        """(4, figures rows) float matrix, made on first use: headcount, FTE (0 where missing),
        disadvantaged hires (0 where missing) and 1 where FTE is reported. ``jobs_by_year`` sums it
        per year with one matrix-vector product per year instead of several masked copies."""
        if self._weights is None:
            self._weights = np.vstack([
                self.employees, np.nan_to_num(self.fte), np.nan_to_num(self.disadvantaged),
                (~np.isnan(self.fte)).astype(np.float64),
            ]).astype(np.float64, copy=False)
        return self._weights

    def mask(self, filters: Filters) -> np.ndarray:
        """Boolean mask over enterprises for the dimension filters (fast path on categorical codes)."""
        mask = np.ones(len(self.enterprises), dtype=bool)
        for name, chosen in filters.selections().items():
            column = self.enterprises[name]
            codes = column.cat.codes.to_numpy()
            wanted = np.flatnonzero(column.cat.categories.isin(chosen))
            mask &= np.isin(codes, wanted)
        if filters.search.strip():
            mask &= enterprise_mask(self.enterprises, Filters(search=filters.search))
        return mask


def build_panel(dataset: Dataset) -> Panel:
    ent = dataset.enterprises.reset_index(drop=True).copy()
    for name in DIMENSIONS:
        ent[name] = ent[name].astype("category")
    pos = pd.Series(np.arange(len(ent)), index=ent["enterprise_id"].astype(str))
    fig = dataset.figures
    fig = fig[fig["enterprise_id"].isin(pos.index)]  # figures of unknown enterprises are not shown
    fig = fig.sort_values(["year", "enterprise_id"], kind="stable").reset_index(drop=True)
    ent_pos = pos.reindex(fig["enterprise_id"].astype(str)).to_numpy(dtype=np.int64)
    year = fig["year"].to_numpy(dtype=np.int64)
    if len(year):
        ymin, ymax = int(year.min()), int(year.max())
    else:  # enterprises without yearly figures: the years they were founded up to now
        ymax = int(pd.Timestamp.now().year)
        founded = pd.to_numeric(ent.get("founded"), errors="coerce") if "founded" in ent else pd.Series(dtype=float)
        ymin = int(max(founded.min(), ymax - 60)) if founded.notna().any() else ymax
    starts = np.searchsorted(year, np.arange(ymin, ymax + 2))
    fig = fig.assign(pos=ent_pos)

    def num(frame: pd.DataFrame, column: str) -> np.ndarray:
        if column not in frame:
            return np.full(len(frame), np.nan)
        return pd.to_numeric(frame[column], errors="coerce").astype("float64").to_numpy(na_value=np.nan)

    panel = Panel(
        enterprises=ent,
        figures=fig,
        ent_pos=ent_pos,
        year=year,
        employees=np.nan_to_num(num(fig, "employees")),
        fte=num(fig, "fte"),
        disadvantaged=num(fig, "disadvantaged_hires"),
        founded=num(ent, "founded"),
        closed=num(ent, "closed"),
        year_min=ymin,
        year_max=ymax,
        year_start=starts,
    )
    panel.weights()  # made now, once, rather than in the first request that needs it
    return panel


def active_snapshot(panel: Panel, mask: np.ndarray, year: int) -> pd.DataFrame:
    """Enterprises that pass ``mask`` and were trading in ``year`` by their founding and closing years (a
    founding year not known counts as trading), for a dataset without yearly figures: ``employees`` is
    missing (jobs not reported), never 0."""
    trading = ~(panel.founded > year) & ~(panel.closed <= year)
    frame = panel.enterprises[mask & trading].reset_index(drop=True)
    frame["employees"] = np.nan
    frame["fte"] = np.nan
    frame["year"] = year
    return frame


def active_mask(panel: Panel, year: int) -> np.ndarray:
    """Enterprises active in ``year`` (see module docstring); a founding year not known counts as founded."""
    return ~(panel.founded > year) & ~(panel.closed <= year)


def jobs_by_year(panel: Panel, mask: np.ndarray) -> pd.DataFrame:
    """Per year: jobs (headcount), FTE, disadvantaged hires, active enterprises and how many of the masked
    enterprises reported figures that year (``reporting``: jobs are the sum over those only)."""
    n_years = panel.year_max - panel.year_min + 1
    rows = np.asarray(mask, dtype=bool)[panel.ent_pos].view(np.uint8)  # 1 for figures rows of masked enterprises
    weights = panel.weights()
    sums = np.zeros((n_years, 4))
    reporting = np.zeros(n_years, dtype=np.int64)
    starts = panel.year_start
    for i in range(n_years):  # rows are sorted by year: one matrix-vector product per year
        lo, hi = starts[i], starts[i + 1]
        if hi > lo:
            sums[i] = weights[:, lo:hi] @ rows[lo:hi]
            reporting[i] = int(rows[lo:hi].sum(dtype=np.int64))
    jobs, fte, dis, fte_reporting = sums.T
    years = np.arange(panel.year_min, panel.year_max + 1)
    founded = panel.founded[mask]
    closed = panel.closed[mask]
    # active enterprises per year: founded <= y and not closed <= y, via cumulative counts
    # a founding year not known counts from the first year (as active_mask does)
    founded = np.where(np.isnan(founded), panel.year_min, founded)
    born = np.bincount(np.clip(founded - panel.year_min, 0, None).astype(int), minlength=n_years + 1)[:n_years]
    gone = closed[~np.isnan(closed)]
    died = np.bincount(np.clip(gone - panel.year_min, 0, None).astype(int), minlength=n_years + 1)
    died = died[:n_years] if len(died) >= n_years else np.pad(died, (0, n_years - len(died)))
    active = np.cumsum(born) - np.cumsum(died)
    return pd.DataFrame({
        "year": years,
        "jobs": jobs.astype(np.int64),
        "fte": np.where(fte_reporting > 0, fte, np.nan),
        "disadvantaged_hires": dis.astype(np.int64),
        "enterprises": active.astype(np.int64),
        "reporting": reporting,  # enterprises with a figure that year (coverage = reporting / enterprises)
    })


@dataclass(frozen=True)
class Headline:
    year: int
    base_year: int
    enterprises: int
    jobs: int
    fte: float | None
    jobs_added: int
    disadvantaged_hires: int


def headline(panel: Panel, filters: Filters, series: pd.DataFrame | None = None) -> Headline:
    """Headline figures for the end year of the filter's range, compared with its start year."""
    base, year = filters.years(panel.years)
    mask = panel.mask(filters)
    if series is None:
        series = jobs_by_year(panel, mask)
    at = series.set_index("year")
    now = at.loc[year]
    fte = None if pd.isna(now["fte"]) else float(now["fte"])
    return Headline(
        year=year,
        base_year=base,
        enterprises=int(now["enterprises"]),
        jobs=int(now["jobs"]),
        fte=fte,
        jobs_added=int(now["jobs"] - at.loc[base, "jobs"]),
        disadvantaged_hires=int(now["disadvantaged_hires"]),
    )


def snapshot(panel: Panel, mask: np.ndarray, year: int) -> pd.DataFrame:
    """Enterprises with figures in ``year`` that pass ``mask``: one row each with its employees that year."""
    year = int(np.clip(year, panel.year_min, panel.year_max))
    lo, hi, keep = _year_rows(panel, mask, year)
    pos = panel.ent_pos[lo:hi][keep]
    frame = panel.enterprises.iloc[pos].reset_index(drop=True)
    frame["employees"] = panel.employees[lo:hi][keep].astype(np.int64)
    frame["fte"] = panel.fte[lo:hi][keep]
    frame["year"] = year
    return frame


def _year_rows(panel: Panel, mask: np.ndarray, year: int) -> tuple[int, int, np.ndarray]:
    """Figures rows ``lo:hi`` of ``year`` (clipped to the panel's years), and which of them pass ``mask``."""
    year = int(np.clip(year, panel.year_min, panel.year_max))
    lo, hi = panel.year_start[year - panel.year_min], panel.year_start[year - panel.year_min + 1]
    return lo, hi, mask[panel.ent_pos[lo:hi]]


def jobs_by(panel: Panel, mask: np.ndarray, year: int, column: str) -> pd.DataFrame:
    """Jobs and enterprises in ``year`` grouped by an enterprise column (e.g. sector), largest first."""
    if column in panel.enterprises.columns:
        # Only the grouping column is taken (snapshot() would copy every enterprise column).
        lo, hi, keep = _year_rows(panel, mask, year)
        snap = pd.DataFrame({column: panel.enterprises[column].take(panel.ent_pos[lo:hi][keep]).reset_index(drop=True),
                             "employees": panel.employees[lo:hi][keep].astype(np.int64)})
    else:
        snap = snapshot(panel, mask, year)
    if snap.empty:
        return pd.DataFrame({column: [], "jobs": [], "enterprises": []})
    out = snap.groupby(column, observed=True).agg(jobs=("employees", "sum"), enterprises=("employees", "size"))
    return out.reset_index().sort_values("jobs", ascending=False, kind="stable").reset_index(drop=True)


def latest_figures(panel: Panel, mask: np.ndarray, year: int | None = None) -> pd.DataFrame:
    """One row per masked enterprise with its latest figures up to ``year`` (all years if None)."""
    fig = panel.figures
    if year is not None:
        fig = fig.iloc[: panel.year_start[min(year, panel.year_max) - panel.year_min + 1]]
    fig = fig[mask[fig["pos"].to_numpy()]]
    last = fig.drop_duplicates("pos", keep="last").set_index("pos")  # sorted by year, so last = latest
    ent = panel.enterprises[mask].copy()
    pos = np.flatnonzero(mask)
    for column in ("year", "employees", "fte", "disadvantaged_hires", "volunteers", "turnover", "currency"):
        if column in last.columns:
            ent["latest_" + column if column == "year" else column] = last[column].reindex(pos).to_numpy()
    return ent.reset_index(drop=True)


def history(panel: Panel, enterprise_id: str) -> pd.DataFrame:
    """Yearly figures of one enterprise, oldest first."""
    fig = panel.figures
    return fig[fig["enterprise_id"] == enterprise_id].drop(columns=["pos"]).reset_index(drop=True)


def enterprise(panel: Panel, enterprise_id: str) -> pd.Series | None:
    hit = panel.enterprises[panel.enterprises["enterprise_id"] == enterprise_id]
    return None if hit.empty else hit.iloc[0]
