"""Impact figures: jobs created and lost, rates per resident, net additional jobs, the local multiplier
(LM3) and cost per job, computed from a :class:`regen.metrics.Panel` and a boolean mask over its
enterprises. Every function here is pure and never raises on odd data (empty masks, all-missing
columns, a single enterprise): where a figure cannot be given it is missing (NaN) with a short note
code that the interface translates.

Definitions and formulas (also on the About page):

- **Jobs** in a year: the headcount (``employees``) of the yearly figures of that year.
- **Jobs created / lost** (gross job flows) in year *Y*, from the yearly figures:

  - an enterprise with figures in *Y*−1 and *Y* adds its growth to *created* and its shrinkage to
    *lost*;
  - an enterprise whose first figure is in *Y* and that was **founded in *Y* or *Y*−1** adds all its
    jobs to *created* (the founding year is often missing: a new enterprise may report its first
    staff only in its second calendar year);
  - an enterprise with a figure in *Y*−1, none in *Y*, and a **closing year of *Y* or earlier** adds
    the jobs of its last figure to *lost*;
  - anything else that changes the jobs total is **not** a flow but a reporting gap: a figure that
    reappears after a missing year, the first figure of an enterprise founded well before it, or an
    enterprise that stops reporting while still trading. Those jobs are shown as *unexplained*, so
    that created − lost + unexplained = jobs in *Y* − jobs in *Y*−1, exactly.

  *Net* = created − lost. The first year of the data has no previous year, so its created, lost,
  net and unexplained are missing (NaN), never 0. *Enterprises opened / closed* count the founding
  and closing years in the register, for every year.
- **Per 10,000 residents**: enterprises active in the year (founded in or before it and not closed in
  or before it) and jobs in the year, divided by the area's population and multiplied by 10,000. The
  population comes from the area table with its year and source; where it is unknown or 0 no rate is
  given (note ``no_population``). These are counts of every enterprise in the data, not a sample, so
  they carry no confidence interval.
- **Jobs growth** over 5 years: jobs in the year ÷ jobs 5 years earlier − 1 (0.25 = +25 %), given only
  when there were at least ``MIN_COUNT`` (10) jobs to start from (note ``too_few``; ``no_base_year``
  when the earlier year is before the data).
- **Disadvantaged share**: disadvantaged hires ÷ jobs, among the enterprises that report disadvantaged
  hires that year, with a 95 % Wilson score interval. Not given below ``MIN_COUNT`` jobs (``too_few``)
  or when no enterprise reports it (``not_reported``).
- **Turnover per job**: turnover ÷ jobs of the enterprises that report turnover, in their own currency.
  Pounds and yen are never added together: an area with both has none (``mixed_currency``).
- **Net additional jobs** (Homes and Communities Agency, *Additionality Guide*, 4th edition, 2014):
  net = gross × (1 − leakage) × (1 − displacement) × (1 − substitution) × multiplier × (1 − deadweight).
  *Leakage*: share of the jobs taken by people from outside the area. *Displacement*: share that
  replaces jobs elsewhere in the area. *Substitution*: share where an employer takes on a supported
  person instead of someone else. *Multiplier*: further jobs from local spending (1 = not counted).
  *Deadweight*: share of the jobs that would have existed anyway (the reference case).
- **Local multiplier LM3** (New Economics Foundation, *The Money Trail*, Sacks 2002): round 1 is an
  enterprise's income (turnover); round 2 is what it spends locally (wages paid to staff who live
  locally plus payments to local suppliers); round 3 is what those local staff and local suppliers
  re-spend locally. LM3 = (round 1 + round 2 + round 3) ÷ round 1. Here
  round 2 = income × (wages share × wages local + suppliers share × suppliers local) and
  round 3 = income × (wages share × wages local × staff re-spend + suppliers share × suppliers local ×
  suppliers re-spend). The shares are illustrative defaults, to be replaced by survey answers.
- **Cost per job**: programme spending in an area (in one currency) ÷ the gross jobs created there in
  the years with spending, and ÷ the net additional jobs (the gross jobs after the additionality
  factor). No cost is given when no job was created (``no_jobs_created``) or none is additional
  (``no_net_jobs``).
- **Small numbers**: below ``MIN_COUNT`` (10) a share or growth rate is "too few to say".

Note codes: ``no_population``, ``too_few``, ``no_base_year``, ``not_reported``, ``mixed_currency``,
``no_turnover``, ``no_jobs_created``, ``no_net_jobs``. A table's ``note`` column holds the most
important code of the row (or None) and ``notes`` all of them, separated by ``;``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

from regen.metrics import Panel, active_mask
from regen.schema import plain_value
from regen.vocab import CURRENCIES

MIN_COUNT = 10  # below this many jobs a share or growth rate is "too few to say"
GROWTH_YEARS = 5
PER = 10_000  # rates per 10,000 residents

# Order in which a row's notes are shown when only one fits (the ``note`` column).
NOTE_ORDER: tuple[str, ...] = ("no_population", "too_few", "no_base_year", "not_reported", "mixed_currency",
                               "no_turnover", "no_jobs_created", "no_net_jobs")

_AREA_TEXT = ("name", "name_ja", "country", "region", "population_source")


# ---- Small numbers ---------------------------------------------------------------------------------

def wilson_interval(successes, n, z: float = 1.96):
    """Wilson score interval for a share ``successes / n`` (vectorised; scalars give floats).

    low, high = (p + z²/2n ∓ z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n), with p = successes / n.
    NaN where ``n`` is 0 or missing; ``successes`` is clipped to [0, n]."""
    s = np.asarray(successes, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = m > 0
        m_safe = np.where(ok, m, 1.0)
        p = np.clip(s, 0, m_safe) / m_safe
        z2 = z * z
        denom = 1 + z2 / m_safe
        centre = (p + z2 / (2 * m_safe)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / m_safe + z2 / (4 * m_safe * m_safe))
        low = np.where(ok, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(ok, np.clip(centre + half, 0.0, 1.0), np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


# ---- Which metrics the data has --------------------------------------------------------------------

def available_metrics(panel: Panel) -> dict[str, bool]:
    """Whether any yearly figure has a value for ``fte``, ``disadvantaged_hires``, ``volunteers`` and
    ``turnover``, so that a page can say "this data has no turnover" instead of showing zero."""
    out = {"fte": bool((~np.isnan(panel.fte)).any()),
           "disadvantaged_hires": bool((~np.isnan(panel.disadvantaged)).any())}
    for column in ("volunteers", "turnover"):
        values = panel.figures[column] if column in panel.figures.columns else None
        out[column] = bool(values is not None and values.notna().any())
    return out


# ---- Job flows -------------------------------------------------------------------------------------

def _flow_sums(panel: Panel, mask: np.ndarray, group: np.ndarray | None = None,
               n_groups: int = 1) -> dict[str, np.ndarray]:
    """Jobs, created, lost and unexplained per (group, year) as (n_groups, n_years) float arrays.

    One pass over the figures, year by year (rows are sorted by year): each year's rows look up the
    same enterprise's figure of the year before in two arrays over enterprises (year and headcount of
    its latest figure). No loop over enterprises; memory is O(enterprises)."""
    n_years = panel.year_max - panel.year_min + 1
    shape = (n_groups, n_years)
    out = {name: np.zeros(shape) for name in ("jobs", "created", "lost", "unexplained")}
    for name in ("created", "lost", "unexplained"):
        out[name][:, 0] = np.nan  # the first year has no year before it: no flows
    mask = np.asarray(mask, dtype=bool)
    n_ent = len(panel.enterprises)
    if n_ent == 0 or not mask.any() or len(panel.year) == 0:
        return out
    everyone = bool(mask.all())
    keep_rows = None if everyone else mask[panel.ent_pos]
    last_year = np.full(n_ent, np.iinfo(np.int64).min // 2, dtype=np.int64)  # year of the latest figure
    last_jobs = np.zeros(n_ent)  # headcount of the latest figure
    founded, closed = panel.founded, panel.closed
    starts = panel.year_start

    def add(name: str, i: int, g: np.ndarray | None, weights: np.ndarray) -> None:
        if g is None:
            out[name][0, i] += weights.sum()
        elif len(weights):
            out[name][:, i] += np.bincount(g, weights=weights, minlength=n_groups)[:n_groups]

    # Weights are masked by multiplying with booleans rather than by compacting arrays: fewer passes.
    prev_p = np.empty(0, dtype=np.int64)
    prev_g = None if group is None else np.empty(0, dtype=np.int64)
    for i in range(n_years):
        y = panel.year_min + i
        lo, hi = starts[i], starts[i + 1]
        if everyone:
            p, e = panel.ent_pos[lo:hi], panel.employees[lo:hi]
        else:
            k = keep_rows[lo:hi]
            p, e = panel.ent_pos[lo:hi][k], panel.employees[lo:hi][k]
        g = None if group is None else group[p]
        add("jobs", i, g, e)
        if i > 0:
            had = last_year[p] == y - 1  # same enterprise has a figure the year before
            change = np.where(had, e - last_jobs[p], 0.0)
            f = founded[p]
            born = ~had & ((f == y) | (f == y - 1))
            add("created", i, g, np.maximum(change, 0.0) + e * born)
            add("lost", i, g, np.maximum(-change, 0.0))
            add("unexplained", i, g, e * (~had & ~born))
        last_year[p] = y
        last_jobs[p] = e
        if i > 0 and len(prev_p):
            gone = last_year[prev_p] == y - 1  # a figure in y−1, none in y
            shut = closed[prev_p] <= y  # NaN (still trading) compares False
            before = last_jobs[prev_p]
            add("lost", i, prev_g, before * (gone & shut))
            add("unexplained", i, prev_g, -before * (gone & ~shut))
        prev_p, prev_g = p, g
    return out


def _register_counts(panel: Panel, mask: np.ndarray, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Enterprises founded and closed in each of ``years`` (masked)."""
    n_years = len(years)

    def count(values: np.ndarray) -> np.ndarray:
        values = values[~np.isnan(values)] - panel.year_min
        values = values[(values >= 0) & (values < n_years)].astype(np.int64)
        return np.bincount(values, minlength=n_years)[:n_years]

    mask = np.asarray(mask, dtype=bool)
    return count(panel.founded[mask]), count(panel.closed[mask])


def job_flows(panel: Panel, mask: np.ndarray) -> pd.DataFrame:
    """Gross job flows by year for the masked enterprises (see the module docstring).

    Columns: year, jobs, created, lost, net (= created − lost), unexplained (reporting gaps, so that
    created − lost + unexplained = the change in jobs), enterprises_opened, enterprises_closed.
    created / lost / net / unexplained are NaN in the first year of the data."""
    years = np.arange(panel.year_min, panel.year_max + 1)
    sums = _flow_sums(panel, mask)
    opened, shut = _register_counts(panel, mask, years)
    created, lost = sums["created"][0], sums["lost"][0]
    return pd.DataFrame({
        "year": years.astype(np.int64),
        "jobs": sums["jobs"][0].round().astype(np.int64),
        "created": created,
        "lost": lost,
        "net": created - lost,
        "unexplained": sums["unexplained"][0],
        "enterprises_opened": opened.astype(np.int64),
        "enterprises_closed": shut.astype(np.int64),
    })


# ---- Per resident ----------------------------------------------------------------------------------

def _area_codes(panel: Panel) -> tuple[np.ndarray, pd.Index]:
    """Each enterprise's area as a code into the returned categories (−1 when missing)."""
    column = panel.enterprises["area"] if "area" in panel.enterprises.columns else pd.Series(
        [None] * len(panel.enterprises), dtype=object)
    if not isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype("category")
    return column.cat.codes.to_numpy().astype(np.int64), pd.Index(column.cat.categories.astype(str))


def _year_slice(panel: Panel, year: int) -> tuple[int, int]:
    """Figures rows of ``year`` (empty when the year is outside the data)."""
    if len(panel.year) == 0 or year < panel.year_min or year > panel.year_max:
        return 0, 0
    i = year - panel.year_min
    return int(panel.year_start[i]), int(panel.year_start[i + 1])


def _figure_values(panel: Panel, column: str, lo: int, hi: int) -> np.ndarray:
    if column not in panel.figures.columns or hi <= lo:
        return np.full(hi - lo, np.nan)
    values = panel.figures[column].iloc[lo:hi]
    return pd.to_numeric(values, errors="coerce").astype("float64").to_numpy(na_value=np.nan)


def _turnover_by_area(panel: Panel, lo: int, hi: int, keep: np.ndarray, row_area: np.ndarray,
                      k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Turnover, jobs and reporting enterprises per (area, currency) for the figures rows ``lo:hi``
    that pass ``keep`` and report turnover with a currency: three (k, currencies) arrays and the
    currency names."""
    turnover = _figure_values(panel, "turnover", lo, hi)
    has = keep & ~np.isnan(turnover)
    if "currency" in panel.figures.columns and has.any():
        cur_codes, cur_names = pd.factorize(panel.figures["currency"].iloc[lo:hi], use_na_sentinel=True)
        cur_codes = np.asarray(cur_codes, dtype=np.int64)
        names = [str(c) for c in cur_names]
    else:
        cur_codes, names = np.full(hi - lo, -1, dtype=np.int64), []
    has &= cur_codes >= 0
    n_cur = len(names)
    if not n_cur or not has.any():
        return np.zeros((k, 0)), np.zeros((k, 0)), np.zeros((k, 0), dtype=np.int64), []
    flat = row_area[has] * n_cur + cur_codes[has]
    size = k * n_cur

    def count(weights=None):
        return np.bincount(flat, weights=weights, minlength=size)[:size].reshape(k, n_cur)

    return count(turnover[has]), count(panel.employees[lo:hi][has]), count(), names


def _area_country(panel: Panel, masked: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    """A country per area code (object array, None when unknown), from the masked enterprises."""
    out = np.full(k, None, dtype=object)
    if "country" not in panel.enterprises.columns or not masked.any():
        return out
    column = panel.enterprises["country"]
    if not isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype("category")
    country_codes = column.cat.codes.to_numpy()
    names = np.asarray([str(c) for c in column.cat.categories] + [None], dtype=object)
    at = np.full(k, -1, dtype=np.int64)
    at[codes[masked]] = country_codes[masked]  # any of the area's enterprises: areas lie in one country
    return names[at]  # −1 picks the trailing None


def _join_notes(columns: list[tuple[str, np.ndarray]], n: int) -> tuple[list, list[str]]:
    """(note, notes) per row from (code, boolean flags) pairs, in ``NOTE_ORDER``."""
    rank = {code: i for i, code in enumerate(NOTE_ORDER)}
    columns = sorted(columns, key=lambda c: rank.get(c[0], len(rank)))
    note: list = [None] * n
    notes: list[str] = [""] * n
    for code, flags in columns:
        for i in np.flatnonzero(flags):
            if note[i] is None:
                note[i] = code
                notes[i] = code
            elif code not in notes[i].split(";"):
                notes[i] += ";" + code
    return note, notes


def _area_table(areas: pd.DataFrame | None, codes: pd.Index) -> pd.DataFrame:
    """Area attributes (name, country, population …) for ``codes``, NaN / None where unknown."""
    frame = pd.DataFrame({"code": codes.astype(str)})
    if areas is None or not len(areas) or "code" not in areas.columns:
        info = pd.DataFrame(index=pd.Index([], dtype=object))
    else:
        info = areas.assign(code=areas["code"].astype(str)).drop_duplicates("code").set_index("code")
    for column in _AREA_TEXT:
        values = info[column].reindex(frame["code"]).to_numpy(dtype=object) if column in info.columns else \
            np.full(len(frame), None, dtype=object)
        frame[column] = pd.Series([None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                                   else str(v) for v in values], dtype=object)
    for column in ("population", "population_year"):
        if column in info.columns:
            values = pd.to_numeric(info[column], errors="coerce").astype("float64")
            frame[column] = values.reindex(frame["code"]).to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            frame[column] = np.nan
    return frame


def per_resident(panel: Panel, mask: np.ndarray, areas: pd.DataFrame, year: int, *,
                 min_count: int = MIN_COUNT, growth_years: int = GROWTH_YEARS) -> pd.DataFrame:
    """One row per area with at least one masked enterprise: its population (with year and source),
    enterprises active in ``year``, jobs in ``year``, both per 10,000 residents, jobs growth over
    ``growth_years``, the disadvantaged share with its 95 % Wilson interval, and turnover per job in
    the area's currency.

    Counts of a full register are not estimates: the per-10,000 rates have no interval. Rates are NaN
    where the population is unknown or 0 (``no_population``); growth and the disadvantaged share are
    NaN below ``min_count`` jobs (``too_few``); turnover per job is NaN where an area has turnover in
    two currencies (``mixed_currency``) or none (``no_turnover``). Columns: code, name, name_ja,
    country, region, population, population_year, population_source, enterprises, jobs,
    enterprises_per_10k, jobs_per_10k, jobs_then, growth, disadvantaged_hires, disadvantaged_jobs,
    disadvantaged_share, share_lower, share_upper, turnover, turnover_jobs, turnover_per_job,
    currency, note, notes."""
    mask = np.asarray(mask, dtype=bool)
    codes, categories = _area_codes(panel)
    masked = mask & (codes >= 0)
    present = np.unique(codes[masked])
    k = len(categories)

    def by_area(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        if not len(values):
            return np.zeros(k)
        return np.bincount(values, weights=weights, minlength=k)[:k] if k else np.zeros(0)

    year = int(year)
    active = masked & active_mask(panel, year)
    enterprises = by_area(codes[active])

    def year_rows(y: int) -> tuple[int, int, np.ndarray, np.ndarray]:
        lo, hi = _year_slice(panel, y)
        p = panel.ent_pos[lo:hi]
        keep = masked[p]
        return lo, hi, keep, codes[p]

    lo, hi, keep, row_area = year_rows(year)
    emp = panel.employees[lo:hi]
    jobs = by_area(row_area[keep], emp[keep])

    then = year - growth_years
    if len(panel.year) and then >= panel.year_min:
        t_lo, t_hi, t_keep, t_area = year_rows(then)
        jobs_then = by_area(t_area[t_keep], panel.employees[t_lo:t_hi][t_keep])
    else:
        jobs_then = np.full(k, np.nan)

    dis = panel.disadvantaged[lo:hi]
    reports = keep & ~np.isnan(dis)
    dis_hires = by_area(row_area[reports], dis[reports])
    dis_jobs = by_area(row_area[reports], emp[reports])
    dis_rows = by_area(row_area[reports])

    tv_sum, tv_jobs, tv_count, cur_names = _turnover_by_area(panel, lo, hi, keep, row_area, k)

    # One row per area present under the mask.
    info = _area_table(areas, categories[present])
    fallback = _area_country(panel, masked, codes, k)[present]  # for areas missing from the area table
    info["country"] = pd.Series([c if c is not None else f for c, f in zip(info["country"], fallback)], dtype=object)
    frame = info
    n = len(present)
    population = frame["population"].to_numpy(dtype=np.float64)
    e_n = enterprises[present]
    j_n = jobs[present]
    no_pop = ~(population > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["enterprises"] = e_n.round().astype(np.int64)
        frame["jobs"] = j_n.round().astype(np.int64)
        frame["enterprises_per_10k"] = np.where(no_pop, np.nan, e_n / population * PER)
        frame["jobs_per_10k"] = np.where(no_pop, np.nan, j_n / population * PER)
        j_then = jobs_then[present]
        no_base = np.isnan(j_then)
        few_then = ~no_base & (j_then < min_count)
        frame["jobs_then"] = j_then
        frame["growth"] = np.where(no_base | few_then, np.nan, j_n / j_then - 1)
        d_h, d_j = dis_hires[present], dis_jobs[present]
        not_reported = dis_rows[present] == 0
        few_dis = ~not_reported & (d_j < min_count)
        low, high = wilson_interval(d_h, d_j)
        share_ok = ~(not_reported | few_dis) & (d_j > 0)
        frame["disadvantaged_hires"] = np.where(not_reported, np.nan, d_h)
        frame["disadvantaged_jobs"] = d_j
        frame["disadvantaged_share"] = np.where(share_ok, np.clip(d_h, 0, d_j) / d_j, np.nan)
        frame["share_lower"] = np.where(share_ok, low, np.nan)
        frame["share_upper"] = np.where(share_ok, high, np.nan)
        counts = tv_count[present]
        n_currencies = (counts > 0).sum(axis=1)
        mixed = n_currencies > 1
        none = n_currencies == 0
        single = n_currencies == 1
        if counts.shape[1]:
            which = counts.argmax(axis=1)
            rows = np.arange(n)
            tv = np.where(single, tv_sum[present][rows, which], np.nan)
            tj = np.where(single, tv_jobs[present][rows, which], np.nan)
        else:
            which, tv, tj = np.zeros(n, dtype=np.int64), np.full(n, np.nan), np.full(n, np.nan)
        frame["turnover"] = tv
        frame["turnover_jobs"] = tj
        frame["turnover_per_job"] = np.where(single & (tj > 0), tv / tj, np.nan)
    frame["currency"] = pd.Series([cur_names[w] if s else None for w, s in zip(which, single)], dtype=object)
    note, notes = _join_notes([("no_population", no_pop), ("too_few", few_then | few_dis),
                               ("no_base_year", no_base), ("not_reported", not_reported),
                               ("mixed_currency", mixed), ("no_turnover", none)], n)
    frame["note"] = pd.Series(note, dtype=object)
    frame["notes"] = pd.Series(notes, dtype=object)
    order = ["code", "name", "name_ja", "country", "region", "population", "population_year", "population_source"]
    frame = frame[order + [c for c in frame.columns if c not in order]]
    return frame.sort_values(["country", "code"], kind="stable", key=lambda s: s.astype(str)).reset_index(drop=True)


@dataclass(frozen=True)
class Share:
    """Disadvantaged hires as a share of jobs (among enterprises that report them) with its 95 % Wilson
    interval; ``share`` is None with ``note`` "too_few" or "not_reported" when it cannot be given."""

    year: int
    hires: int
    jobs: int
    share: float | None
    lower: float | None
    upper: float | None
    note: str | None


def disadvantaged_share(panel: Panel, mask: np.ndarray, year: int, *, min_count: int = MIN_COUNT) -> Share:
    """Disadvantaged share for all masked enterprises together in ``year``."""
    lo, hi = _year_slice(panel, int(year))
    keep = np.asarray(mask, dtype=bool)[panel.ent_pos[lo:hi]] & ~np.isnan(panel.disadvantaged[lo:hi])
    hires = float(panel.disadvantaged[lo:hi][keep].sum())
    jobs = float(panel.employees[lo:hi][keep].sum())
    if jobs <= 0:
        return Share(int(year), int(round(hires)), 0, None, None, None, "not_reported")
    if jobs < min_count:
        return Share(int(year), int(round(hires)), int(round(jobs)), None, None, None, "too_few")
    low, high = wilson_interval(hires, jobs)
    return Share(int(year), int(round(hires)), int(round(jobs)), min(hires, jobs) / jobs, low, high, None)


# ---- Reference statistics --------------------------------------------------------------------------

def reference_stats(table: pd.DataFrame, column: str, by: str = "country") -> pd.DataFrame:
    """For each value of ``by`` (a country): n (areas with a value), median, mean and standard deviation
    (n − 1 in the denominator; NaN when n < 2) of ``column`` over its areas; NaN values are left out.
    Used to put a place against the median and ±1 SD of all places of its country."""
    columns = [by, "n", "median", "mean", "std"]
    if table is None or not len(table) or column not in table.columns or by not in table.columns:
        return pd.DataFrame({c: pd.Series(dtype=object if c == by else np.float64) for c in columns}).astype(
            {"n": np.int64})
    values = pd.to_numeric(table[column], errors="coerce").astype("float64")
    keys = table[by].astype(object).where(table[by].notna(), None)
    frame = pd.DataFrame({by: keys.to_numpy(dtype=object), "value": values.to_numpy()}).dropna(subset=[by])
    grouped = frame.groupby(by, sort=True)["value"]
    out = pd.DataFrame({
        "n": grouped.count().astype(np.int64),
        "median": grouped.median(),
        "mean": grouped.mean(),
        "std": grouped.std(ddof=1),
    })
    out.loc[out["n"] < 2, "std"] = np.nan
    return out.reset_index()[columns]


def with_empty_areas(table: pd.DataFrame, areas: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``table`` (from :func:`per_resident`) plus every area of ``areas`` with a known population that it
    lacks, at 0 in ``columns``: an area with no enterprise in view has 0 per 10,000 residents, and a
    reference over "all places of a country" must count it."""
    if areas is None or not len(areas) or "population" not in areas:
        return table
    population = pd.to_numeric(areas["population"], errors="coerce")
    known = areas[(population > 0).fillna(False).to_numpy(dtype=bool)]
    missing = known[~known["code"].astype(str).isin(table["code"].astype(str))]
    if missing.empty:
        return table
    extra = pd.DataFrame({"code": missing["code"].astype(str).to_numpy(), "country": missing["country"].astype(str).to_numpy(),
                          **{c: 0.0 for c in columns}})
    return pd.concat([table, extra], ignore_index=True)


# ---- Net additional jobs (HCA Additionality Guide) -------------------------------------------------

MULTIPLIER_RANGE = (1.0, 3.0)
ADDITIONALITY_SHARES: tuple[str, ...] = ("deadweight", "leakage", "displacement", "substitution")


@dataclass(frozen=True)
class Additionality:
    """Assumptions that turn gross jobs into net additional jobs (HCA Additionality Guide, 2014).

    Defaults: deadweight 25 %, leakage 10 %, displacement 25 %, substitution 0, multiplier 1 (not
    applied). They are illustrative starting points, not evidence about any programme: the guide asks
    for values from evaluations of similar interventions."""

    deadweight: float = 0.25
    leakage: float = 0.10
    displacement: float = 0.25
    substitution: float = 0.0
    multiplier: float = 1.0

    def validate(self) -> list[str]:
        """Problem codes: ``<name>_out_of_range`` for a share outside [0, 1] (or not a number) and
        ``multiplier_out_of_range`` for a multiplier below 1 or above 3."""
        problems = []
        for name in ADDITIONALITY_SHARES:
            value = getattr(self, name)
            if not _is_number(value) or not 0.0 <= float(value) <= 1.0:
                problems.append(f"{name}_out_of_range")
        if not _is_number(self.multiplier) or not MULTIPLIER_RANGE[0] <= float(self.multiplier) <= MULTIPLIER_RANGE[1]:
            problems.append("multiplier_out_of_range")
        return problems

    def factor(self) -> float:
        """(1 − leakage) × (1 − displacement) × (1 − substitution) × multiplier × (1 − deadweight)."""
        return float((1 - self.leakage) * (1 - self.displacement) * (1 - self.substitution) * self.multiplier
                     * (1 - self.deadweight))

    def as_dict(self) -> dict:
        return asdict(self)


def _is_number(value) -> bool:
    try:
        return bool(np.isfinite(float(value)))
    except (TypeError, ValueError):
        return False


def net_additional(gross, params: Additionality):
    """Net additional jobs = gross × ``params.factor()``; a float, array or Series in, the same out."""
    factor = params.factor()
    if isinstance(gross, (pd.Series, np.ndarray)):
        return gross * factor
    return float(gross) * factor


def additionality_steps(gross: float, params: Additionality) -> pd.DataFrame:
    """The calculation step by step ("show your working"): step (gross, after_leakage,
    after_displacement, after_substitution, with_multiplier, net) and value after that step."""
    value = float(gross)
    rows = [("gross", value)]
    for step, factor in (("after_leakage", 1 - params.leakage), ("after_displacement", 1 - params.displacement),
                         ("after_substitution", 1 - params.substitution), ("with_multiplier", params.multiplier),
                         ("net", 1 - params.deadweight)):
        value *= factor
        rows.append((step, value))
    return pd.DataFrame(rows, columns=["step", "value"])


# ---- Local multiplier LM3 (NEF) --------------------------------------------------------------------

@dataclass(frozen=True)
class LocalSpend:
    """How an enterprise's income is spent, for LM3. All are shares between 0 and 1; the defaults are
    illustrative (replace them with survey answers from the enterprises).

    - ``wages_share``: share of income (turnover) paid as wages;
    - ``wages_local``: share of the wage bill paid to staff who live in the area;
    - ``staff_respend``: share of their wages that local staff spend in the area;
    - ``suppliers_share``: share of income paid to suppliers;
    - ``suppliers_local``: share of supplier spending that goes to suppliers in the area;
    - ``suppliers_respend``: share of that income that local suppliers re-spend in the area."""

    wages_share: float = 0.45
    wages_local: float = 0.60
    staff_respend: float = 0.40
    suppliers_share: float = 0.35
    suppliers_local: float = 0.40
    suppliers_respend: float = 0.25

    def validate(self) -> list[str]:
        """Problem codes: ``<name>_out_of_range`` (a share outside [0, 1]) and ``spend_above_income``
        (wages share + suppliers share above 1)."""
        problems = [f"{f.name}_out_of_range" for f in fields(self)
                    if not _is_number(getattr(self, f.name)) or not 0.0 <= float(getattr(self, f.name)) <= 1.0]
        if not problems and self.wages_share + self.suppliers_share > 1.0 + 1e-9:
            problems.append("spend_above_income")
        return problems

    def round2_share(self) -> float:
        """Round 2 as a share of income: wages to local staff + payments to local suppliers."""
        return self.wages_share * self.wages_local + self.suppliers_share * self.suppliers_local

    def round3_share(self) -> float:
        """Round 3 as a share of income: what local staff and local suppliers re-spend locally."""
        return (self.wages_share * self.wages_local * self.staff_respend
                + self.suppliers_share * self.suppliers_local * self.suppliers_respend)

    def as_dict(self) -> dict:
        return asdict(self)


LOCAL_SPEND_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(LocalSpend))


def lm3(turnover: float, spend: LocalSpend) -> dict:
    """LM3 for an income of ``turnover``: {"round1", "round2", "round3", "lm3", "local_value"} with
    local_value = round1 + round2 + round3 and lm3 = local_value ÷ round1 (NaN when the income is 0)."""
    r1 = float(turnover)
    r2 = r1 * spend.round2_share()
    r3 = r1 * spend.round3_share()
    local = r1 + r2 + r3
    ratio = local / r1 if r1 else float("nan")
    return {"round1": r1, "round2": r2, "round3": r3, "lm3": ratio, "local_value": local}


def lm3_by_area(panel: Panel, mask: np.ndarray, year: int, spend: LocalSpend,
                areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per area and currency: turnover reported for ``year`` by the masked enterprises, its local value
    (round 1 + 2 + 3) and LM3, and how many enterprises reported turnover. Areas whose masked
    enterprises have figures or are active in ``year`` but report no turnover get one row with NaN
    and note ``no_turnover``. Columns: area, name, country, currency, enterprises, turnover,
    local_value, lm3, note."""
    mask = np.asarray(mask, dtype=bool)
    codes, categories = _area_codes(panel)
    k = len(categories)
    masked = mask & (codes >= 0)
    lo, hi = _year_slice(panel, int(year))
    p = panel.ent_pos[lo:hi]
    keep = masked[p]
    row_area = codes[p]
    tv_sum, _jobs, tv_count, names = _turnover_by_area(panel, lo, hi, keep, row_area, k)
    area_at, cur_at = np.nonzero(tv_count)  # row-major: by area, then currency
    seen = np.zeros(k, dtype=bool)
    seen[row_area[keep]] = True
    seen[codes[masked & active_mask(panel, int(year))]] = True
    seen[area_at] = False
    missing = np.flatnonzero(seen)
    area_idx = np.concatenate([area_at, missing]).astype(np.int64)
    turnover = np.concatenate([tv_sum[area_at, cur_at], np.full(len(missing), np.nan)])
    ratio = lm3(1.0, spend)["lm3"]
    local = turnover * ratio
    with np.errstate(divide="ignore", invalid="ignore"):
        multiplier = np.where(turnover > 0, local / turnover, np.nan)
    labels = categories[area_idx].astype(str) if len(area_idx) else pd.Index([], dtype=object)
    info = _area_table(areas, pd.Index(labels)).set_index("code")
    country = info["country"].to_numpy(dtype=object)
    fallback = _area_country(panel, masked, codes, k)[area_idx]
    out = pd.DataFrame({
        "area": pd.Series(np.asarray(labels, dtype=object), dtype=object),
        "name": pd.Series(info["name"].to_numpy(dtype=object), dtype=object),
        "country": pd.Series([c if c is not None else f for c, f in zip(country, fallback)], dtype=object),
        "currency": pd.Series([names[c] for c in cur_at] + [None] * len(missing), dtype=object),
        "enterprises": np.concatenate([tv_count[area_at, cur_at], np.zeros(len(missing))]).astype(np.int64),
        "turnover": turnover,
        "local_value": local,
        "lm3": multiplier,
        "note": pd.Series([None] * len(area_at) + ["no_turnover"] * len(missing), dtype=object),
    })
    return out.sort_values(["area", "currency"], kind="stable", na_position="last").reset_index(drop=True)


# ---- Cost per job ----------------------------------------------------------------------------------

SPENDING_COLUMNS: tuple[str, ...] = ("area", "year", "amount", "currency")


@dataclass(frozen=True)
class SpendingProblem:
    """A spending row that was left out (or a note about one). ``str()`` gives a plain-English sentence;
    ``code`` is stable: ``missing_area``, ``invalid_year``, ``invalid_amount``, ``negative_amount``,
    ``invalid_currency`` (row dropped); ``year_without_flows`` (row kept: no flows that year) and
    ``area_not_in_view`` (row kept: no enterprise of the area passes the filters)."""

    row: object
    column: str
    value: object
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


_CURRENCIES = tuple(CURRENCIES.values())


def _row_label(row: object) -> str:
    return f"row {row + 1}" if isinstance(row, (int, np.integer)) else f"row {row}"


def cost_per_job(spending: pd.DataFrame, panel: Panel, mask: np.ndarray, params: Additionality,
                 areas: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[SpendingProblem]]:
    """Cost per gross and per net additional job, per area and currency (currencies are never mixed).

    ``spending`` has the columns area, year, amount, currency; a missing column raises ValueError.
    Rows with a missing area, a year that is not a whole number, an amount that is not a number or is
    negative, or a currency other than GBP / JPY are dropped and reported in the returned problems.
    For each (area, currency): spend = total amount; gross_jobs = jobs created (:func:`job_flows`) by
    the masked enterprises of the area in the years with spending; net_jobs = gross_jobs × the
    additionality factor; cost_per_gross_job = spend ÷ gross_jobs and cost_per_net_job = spend ÷
    net_jobs (NaN with note ``no_jobs_created`` / ``no_net_jobs`` when 0). A spending year without
    flows (the first year of the data, or outside it) adds no jobs and is reported.

    Returns (frame, problems); frame columns: area, name, country, currency, spend, years, first_year,
    last_year, gross_jobs, net_jobs, cost_per_gross_job, cost_per_net_job, note."""
    if not isinstance(spending, pd.DataFrame):
        raise ValueError("spending must be a table with the columns area, year, amount, currency")
    missing = [c for c in SPENDING_COLUMNS if c not in spending.columns]
    if missing:
        raise ValueError(f"spending is missing the column(s) {', '.join(missing)} "
                         f"(expected: {', '.join(SPENDING_COLUMNS)})")
    problems: list[SpendingProblem] = []
    frame = spending.reset_index(drop=True)
    area = frame["area"].astype(object).where(frame["area"].notna(), None)
    area = pd.Series([None if a is None or not str(a).strip() else str(a).strip() for a in area], dtype=object)
    year = pd.to_numeric(frame["year"], errors="coerce").astype("float64")
    amount = pd.to_numeric(frame["amount"], errors="coerce").astype("float64")
    currency = pd.Series([None if c is None or (isinstance(c, float) and np.isnan(c)) or c is pd.NA
                          else str(c).strip().upper() for c in frame["currency"].astype(object)], dtype=object)
    good = np.ones(len(frame), dtype=bool)
    for i in range(len(frame)):  # typed rows: a few, not a hot path
        label = _row_label(i)
        if area[i] is None:
            problems.append(SpendingProblem(i, "area", None, "missing_area", f"{label}: no area; left out"))
            good[i] = False
        if not np.isfinite(year[i]) or year[i] % 1:
            problems.append(SpendingProblem(i, "year", plain_value(frame["year"].iloc[i]), "invalid_year",
                                            f"{label}: the year is not a whole number; left out"))
            good[i] = False
        if not np.isfinite(amount[i]):
            problems.append(SpendingProblem(i, "amount", plain_value(frame["amount"].iloc[i]), "invalid_amount",
                                            f"{label}: the amount is not a number; left out"))
            good[i] = False
        elif amount[i] < 0:
            problems.append(SpendingProblem(i, "amount", float(amount[i]), "negative_amount",
                                            f"{label}: the amount is negative; left out"))
            good[i] = False
        if currency[i] not in _CURRENCIES:
            problems.append(SpendingProblem(i, "currency", currency[i], "invalid_currency",
                                            f"{label}: the currency must be one of {', '.join(_CURRENCIES)}; left out"))
            good[i] = False
    flow_years = (panel.year_min + 1, panel.year_max) if len(panel.year) else (1, 0)
    for i in np.flatnonzero(good):
        if not flow_years[0] <= year[i] <= flow_years[1]:
            problems.append(SpendingProblem(int(i), "year", int(year[i]), "year_without_flows",
                                            f"{_row_label(int(i))}: no jobs created or lost can be counted for "
                                            f"{int(year[i])} (flows cover {flow_years[0]}–{flow_years[1]})"))
    kept = pd.DataFrame({"area": area[good].to_numpy(dtype=object), "year": year[good].to_numpy().astype(np.int64),
                         "amount": amount[good].to_numpy(), "currency": currency[good].to_numpy(dtype=object)})
    columns = ["area", "name", "country", "currency", "spend", "years", "first_year", "last_year", "gross_jobs",
               "net_jobs", "cost_per_gross_job", "cost_per_net_job", "note"]
    if not len(kept):
        problems.sort(key=lambda p: (p.row if isinstance(p.row, (int, np.integer)) else -1, p.column))
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}), problems

    # Jobs created per (area, year) for the spending areas, in one pass over the figures.
    codes, categories = _area_codes(panel)
    wanted = pd.Index(sorted(kept["area"].unique()))
    at = categories.get_indexer(wanted)  # −1: an area with no enterprises in the data
    group = np.full(len(categories) + 1, len(wanted), dtype=np.int64)
    group[at[at >= 0]] = np.flatnonzero(at >= 0)
    ent_group = group[np.where(codes >= 0, codes, len(categories))]
    in_spend = np.asarray(mask, dtype=bool) & (ent_group < len(wanted))
    in_view = np.zeros(len(wanted) + 1, dtype=bool)
    in_view[ent_group[in_spend]] = True
    for i in np.flatnonzero(good):
        code = area[i]
        if not in_view[wanted.get_loc(code)]:
            problems.append(SpendingProblem(int(i), "area", code, "area_not_in_view",
                                            f"{_row_label(int(i))}: no enterprise of area {code} is in view; "
                                            "no jobs can be counted"))
    created = _flow_sums(panel, in_spend, ent_group, len(wanted) + 1)["created"][: len(wanted)]

    grouped = kept.groupby(["area", "currency"], sort=True)
    rows = []
    for (code, cur), part in grouped:
        g = wanted.get_loc(code)
        years = np.unique(part["year"].to_numpy())
        idx = years - panel.year_min
        idx = idx[(idx >= 0) & (idx < created.shape[1])]
        gross = float(np.nansum(created[g, idx])) if len(idx) else 0.0
        rows.append({"area": code, "currency": cur, "spend": float(part["amount"].sum()), "years": len(years),
                     "first_year": int(years.min()), "last_year": int(years.max()), "gross_jobs": gross})
    out = pd.DataFrame(rows)
    out["net_jobs"] = net_additional(out["gross_jobs"].astype("float64"), params)
    gross = out["gross_jobs"].to_numpy(dtype=np.float64)
    net = out["net_jobs"].to_numpy(dtype=np.float64)
    spend = out["spend"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cost_per_gross_job"] = np.where(gross > 0, spend / gross, np.nan)
        out["cost_per_net_job"] = np.where(net > 0, spend / net, np.nan)
    out["note"] = pd.Series([("no_jobs_created" if g <= 0 else "no_net_jobs" if n <= 0 else None)
                             for g, n in zip(gross, net)], dtype=object)
    info = _area_table(areas, pd.Index(out["area"].unique())).set_index("code")
    out["name"] = info["name"].reindex(out["area"]).to_numpy(dtype=object)
    country = info["country"].reindex(out["area"]).to_numpy(dtype=object)
    known = _area_country(panel, codes >= 0, codes, len(categories))  # for areas missing from ``areas``
    at = categories.get_indexer(out["area"])
    out["country"] = pd.Series([c if c is not None else (known[i] if i >= 0 else None)
                                for c, i in zip(country, at)], dtype=object)
    problems.sort(key=lambda p: (p.row if isinstance(p.row, (int, np.integer)) else -1, p.column))
    return out[columns], problems


# ---- Programme spending typed or pasted on the Impact page ------------------------------------------

_SPENDING_HEADERS = {
    "area": ("area", "area code", "code", "place", "地域", "自治体", "市町村", "地域コード"),
    "year": ("year", "fiscal year", "年", "年度"),
    "amount": ("amount", "spend", "spending", "cost", "金額", "事業費", "費用"),
    "currency": ("currency", "通貨"),
}
_CURRENCY_SIGNS = {"£": "GBP", "¥": "JPY", "￥": "JPY", "円": "JPY"}


def read_spending(text: str, areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """Programme spending pasted as text (from a spreadsheet: tab-separated, or comma / semicolon
    separated) as a frame with the columns area, year, amount, currency for :func:`cost_per_job`.

    A header row is recognised by its names (English or Japanese, e.g. "area, year, amount, currency"
    or "地域, 年度, 金額, 通貨"); without one the columns are taken in that order. Areas may be given
    by code or by name (English or Japanese, from ``areas``). Amounts may carry a currency sign and
    thousands separators ("£120,000", "¥3,000,000", "300万円" is not understood and is reported by
    :func:`cost_per_job` as not a number). A missing currency comes from the sign, else from the
    area's country. Nothing is rejected here: :func:`cost_per_job` reports what it cannot use."""
    import csv
    import io

    text = (text or "").strip("\ufeff\n\r ")
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in SPENDING_COLUMNS})
    if not text:
        return empty
    sample = text[:2000]
    delimiter = "\t" if "\t" in sample else (";" if ";" in sample and "," not in sample.split("\n")[0] else ",")
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    rows = [row for row in rows if any(row)]
    if not rows:
        return empty
    order = list(SPENDING_COLUMNS)
    header = [cell.casefold() for cell in rows[0]]
    found = {field: next((i for i, cell in enumerate(header) if cell in names), None)
             for field, names in _SPENDING_HEADERS.items()}
    if found["area"] is not None and found["amount"] is not None:
        rows = rows[1:]
        positions = found
    else:
        positions = {field: i for i, field in enumerate(order)}
    if delimiter == "," and positions == {field: i for i, field in enumerate(order)}:
        rows = [_rejoin_thousands(row) for row in rows]

    lookup: dict[str, str] = {}
    country_of: dict[str, str] = {}
    if areas is not None and len(areas):
        for code, name, name_ja, country in zip(areas["code"].astype(str), areas["name"].astype(object),
                                                areas.get("name_ja", pd.Series([None] * len(areas))).astype(object),
                                                areas["country"].astype(str)):
            lookup[code.casefold()] = code
            country_of[code] = country
            for label in (name, name_ja):
                if isinstance(label, str) and label.strip():
                    lookup.setdefault(label.strip().casefold(), code)

    def cell(row: list[str], field: str) -> str:
        i = positions.get(field)
        return row[i] if i is not None and i < len(row) else ""

    out = {c: [] for c in order}
    for row in rows:
        area = cell(row, "area")
        code = lookup.get(area.casefold(), area) if area else None
        raw_amount = cell(row, "amount")
        sign = next((cur for s, cur in _CURRENCY_SIGNS.items() if s in raw_amount), None)
        amount = raw_amount
        for junk in (*_CURRENCY_SIGNS, ",", " ", "\u00a0"):
            amount = amount.replace(junk, "")
        currency = cell(row, "currency").upper() or sign or {"GB": "GBP", "JP": "JPY"}.get(country_of.get(code or ""))
        out["area"].append(code)
        out["year"].append(cell(row, "year") or None)
        out["amount"].append(amount or None)
        out["currency"].append(currency)
    return pd.DataFrame(out, dtype=object)


def _rejoin_thousands(row: list[str]) -> list[str]:
    """A comma-separated row whose amount was split at its thousands separators ("E08000024,2020,120,000,GBP")
    put back together: the cells between the year and a trailing currency code are one number."""
    if len(row) <= 4:
        return row
    tail = row[-1].upper() if row[-1].upper() in ("GBP", "JPY") else None
    middle = row[2:-1] if tail else row[2:]
    if all(part.isdigit() for part in middle) and all(len(part) == 3 for part in middle[1:]):
        return [row[0], row[1], "".join(middle)] + ([tail] if tail else [])
    return row
