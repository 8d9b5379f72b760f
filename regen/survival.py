"""How long enterprises last: Kaplan–Meier survival with censoring, late entry and 95 % intervals.

Definitions (also on the About page):
- **Time to closing** *T*, in whole years: for an enterprise founded in year *F* that closed in year *C*,
  ``T = C − F`` (0 when it closed in the year it was founded).
- **Still trading after k years** means ``T > k``, so the survival function is ``S(k) = P(T > k)``
  (alive when the closing year is empty or later than founding year + k).
- **Right-censoring**: the data is taken to be complete up to the *censor year* Y (default: the latest year
  in the data). An enterprise with no closing year, or one that closed after Y, is censored at ``Y − F``:
  it is known to have lasted more than ``Y − F`` years. Enterprises founded after Y are left out.
- **Late entry (left truncation)**: the records begin in a *start year* S (default: the earliest year in
  which the data shows a yearly figure or a closure). An enterprise founded before S is in the data only
  because it was still trading in S, so it is counted in the risk set only from age ``S − F`` on: it is
  *at risk* at age t when ``S − F − 1 < t ≤ its time`` (statsmodels' ``entry`` is ``S − F − 1``; it is
  −1, i.e. at risk from age 0, for enterprises founded in or after S). Enterprises that closed before S
  cannot be seen that way and are left out (``excluded_before_start``). Without late entry, a list that
  holds only organisations trading when it began would over-state survival.
- **Kaplan–Meier** (product-limit, statsmodels ``SurvfuncRight``):
  ``S(t) = Π over closing ages tᵢ ≤ t of (1 − dᵢ / nᵢ)``, with dᵢ closures at age tᵢ among the nᵢ
  enterprises at risk at tᵢ. A closure at exactly age k counts in S(k).
- **95 % confidence interval** (pointwise): log(−log) transform with Greenwood's variance.
  ``se`` is statsmodels' ``surv_prob_se`` = ``S · √(Σ dᵢ / (nᵢ (nᵢ − dᵢ)))``; for 0 < S < 1,
  ``se_ll = se / (S · |ln S|)``, lower = ``S ^ exp(+1.96 · se_ll)``, upper = ``S ^ exp(−1.96 · se_ll)``.
  Where no closure has been seen yet (S = 1) Greenwood's variance is 0, which would claim certainty; the
  interval is instead the exact binomial one for "no closures among m enterprises followed":
  lower = ``0.025 ^ (1/m)``, upper = 1, with m the smallest number at risk at any age up to t.
  Where everyone still at risk closed (S = 0) the lower limit is 0 and the upper limit is carried from
  the step before (1 at age 0).
- **Too few**: fewer than ``MIN_COUNT`` (10) enterprises in all → no estimate (``too_few``). S(k) is
  shown only when at least ``MIN_COUNT`` enterprises were at risk at *every* age from 0 to k (the estimate
  multiplies the survival of each of those years, so one thin year makes it unreliable, and with late
  entry the early ages rest only on enterprises founded after the records begin). Beyond the longest
  time anyone is followed, S(k) is unknown (``beyond_follow_up_{k}``).
- **Median survival**: the smallest age t with S(t) ≤ 0.5, under the same "enough at risk" rule; its
  95 % interval is statsmodels' ``quantile_ci(0.5)`` (inverted log(−log) tests, SAS method); an
  unbounded upper limit is reported as unknown. When that test finds no age at all (S jumps over 0.5
  in one step, common with whole years and many enterprises), the interval is read off the pointwise
  band instead (the same test): from the first age whose lower limit is ≤ 0.5 to the first age whose
  upper limit is ≤ 0.5 (unknown if it never is).

Warning codes: ``too_few``, ``too_few_at_{k}``, ``beyond_follow_up_{k}``, ``median_not_reached``,
``median_too_few``, ``late_entry``, ``excluded_before_start``, ``left_truncation_unknown``,
``no_closures``, ``founded_unknown``, ``closed_before_founded``.

statsmodels is imported on first use (importing it costs about half a second, and pages import this module).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from regen.metrics import Panel

MIN_COUNT = 10
HORIZONS = (3, 5, 10)
Z_95 = 1.959963984540054  # standard normal quantile for a two-sided 95 % interval
ALPHA_HALF = 0.025  # one-sided tail for the "no closures seen" bound 0.025 ** (1/m)
BY_COLUMNS = ("legal_form", "sector", "area", "country", "region")
CURVE_COLUMNS = ("years", "survival", "lower", "upper", "at_risk", "events")
_ZERO = 1e-12  # statsmodels floors S at 1e-16 after everyone at risk closed; below this, S is 0


@dataclass(frozen=True)
class Estimate:
    estimate: float | None
    lower: float | None = None
    upper: float | None = None

    def as_dict(self) -> dict:
        return {"estimate": self.estimate, "lower": self.lower, "upper": self.upper}


NONE = Estimate(None, None, None)


def _empty_curve() -> pd.DataFrame:
    return pd.DataFrame({
        "years": np.array([], dtype=np.int64), "survival": np.array([], dtype=np.float64),
        "lower": np.array([], dtype=np.float64), "upper": np.array([], dtype=np.float64),
        "at_risk": np.array([], dtype=np.int64), "events": np.array([], dtype=np.int64),
    })


@dataclass(frozen=True)
class SurvivalResult:
    n: int  # enterprises included
    events: int  # closures observed (in or before the censor year)
    late_entries: int  # included enterprises founded before the start year
    excluded_before_start: int  # closed before the records begin: cannot be observed
    start_year: int | None
    censor_year: int
    median: Estimate  # years
    at: dict[int, Estimate]  # horizon → S(horizon)
    curve: pd.DataFrame = field(default_factory=_empty_curve, compare=False)
    warnings: tuple[str, ...] = ()

    def shown_curve(self, min_count: int = MIN_COUNT) -> pd.DataFrame:
        """The part of the curve that may be drawn: up to the last whole year before fewer than
        ``min_count`` enterprises have been at risk at some age (the same rule as S(k): every year's
        factor multiplies into the later ones). Empty when even age 0 has too few."""
        curve = self.curve
        if curve.empty:
            return curve
        enough = np.minimum.accumulate(curve["at_risk"].to_numpy(dtype=float)) >= min_count
        return curve.iloc[: int(enough.sum())].reset_index(drop=True)  # a running minimum: a prefix

    def as_dict(self) -> dict:
        """JSON-able summary (the curve is left out; ``at`` keyed by the horizon as a string)."""
        return {
            "n": int(self.n), "events": int(self.events), "late_entries": int(self.late_entries),
            "excluded_before_start": int(self.excluded_before_start),
            "start_year": None if self.start_year is None else int(self.start_year),
            "censor_year": int(self.censor_year),
            "median": self.median.as_dict(),
            "at": {str(h): e.as_dict() for h, e in self.at.items()},
            "warnings": list(self.warnings),
        }


def _float(value) -> float | None:
    """A finite Python float, or None."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _interval(surv: np.ndarray, se: np.ndarray, followed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise 95 % limits for survival values ``surv`` with Greenwood ``se`` (see module docstring).

    ``followed`` is the smallest number at risk up to each point (for the S = 1 case). Arrays are in
    increasing time order (S non-increasing)."""
    lower = np.empty_like(surv)
    upper = np.empty_like(surv)
    one = surv >= 1.0
    zero = surv <= _ZERO
    mid = ~one & ~zero
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s = surv[mid]
        se_ll = se[mid] / (s * np.abs(np.log(s)))
        se_ll = np.where(np.isfinite(se_ll), se_ll, 0.0)
        lower[mid] = s ** np.exp(Z_95 * se_ll)
        upper[mid] = s ** np.exp(-Z_95 * se_ll)
        lower[one] = np.where(followed[one] > 0, ALPHA_HALF ** (1.0 / followed[one]), 0.0)
    upper[one] = 1.0
    if zero.any():
        first = int(np.argmax(zero))
        lower[zero] = 0.0
        upper[zero] = upper[first - 1] if first > 0 else 1.0
    return lower, upper


def _result(*, n, events, late, excluded, start_year, censor_year, median, at, curve, warnings) -> SurvivalResult:
    return SurvivalResult(n=int(n), events=int(events), late_entries=int(late), excluded_before_start=int(excluded),
                          start_year=None if start_year is None else int(start_year), censor_year=int(censor_year),
                          median=median, at=at, curve=curve, warnings=tuple(warnings))


def kaplan_meier(founded, closed, *, censor_year: int, start_year: int | None, min_count: int = MIN_COUNT,
                 horizons: tuple[int, ...] = HORIZONS) -> SurvivalResult:
    """Kaplan–Meier survival of enterprises from their founding and closing years (see module docstring).

    ``founded`` and ``closed`` are array-likes of years (float; NaN = unknown founding year / still
    trading). ``start_year`` None means "records' start unknown": no late entry, warning
    ``left_truncation_unknown``. Never raises on odd data; returns None estimates with warnings instead.
    """
    founded = np.floor(np.asarray(founded, dtype=np.float64))
    closed = np.floor(np.asarray(closed, dtype=np.float64))
    censor_year = int(censor_year)
    horizons = tuple(int(h) for h in horizons)
    warnings: list[str] = []

    unknown = np.isnan(founded)
    if unknown.any():
        warnings.append("founded_unknown")
    known = ~unknown & (founded <= censor_year)
    backwards = known & (closed < founded)
    if backwards.any():
        warnings.append("closed_before_founded")
        known &= ~backwards
    f = founded[known]
    c = closed[known]
    event = c <= censor_year  # NaN compares False: still trading → censored
    time = np.where(event, c, censor_year) - f
    if start_year is None:
        warnings.append("left_truncation_unknown")
        entry = np.full(len(f), -1.0)
    else:
        entry = np.maximum(int(start_year) - f - 1, -1.0)
    visible = entry < time  # closed (or, if S > Y, censored) before the records begin: never observed
    excluded = int((~visible).sum())
    f, time, entry, event = f[visible], time[visible], entry[visible], event[visible]
    n = len(time)
    n_events = int(event.sum())
    late = int((entry >= 0).sum())
    if late:
        warnings.append("late_entry")
    if excluded:
        warnings.append("excluded_before_start")
    common = dict(n=n, events=n_events, late=late, excluded=excluded, start_year=start_year, censor_year=censor_year)
    if n < max(int(min_count), 1):
        warnings.append("too_few")
        return _result(**common, median=NONE, at={h: NONE for h in horizons}, curve=_empty_curve(),
                       warnings=warnings)
    if n_events == 0:
        warnings.append("no_closures")

    from statsmodels.duration.survfunc import SurvfuncRight

    fit = SurvfuncRight(time, event.astype(np.float64), entry=entry if start_year is not None else None)
    times = np.asarray(fit.surv_times, dtype=np.float64)
    prob = np.asarray(fit.surv_prob, dtype=np.float64)
    prob_se = np.asarray(fit.surv_prob_se, dtype=np.float64)

    # The step function at every whole age 0..tmax, with its own risk-set counts (entry < t ≤ time).
    ti = time.astype(np.int64)
    tmax = int(ti.max())
    ages = np.arange(tmax + 1)
    entered = np.cumsum(np.bincount((entry + 1).astype(np.int64), minlength=tmax + 1)[: tmax + 1])
    left = np.concatenate([[0], np.cumsum(np.bincount(ti, minlength=tmax + 1))[:tmax]])
    at_risk = entered - left
    closures = np.bincount(ti[event], minlength=tmax + 1)[: tmax + 1]
    followed = np.minimum.accumulate(at_risk)
    step = np.searchsorted(times, ages, side="right") - 1
    surv = np.where(step >= 0, prob[np.maximum(step, 0)] if len(prob) else 1.0, 1.0)
    surv = np.where(surv <= _ZERO, 0.0, surv)
    se = np.where(step >= 0, prob_se[np.maximum(step, 0)] if len(prob_se) else 0.0, 0.0)
    lower, upper = _interval(surv, se, followed.astype(np.float64))
    curve = pd.DataFrame({"years": ages, "survival": surv, "lower": lower, "upper": upper,
                          "at_risk": at_risk.astype(np.int64), "events": closures.astype(np.int64)})

    at: dict[int, Estimate] = {}
    for h in horizons:
        if h < 0 or h > tmax:
            at[h] = NONE
            warnings.append(f"beyond_follow_up_{h}")
        elif followed[h] < min_count:
            at[h] = NONE
            warnings.append(f"too_few_at_{h}")
        else:
            at[h] = Estimate(float(surv[h]), float(lower[h]), float(upper[h]))

    median = NONE
    reached = np.flatnonzero(surv <= 0.5)
    if len(reached) == 0:
        warnings.append("median_not_reached")
    elif followed[reached[0]] < min_count:
        warnings.append("median_too_few")
    else:
        value = float(reached[0])
        with np.errstate(all="ignore"):
            lo, hi = fit.quantile_ci(0.5)
        lo, hi = _float(lo), _float(hi)
        if lo is None and hi is None:
            # No age's S(t) is within reach of 0.5 (S jumps over it at one age, common with whole
            # years and many enterprises): the same test read off the band, where it crosses 0.5.
            lo = float(np.argmax(lower <= 0.5))
            below = np.flatnonzero(upper <= 0.5)
            hi = float(below[0]) if len(below) else None
        if lo is not None and lo > value:
            lo = value
        if hi is not None and hi < value:
            hi = value
        median = Estimate(value, lo, hi)
    return _result(**common, median=median, at=at, curve=curve, warnings=warnings)


def default_start_year(panel: Panel) -> int | None:
    """The year the records begin: the earliest year with a yearly figure or a closure; None when neither."""
    candidates = []
    if len(panel.year):
        candidates.append(int(panel.year_min))
    closed = np.asarray(panel.closed, dtype=np.float64)
    if len(closed) and not np.isnan(closed).all():
        candidates.append(int(np.nanmin(closed)))
    return min(candidates) if candidates else None


def _mask(panel: Panel, mask) -> np.ndarray:
    if mask is None:
        return np.ones(len(panel.founded), dtype=bool)
    return np.asarray(mask, dtype=bool)


def _years(panel: Panel, censor_year: int | None, start_year: int | None) -> tuple[int, int | None]:
    censor = int(panel.year_max if censor_year is None else censor_year)
    start = default_start_year(panel) if start_year is None else int(start_year)
    return censor, start


def panel_survival(panel: Panel, mask, *, censor_year: int | None = None, start_year: int | None = None,
                   founded_from: int | None = None, founded_to: int | None = None,
                   min_count: int = MIN_COUNT) -> SurvivalResult:
    """Survival of the enterprises where ``mask`` is True (and, when given, founded within
    ``[founded_from, founded_to]``: a founding cohort). Censor year defaults to the panel's last year,
    start year to :func:`default_start_year`."""
    censor, start = _years(panel, censor_year, start_year)
    keep = _mask(panel, mask)
    if founded_from is not None or founded_to is not None:
        founded = panel.founded
        lo = -np.inf if founded_from is None else founded_from
        hi = np.inf if founded_to is None else founded_to
        keep = keep & (founded >= lo) & (founded <= hi)
    return kaplan_meier(panel.founded[keep], panel.closed[keep], censor_year=censor, start_year=start,
                        min_count=min_count)


def cohort_label(first: int, last: int) -> str:
    """``"2005–2009"`` (en dash), or ``"2025"`` for a one-year band."""
    return str(first) if first == last else f"{first}–{last}"


def survival_by(panel: Panel, mask, by: str, *, censor_year: int | None = None, start_year: int | None = None,
                cohort_years: int = 5, min_count: int = MIN_COUNT) -> dict[str, SurvivalResult]:
    """Survival per group of the masked enterprises, every group with the same start and censor year.

    ``by="cohort"``: founding-year bands of ``cohort_years`` aligned to multiples of it (2000–2004,
    2005–2009, …; the last band ends at the censor year, so it may be shorter, e.g. "2025"), oldest first;
    enterprises founded after the censor year or in an unknown year belong to no band.
    Otherwise ``by`` is an enterprise column (legal_form, sector, area, country, region): one group per
    value, largest group first (ties by label); enterprises with no value belong to no group.
    Groups with no enterprises are left out. Raises ``ValueError`` for an unknown ``by``.
    """
    censor, start = _years(panel, censor_year, start_year)
    keep = _mask(panel, mask)
    out: dict[str, SurvivalResult] = {}
    if by == "cohort":
        width = max(int(cohort_years), 1)
        founded = panel.founded
        ok = keep & ~np.isnan(founded) & (founded <= censor)
        if not ok.any():
            return out
        band = (np.floor(founded[ok]) // width).astype(np.int64)
        idx = np.flatnonzero(ok)
        order = np.argsort(band, kind="stable")
        band, idx = band[order], idx[order]
        values, starts = np.unique(band, return_index=True)
        bounds = np.append(starts, len(band))
        for k, value in enumerate(values):
            rows = idx[bounds[k]:bounds[k + 1]]
            first, last = int(value) * width, min(int(value) * width + width - 1, censor)
            out[cohort_label(first, last)] = kaplan_meier(
                panel.founded[rows], panel.closed[rows], censor_year=censor, start_year=start, min_count=min_count)
        return out
    if by not in panel.enterprises.columns:
        raise ValueError(f"cannot split survival by {by!r}")
    column = panel.enterprises[by]
    if not isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype("category")
    codes = column.cat.codes.to_numpy()
    labels = column.cat.categories
    chosen = keep & (codes >= 0)
    if not chosen.any():
        return out
    code = codes[chosen]
    idx = np.flatnonzero(chosen)
    counts = np.bincount(code, minlength=len(labels))
    order = np.argsort(code, kind="stable")
    code, idx = code[order], idx[order]
    bounds = np.searchsorted(code, np.arange(len(labels) + 1))
    present = [k for k in range(len(labels)) if counts[k]]
    present.sort(key=lambda k: (-counts[k], str(labels[k])))
    for k in present:
        rows = idx[bounds[k]:bounds[k + 1]]
        out[str(labels[k])] = kaplan_meier(panel.founded[rows], panel.closed[rows], censor_year=censor,
                                           start_year=start, min_count=min_count)
    return out
