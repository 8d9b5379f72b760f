"""One-line plain-language readings of the impact figures, in English or Japanese.

Each function takes a result from :mod:`regen.survival`, :mod:`regen.impact` or :mod:`regen.scenario`
and returns one sentence an official can read in a minute ("Of enterprises founded 2005–2010, 62 %
(95 % CI 55–69 %) were still trading after 5 years."). Where a figure rests on too few enterprises,
or the data cannot say, the sentence says so instead of showing a number.
"""

from __future__ import annotations

from regen import i18n


def estimate(value, lang: str) -> str:
    """``62% (95% CI 55–69%)`` for an :class:`regen.survival.Estimate`; "too few to say" when it has no value."""
    if value is None or value.estimate is None:
        return i18n.t("reading.too_few_short", lang)
    if value.lower is None or value.upper is None:
        return i18n.percent(value.estimate, lang)
    return i18n.t("reading.estimate", lang, value=i18n.percent(value.estimate, lang),
                  lower=i18n.percent(value.lower, lang), upper=i18n.percent(value.upper, lang))


def years(value, lang: str, warnings: tuple[str, ...] = ()) -> str:
    """A median survival time in years with its interval, or why there is none (``warnings`` of the
    result tell "not reached yet" from "too few to say")."""
    if value is None or value.estimate is None:
        if "median_not_reached" in warnings:
            return i18n.t("reading.median_not_reached", lang)
        return i18n.t("reading.median_too_few", lang)
    text = i18n.t("reading.years", lang, n=i18n.number(value.estimate, lang))
    if value.lower is not None and value.upper is not None:
        text += " " + i18n.t("reading.interval", lang, lower=i18n.number(value.lower, lang),
                             upper=i18n.number(value.upper, lang))
    return text


def survival(result, lang: str, *, horizon: int = 5, group: str | None = None) -> str:
    """The share still trading ``horizon`` years after founding, for all enterprises in view or a group
    (``group``: a cohort such as "2005–2009" or a label such as "CIC")."""
    at = result.at.get(horizon) if result is not None else None
    if result is None or at is None or at.estimate is None:
        n = 0 if result is None else result.n
        codes = () if result is None else result.warnings
        if any(c == f"beyond_follow_up_{horizon}" for c in codes):
            return i18n.t("reading.survival_beyond", lang, h=horizon)
        return i18n.t("reading.survival_too_few", lang, h=horizon, n=i18n.number(n, lang))
    params = dict(h=horizon, share=estimate(at, lang), n=i18n.number(result.n, lang))
    if group:
        return i18n.t("reading.survival_group", lang, group=group, **params)
    return i18n.t("reading.survival", lang, **params)


def warning(code: str, result, lang: str) -> str:
    """A survival warning code as a sentence (``late_entry``, ``left_truncation_unknown`` …)."""
    base, _, horizon = code.rpartition("_") if code.rsplit("_", 1)[-1].isdigit() else (code, "", "")
    params = dict(n=i18n.number(getattr(result, "late_entries", 0), lang),
                  excluded=i18n.number(getattr(result, "excluded_before_start", 0), lang),
                  year=getattr(result, "start_year", None) or "–", censor=getattr(result, "censor_year", "–"),
                  h=horizon)
    key = f"survival.warning.{base}"
    return i18n.t(key, lang, **params) if i18n.has(key) else code


def flows(frame, base: int, year: int, lang: str) -> str:
    """Jobs created and lost between ``base`` and ``year`` (flows of the years after ``base``)."""
    part = frame[(frame["year"] > base) & (frame["year"] <= year)]
    created, lost = int(part["created"].fillna(0).sum()), int(part["lost"].fillna(0).sum())
    return i18n.t("reading.flows", lang, base=base, year=year, created=i18n.number(created, lang),
                  lost=i18n.number(lost, lang), net=i18n.signed(created - lost, lang))
