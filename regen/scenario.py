"""Scenario planner: "If N social enterprises like these were started in a place, what might they mean for
jobs over the next H years?" A what-if built from the observed paths of real enterprises, not a forecast.

Method (also on the About page):

- **Enterprises like these** (the *donors*): the observed enterprises of the chosen profile (country,
  sectors, legal forms) that were **founded in or after the first year of the data's yearly figures**, so
  that their first years are in the data. For each one we take its jobs (headcount) at each **age**, where
  age = year − founding year (age 0 is the founding year), and its closing year if it closed.

  - An enterprise is *followed* up to the last year of the data. After that its record ends
    (*censored*): we do not know what happened next, unless it had closed, in which case it has 0 jobs
    from its closing year on, for ever.
  - A year with no figure inside the followed years (a reporting gap, including the years after its last
    figure while it is still trading) takes its last reported headcount. Years before its first figure
    count 0 jobs (a new enterprise often reports its first staff only in its second year).
  - An enterprise with no yearly figure at all is left out, unless it closed in its founding year (then it
    had no staff to report and counts as 0 jobs, closed at age 0).

- **One simulation** starts N new enterprises at once (year 0). Each one copies a randomly drawn donor
  (every donor equally likely): its jobs at each age and whether it closes. When the donor's record
  ends while it is still trading, the new enterprise continues with **another randomly drawn donor that
  was trading at the previous age and is followed at this age** (it may close at this age). So closing
  and growth at later ages come only from enterprises that were really followed to those ages, and the
  chance of closing at each age is, on average, the share of the enterprises still trading at the
  previous age that closed at that age (as in a Kaplan–Meier survival estimate). Once a new enterprise
  closes it stays closed with 0 jobs.
- **Support intensity** (an assumption, not evidence in the data) multiplies the yearly chance of
  closing by m: *as observed* m = 1, *more support* m = 0.75 (a quarter lower), *less support* m = 1.25
  (a quarter higher).

  - m below 1: when the copied donor closes at an age, the new enterprise stays open with probability
    1 − m, and continues with a randomly drawn donor still trading at that age (if no donor is, it
    closes after all).
  - m above 1: each new enterprise that would stay open is closed with probability
    q = (m − 1) × h ÷ (1 − h), where h is the observed chance of closing at that age among the donors
    trading at the previous age. Then the chance of closing is h + (1 − h) × q = m × h (at most 1).

  The same random numbers are used for every support level, so in every simulation more support never
  leaves fewer enterprises trading than *as observed*, and less support never more.
- **Runs**: the simulation is repeated (1,000 times by default) with a fixed random seed, so the same
  choices always give the same result. For each year after the start we report, over the runs, the
  **median** of the total jobs of the N enterprises, its **10th and 90th percentiles** (the **80 % band**:
  8 runs in 10 fall inside it) and the **mean**; the same for the number of enterprises still trading;
  and the share of runs in which at least one enterprise is still trading in the last year.
- **Limits**: when no donor is followed far enough (the data covers too few years for the horizon), the
  projection stops at the last age the data covers (warning ``horizon_beyond_data``). Fewer than
  ``MIN_DONORS`` (10) donors give a result flagged ``too_few_donors``; no donor at all gives an empty
  result (``no_donors``). The place does not change the paths: it only sets the per-resident scale. The
  past of these enterprises is no promise about new ones elsewhere.

Warning codes: ``no_donors``, ``too_few_donors``, ``horizon_beyond_data``.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np
import pandas as pd

SUPPORT: dict[str, float] = {"as_observed": 1.0, "more": 0.75, "less": 1.25}
DEFAULT_SEED = 20261203
MIN_DONORS = 10

N_RANGE = (1, 500)
HORIZON_RANGE = (1, 30)
RUNS_RANGE = (100, 10_000)
PERCENTILES = (10, 50, 90)
BAND_COLUMNS: tuple[str, ...] = (
    "year_offset", "jobs_p10", "jobs_median", "jobs_p90", "jobs_mean",
    "trading_p10", "trading_median", "trading_p90", "trading_mean",
)


@dataclass(frozen=True, eq=False)
class Donors:
    """The observed enterprises of one profile, as paths by age (cache it per dataset and profile)."""

    paths: np.ndarray  # (n_donors, max_age+1) float32 headcount, NaN where not observed (censored)
    closed_at: np.ndarray  # (n_donors,) age at closing, or -1 when still trading
    observed_to: np.ndarray  # (n_donors,) last observed age (the closing age for closed donors)
    ids: np.ndarray  # enterprise ids (for "based on N enterprises like ...")

    def __len__(self) -> int:
        return int(self.closed_at.shape[0])

    @property
    def max_age(self) -> int:
        """The last age any donor is followed to (-1 when there are no donors)."""
        return int(self.paths.shape[1]) - 1

    def trading(self, age: int) -> np.ndarray:
        """Donors followed at ``age`` and still trading then."""
        return (age <= self.observed_to) & ((self.closed_at < 0) | (age < self.closed_at))

    def followed(self, age: int) -> np.ndarray:
        """Donors whose state at ``age`` is known: followed that far, or closed (0 jobs for ever)."""
        return (age <= self.observed_to) | (self.closed_at >= 0)


def _no_donors() -> Donors:
    return Donors(paths=np.zeros((0, 0), dtype=np.float32), closed_at=np.zeros(0, np.int64),
                  observed_to=np.zeros(0, np.int64), ids=np.zeros(0, dtype=object))


def donors(panel, mask: np.ndarray | None = None) -> Donors:
    """The donors among the enterprises in ``mask`` (all when None): founded within the data's years,
    with their headcount by age (gaps carried forward, NaN once censored) and closing age."""
    n = len(panel.enterprises)
    mask = np.ones(n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != (n,):
        raise ValueError(f"mask has {mask.size} values for {n} enterprises")
    if len(panel.year) == 0:
        return _no_donors()
    with np.errstate(invalid="ignore"):
        chosen = mask & (panel.founded >= panel.year_min) & (panel.founded <= panel.year_max)  # NaN → False
    pos = np.flatnonzero(chosen)
    if len(pos) == 0:
        return _no_donors()
    founded = panel.founded[pos].astype(np.int64)
    closed = panel.closed[pos]
    end_age = panel.year_max - founded  # last age inside the data's years
    with np.errstate(invalid="ignore"):
        is_closed = closed <= panel.year_max  # a closing year after the data's years is not seen yet
    closed_at = np.where(is_closed, np.maximum(np.nan_to_num(closed).astype(np.int64) - founded, 0), -1)
    last_trading = np.where(is_closed, closed_at - 1, end_age)

    slot = np.full(n, -1, dtype=np.int64)
    slot[pos] = np.arange(len(pos))
    donor_of_row = slot[panel.ent_pos]
    rows = np.flatnonzero(donor_of_row >= 0)
    d = donor_of_row[rows]
    age = panel.year[rows] - founded[d]
    ok = (age >= 0) & (age <= last_trading[d])  # figures before founding or from the closing year are ignored
    rows, d, age = rows[ok], d[ok], age[ok]
    keep = (np.bincount(d, minlength=len(pos)) > 0) | (closed_at == 0)  # some figure, or closed at once
    if not keep.any():
        return _no_donors()
    d = (np.cumsum(keep) - 1)[d]  # renumbered among the kept donors (every d has a figure, so is kept)
    pos, end_age, is_closed, closed_at, last_trading = (x[keep] for x in (pos, end_age, is_closed, closed_at,
                                                                         last_trading))
    width = int(end_age.max()) + 1  # the earliest-founded donor is followed to the data's last year
    # float32 holds whole headcounts exactly up to 16 million and halves what a cached profile takes
    grid = np.full((width, len(pos)), np.nan, dtype=np.float32)  # one contiguous row per age
    grid[age, d] = panel.employees[rows]
    carried = np.zeros(len(pos), dtype=np.float32)  # before the first figure: no staff reported yet
    gone = np.where(is_closed, 0.0, np.nan).astype(np.float32)  # after the record: 0 for ever if closed, else censored
    for a in range(width):
        carried = np.where(np.isnan(grid[a]), carried, grid[a])  # a gap takes the last figure
        grid[a] = np.where(a > last_trading, gone, carried)
    observed_to = np.where(is_closed, closed_at, end_age)
    ids = panel.enterprises["enterprise_id"].iloc[pos].to_numpy(dtype=object)
    return Donors(paths=np.ascontiguousarray(grid.T), closed_at=closed_at.astype(np.int64),
                  observed_to=observed_to.astype(np.int64), ids=ids)


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    n_enterprises: int
    horizon: int
    runs: int
    seed: int
    support: str
    donors: int  # number of donor enterprises the paths were drawn from
    band: pd.DataFrame  # one row per year offset 0..covered_to: see BAND_COLUMNS (+ ``year`` with a start year)
    warnings: tuple[str, ...]
    covered_to: int = -1  # last year offset in the band (< horizon with "horizon_beyond_data"; -1 when empty)
    any_trading_share: float | None = None  # share of runs with at least one enterprise trading at covered_to

    @property
    def multiplier(self) -> float:
        return SUPPORT[self.support]

    def as_dict(self) -> dict:
        """Plain JSON-able values (NaN as None)."""
        def plain(value):
            if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
                return int(value)
            if isinstance(value, (np.floating, float)):
                return None if math.isnan(value) else float(value)
            return value

        return {
            "n_enterprises": int(self.n_enterprises), "horizon": int(self.horizon), "runs": int(self.runs),
            "seed": int(self.seed), "support": self.support, "multiplier": self.multiplier,
            "donors": int(self.donors), "covered_to": int(self.covered_to),
            "any_trading_share": plain(self.any_trading_share), "warnings": list(self.warnings),
            "band": [{k: plain(v) for k, v in row.items()} for row in self.band.to_dict("records")],
        }


def _whole(name: str, value, lo: int, hi: int) -> int:
    try:
        if isinstance(value, bool):
            raise TypeError
        number = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be a whole number from {lo:,} to {hi:,} (got {value!r})") from None
    if not lo <= number <= hi:
        raise ValueError(f"{name} must be from {lo:,} to {hi:,} (got {number:,})")
    return int(number)


def _empty_band(start_year: int | None) -> pd.DataFrame:
    band = pd.DataFrame({c: pd.Series(dtype=np.int64 if c == "year_offset" else np.float64) for c in BAND_COLUMNS})
    if start_year is not None:
        band.insert(1, "year", pd.Series(dtype=np.int64))
    return band


def _pick(u: np.ndarray, n: int) -> np.ndarray:
    """Uniform [0, 1) numbers → indices 0..n-1, each equally likely."""
    return np.minimum((u * n).astype(np.intp), n - 1)


def simulate(donors: Donors, n_enterprises: int, horizon: int, *, runs: int = 1000, seed: int = DEFAULT_SEED,
             support: str = "as_observed", start_year: int | None = None) -> ScenarioResult:
    """Monte Carlo jobs of ``n_enterprises`` new enterprises over ``horizon`` years (see module docstring).

    Raises ValueError for inputs outside their ranges (N 1-500, horizon 1-30, runs 100-10,000, a known
    support level, a non-negative seed); odd data (no or few donors, a short record) gives warnings."""
    n = _whole("n_enterprises", n_enterprises, *N_RANGE)
    horizon = _whole("horizon", horizon, *HORIZON_RANGE)
    runs = _whole("runs", runs, *RUNS_RANGE)
    seed = _whole("seed", seed, 0, 2**63 - 1)
    if support not in SUPPORT:
        raise ValueError(f"support must be one of {', '.join(SUPPORT)} (got {support!r})")
    if start_year is not None:
        start_year = _whole("start_year", start_year, -10_000, 10_000)
    m = SUPPORT[support]
    common = dict(n_enterprises=n, horizon=horizon, runs=runs, seed=seed, support=support, donors=len(donors))
    first = np.flatnonzero(donors.followed(0)) if len(donors) else np.zeros(0, np.intp)
    if len(first) == 0:
        return ScenarioResult(**common, band=_empty_band(start_year), warnings=("no_donors",))
    warnings = ["too_few_donors"] if len(donors) < MIN_DONORS else []

    rng = np.random.default_rng(seed)
    paths, closed_at = donors.paths, donors.closed_at
    last_col = paths.shape[1] - 1
    donor = np.zeros((runs, n), dtype=np.intp)
    trading = np.ones((runs, n), dtype=bool)  # trading at the previous age (at age 0: being started)
    jobs_total = np.zeros((horizon + 1, runs))
    trading_total = np.zeros((horizon + 1, runs))
    covered = -1
    trading_before = None  # donors trading at the previous age
    for age in range(horizon + 1):
        if age == 0:
            at_risk = first
        else:
            at_risk = np.flatnonzero(trading_before & donors.followed(age))
            if len(at_risk) == 0 and trading_before.any():
                warnings.append("horizon_beyond_data")  # someone could still be trading, but no donor shows how
                break
        trading_now = donors.trading(age)
        # Fixed-size draws at every age, whatever happens: the same seed gives the same numbers to every
        # support level (common random numbers) and to every horizon (a longer one extends a shorter one).
        u = rng.random((3, runs, n))
        col = min(age, last_col)
        if trading.any():
            # 1. a new donor where the current one's record has ended while trading (everyone at age 0)
            need = trading if age == 0 else trading & np.isnan(paths[donor, col])
            if need.any():
                donor[need] = at_risk[_pick(u[0][need], len(at_risk))]
            closes = trading & (closed_at[donor] == age)
            # 2. support intensity: closure risk × m
            if m < 1.0:
                pool = np.flatnonzero(trading_now)
                if len(pool):
                    rescued = closes & (u[1] < 1.0 - m)
                    donor[rescued] = pool[_pick(u[2][rescued], len(pool))]
                    closes &= ~rescued
            elif m > 1.0 and len(at_risk):
                hazard = float(np.mean(closed_at[at_risk] == age))
                if hazard < 1.0:
                    extra = min(1.0, (m - 1.0) * hazard / (1.0 - hazard))
                    closes |= trading & (u[1] < extra)
            trading = trading & ~closes
            jobs_total[age] = np.where(trading, paths[donor, col], 0.0).sum(axis=1, dtype=np.float64)
            trading_total[age] = trading.sum(axis=1)
        covered = age
        trading_before = trading_now

    jobs, count = jobs_total[: covered + 1], trading_total[: covered + 1]
    jq = np.percentile(jobs, PERCENTILES, axis=1)
    tq = np.percentile(count, PERCENTILES, axis=1)
    band = pd.DataFrame({
        "year_offset": np.arange(covered + 1, dtype=np.int64),
        "jobs_p10": jq[0], "jobs_median": jq[1], "jobs_p90": jq[2], "jobs_mean": jobs.mean(axis=1),
        "trading_p10": tq[0], "trading_median": tq[1], "trading_p90": tq[2], "trading_mean": count.mean(axis=1),
    })
    if start_year is not None:
        band.insert(1, "year", start_year + band["year_offset"])
    return ScenarioResult(**common, band=band, warnings=tuple(warnings), covered_to=covered,
                          any_trading_share=float(np.mean(count[-1] > 0)))


def to_csv_frame(result: ScenarioResult, *, population: int | None = None) -> pd.DataFrame:
    """The band for download: plus jobs per 10,000 residents when the population is known (and above 0),
    and the scenario's settings as constant columns so the file explains itself."""
    frame = result.band.copy()
    try:
        pop = None if population is None or pd.isna(population) else float(population)
    except (TypeError, ValueError):
        pop = None
    if pop is not None and pop > 0:
        for column in ("jobs_p10", "jobs_median", "jobs_p90", "jobs_mean"):
            frame[column + "_per_10k"] = frame[column] / pop * 10_000
        frame["population"] = int(pop)
    floats = frame.select_dtypes("float").columns
    frame[floats] = frame[floats].round(3)
    frame["n_enterprises"] = result.n_enterprises
    frame["support"] = result.support
    frame["closure_risk_multiplier"] = result.multiplier
    frame["donors"] = result.donors
    frame["runs"] = result.runs
    frame["seed"] = result.seed
    return frame
