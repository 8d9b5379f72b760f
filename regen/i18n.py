"""Interface text and locale-aware formatting for English and Japanese.

Catalogues are flat JSON files in ``regen/locales/`` (``en.json``, ``ja.json``) mapping dotted keys to
text with ``{name}`` placeholders. Every key must exist in both; ``tests/unit/test_i18n.py`` enforces it.
Numbers, percentages and money are formatted with babel for the chosen locale.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from babel.numbers import format_currency, format_decimal, format_percent

LANGUAGES: tuple[str, ...] = ("en", "ja")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}
_LOCALES = {"en": "en_GB", "ja": "ja_JP"}
_DIR = Path(__file__).parent / "locales"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """The catalogue for ``lang`` (a dict of key → text)."""
    with open(_DIR / f"{normalise(lang)}.json", encoding="utf-8") as fh:
        return json.load(fh)


def normalise(lang: object) -> str:
    """A supported language code for any input (unknown → English)."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str, **params: object) -> str:
    """Translate ``key`` into ``lang``, filling ``{placeholders}`` from ``params``.

    A missing key falls back to English, then to the key itself, so the interface never crashes on
    a missing translation (the catalogue test catches it before release).
    """
    text = catalogue(normalise(lang)).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key, key)
    return text.format(**params) if params else text


def from_locale(browser_locale: object) -> str:
    """The supported language for a browser's language tag (``navigator.language``): ``"ja-JP"``,
    ``"ja"`` → Japanese; anything else, or nothing, → English."""
    if not isinstance(browser_locale, str):
        return DEFAULT_LANGUAGE
    primary = browser_locale.strip().replace("_", "-").split("-", 1)[0].casefold()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def choose_language(browser_locale: object, query: object = None, session: object = None) -> str:
    """The interface language: a link's ``?lang=`` first, then the language already chosen in this
    session (in the sidebar, or on its first run), then the browser's language."""
    for chosen in (query, session):
        if chosen in LANGUAGES:
            return chosen
    return from_locale(browser_locale)


def in_language(text_en: object, text_ja: object, lang: str) -> str:
    """Of a text given in English and Japanese, the one in ``lang``; the other when that one is empty
    (an enterprise's description, its name)."""
    first, other = (text_ja, text_en) if normalise(lang) == "ja" else (text_en, text_ja)
    for text in (first, other):
        if isinstance(text, str) and text.strip():
            return text
    return ""


@lru_cache(maxsize=None)
def plotly_locale(lang: str) -> dict | None:
    """plotly.js's own locale (``{"dictionary": …, "format": …}``) for ``lang``: the modebar's tooltips
    and date names. None for English, which plotly.js has built in. Made by
    ``tools/build_plotly_locale.py`` from the npm package plotly.js-locales (MIT)."""
    if normalise(lang) == DEFAULT_LANGUAGE:
        return None
    with open(_DIR / f"plotly_{normalise(lang)}.json", encoding="utf-8") as fh:
        return json.load(fh)


def has(key: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    return key in catalogue(normalise(lang))


def locale(lang: str) -> str:
    return _LOCALES[normalise(lang)]


def number(value: float | int | None, lang: str, digits: int = 0) -> str:
    """``12,345`` / ``12,345`` with locale grouping; an en dash for missing values."""
    if value is None or value != value:  # None or NaN
        return "–"
    pattern = "#,##0" if digits == 0 else "#,##0." + "0" * digits
    return format_decimal(value, format=pattern, locale=locale(lang))


def signed(value: float | int | None, lang: str) -> str:
    """A number with an explicit sign, for changes (``+1,200``)."""
    if value is None or value != value:
        return "–"
    text = number(abs(value), lang)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def percent(value: float | None, lang: str, digits: int = 0) -> str:
    if value is None or value != value:
        return "–"
    pattern = "#,##0%" if digits == 0 else "#,##0." + "0" * digits + "%"
    return format_percent(value, format=pattern, locale=locale(lang))


def money(value: float | None, currency: str, lang: str) -> str:
    if value is None or value != value:
        return "–"
    return format_currency(round(value), currency, locale=locale(lang))


def label(kind: str, code: object, lang: str) -> str:
    """Display name of a vocabulary code, e.g. ``label("sector", "care", "ja")``; unknown codes shown as-is."""
    key = f"{kind}.{code}"
    return t(key, lang) if has(key) else str(code)


def label_as_written(kind: str, code: object, written: object, lang: str) -> str:
    """:func:`label`, followed by the file's own words where the code is "other" ("Other legal form:
    Friendly Society"). The words are data: show the result literally, never as markup."""
    text = label(kind, code, lang)
    if code == "other" and isinstance(written, str) and written.strip().casefold() not in _SAYS_OTHER:
        return f"{text}: {written.strip()}"
    return text


_SAYS_OTHER = frozenset({"", "other", "others", "misc", "miscellaneous", "その他", "他"})
