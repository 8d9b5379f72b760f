"""Mapping a file's own values of categorical fields to codes ("Friendly Society" → other).

Analysts' exports spell legal forms, sectors, regions and countries their own way. Reading a file
(:func:`regen.ingest.read_table`) proposes a code for each distinct value with the vocabulary mappers
of :mod:`regen.ingest.mapping` and reports, per categorical field, a frame of ``value`` (as written,
stripped; "" for a blank cell), ``count``, ``code`` (the code used), ``proposed`` (the mappers'
code; ``other``/``unknown`` when none) and ``mapped`` (the code came from the analyst's choices).
The analyst may change any code; the choices, ``{field: {value as written: code}}``, are passed back
as ``read_table(..., values=...)`` and remembered with the column mapping for files of the same shape.

This module holds the pure helpers around those choices::

    FIELDS                                  # the categorical fields
    allowed_codes(field) -> tuple[str, ...] # the codes a value of ``field`` may be mapped to
    code_label(field, code, lang) -> str    # a code's display name
    parse_map_value("FIELD:VALUE=CODE") -> (field, value, code)     # the CLI's --map-value
    check_values(values) -> (kept, rejected)                        # unknown fields/codes reported
    merge_values(remembered, corrections) -> dict                   # corrections win
    changed_values(frames) -> dict          # the rows whose code differs from the proposal
    values_to_remember(before, frames) -> dict                      # what to store after a reading
    same_values(a, b) -> bool               # the same choices, values compared as the reader matches them
    kept_as_other(frames) -> list[(field, value, count)]
    to_json(values) -> str / from_json(text) -> dict

Values are matched case-, space- and punctuation-insensitively (:func:`regen.ingest.mapping.norm`), as
the reader matches them: "Friendly society" and "FRIENDLY  SOCIETY" are one value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import pandas as pd

from regen import vocab
from regen.ingest.mapping import norm

FIELDS: tuple[str, ...] = ("legal_form", "sector", "region", "country")
OTHER: str = getattr(vocab, "OTHER", "other")
UNKNOWN: str = getattr(vocab, "UNKNOWN", "unknown")
FRAME_COLUMNS: tuple[str, ...] = ("value", "count", "code", "proposed", "mapped")
MAX_VALUE_CHARS = 200
"""Longer "values" are free text, not a category: never remembered (see :func:`check_values`)."""

Values = dict[str, dict[str, str]]


def allowed_codes(field: str) -> tuple[str, ...]:
    """The codes a value of ``field`` may be mapped to: the vocabulary's codes with ``other`` and
    ``unknown`` (legal forms, sectors), the region slugs of :data:`regen.places.REGIONS` with
    ``unknown`` (regions), :data:`regen.vocab.COUNTRIES` (countries). Raises ValueError for another field."""
    if field == "legal_form":
        return tuple(dict.fromkeys((*vocab.ALL_LEGAL_FORMS, OTHER, UNKNOWN)))
    if field == "sector":
        return tuple(dict.fromkeys((*vocab.SECTORS, OTHER, UNKNOWN)))
    if field == "region":
        from regen.places import REGIONS

        return (*REGIONS, UNKNOWN)
    if field == "country":
        return tuple(vocab.COUNTRIES)
    raise ValueError(f"{field!r} is not a field whose values can be mapped; expected one of {', '.join(FIELDS)}")


def code_label(field: str, code: object, lang: str = "en") -> str:
    """The display name of ``code`` in ``lang`` (i18n ``legal_form.<code>``, ``sector.<code>``,
    ``country.<code>``; region names from :func:`regen.places.region_name`); the code itself when it has none."""
    from regen import i18n

    text = "" if code is None else str(code)
    if field == "region" and text != UNKNOWN:
        from regen.places import region_name

        return region_name(text, lang)
    if field == "region":
        return i18n.t("upload.values.region_unknown", lang) if i18n.has("upload.values.region_unknown") else text
    return i18n.label(field, text, lang)


def _field_name(text: str) -> str | None:
    """A field of :data:`FIELDS` for ``text`` written loosely ("Legal form", "legal-form"), or None."""
    name = norm(text).replace(" ", "_")
    return name if name in FIELDS else None


def _code(field: str, text: str) -> str | None:
    """The allowed code ``text`` names (case and separators as the analyst wrote them), or None."""
    codes = allowed_codes(field)
    if text in codes:
        return text
    by_norm = {norm(c): c for c in codes}
    return by_norm.get(norm(text))


def parse_map_value(text: str) -> tuple[str, str, str]:
    """``"FIELD:VALUE=CODE"`` → ``(field, value, code)``, e.g. ``"legal_form:Friendly Society=cbs"``.

    FIELD ends at the first ``:`` and CODE starts after the last ``=``, so VALUE may contain both; an
    empty VALUE is a blank cell. FIELD and CODE are matched loosely ("Legal form", "CBS"). Raises
    ValueError with a plain message naming the allowed fields or codes."""
    text = "" if text is None else str(text)
    head, colon, rest = text.partition(":")
    value, equals, code_text = rest.rpartition("=")
    if not colon or not equals:
        raise ValueError(f"{text!r}: expected FIELD:VALUE=CODE, e.g. legal_form:Friendly Society=other "
                         f"(FIELD one of {', '.join(FIELDS)})")
    field = _field_name(head)
    if field is None:
        raise ValueError(f"{text!r}: {head.strip()!r} is not a field whose values can be mapped; "
                         f"expected one of {', '.join(FIELDS)}")
    code = _code(field, code_text.strip())
    if code is None:
        shown = code_text.strip()
        raise ValueError(f"{text!r}: {shown!r} is not a {field} code; expected one of "
                         f"{', '.join(allowed_codes(field))}" if shown else
                         f"{text!r}: no code after '='; expected one of {', '.join(allowed_codes(field))}")
    value = value.strip()
    if len(value) > MAX_VALUE_CHARS:
        raise ValueError(f"{text!r}: the value is longer than {MAX_VALUE_CHARS} characters")
    return field, value, code


def check_values(values: Mapping[str, Mapping[str, object]] | None) -> tuple[Values, list[tuple[str, str, str]]]:
    """``values`` with only known fields, text values of at most :data:`MAX_VALUE_CHARS` characters and
    allowed codes (written loosely: "CBS" → "cbs"), and the ``(field, value, code)`` entries left out.
    Values are stripped; of values equal after :func:`~regen.ingest.mapping.norm`, the last one wins."""
    kept: Values = {}
    rejected: list[tuple[str, str, str]] = []
    if not isinstance(values, Mapping):
        return kept, rejected
    for field, choices in values.items():
        name = _field_name(str(field)) if isinstance(field, str) else None
        if name is None or not isinstance(choices, Mapping):
            items = choices.items() if isinstance(choices, Mapping) else [("", choices)]
            rejected.extend((str(field), str(v), str(c)) for v, c in items)
            continue
        for value, code in choices.items():
            code_ok = _code(name, code.strip()) if isinstance(code, str) else None
            if not isinstance(value, str) or len(value.strip()) > MAX_VALUE_CHARS or code_ok is None:
                rejected.append((name, str(value), str(code)))
                continue
            _put(kept.setdefault(name, {}), value.strip(), code_ok)
    return _ordered(kept), rejected


def _put(choices: dict[str, str], value: str, code: str) -> None:
    """Set ``value``'s code, replacing an entry for the same value written otherwise."""
    key = norm(value)
    for other in [v for v in choices if norm(v) == key]:
        del choices[other]
    choices[value] = code


def _ordered(values: Mapping[str, Mapping[str, str]]) -> Values:
    return {f: dict(values[f]) for f in FIELDS if values.get(f)}


def merge_values(remembered: Mapping[str, Mapping[str, str]] | None,
                 corrections: Mapping[str, Mapping[str, str]] | None) -> Values:
    """``remembered`` choices with ``corrections`` on top (a correction replaces the choice for the same
    value, however it is written). Neither argument is changed; unknown fields and codes are left out."""
    merged: dict[str, dict[str, str]] = {}
    for source in (remembered, corrections):
        kept, _rejected = check_values(source)
        for field, choices in kept.items():
            for value, code in choices.items():
                _put(merged.setdefault(field, {}), value, code)
    return _ordered(merged)


def _rows(frame: object) -> Iterable[tuple[str, int, str, str]]:
    """(value, count, code, proposed) of a values frame; nothing for anything else."""
    if not isinstance(frame, pd.DataFrame) or frame.empty or not {"value", "code", "proposed"} <= set(frame.columns):
        return []
    counts = frame["count"] if "count" in frame.columns else pd.Series(0, index=frame.index)
    out = []
    for value, count, code, proposed in zip(frame["value"], counts, frame["code"], frame["proposed"], strict=True):
        out.append(("" if _missing(value) else str(value).strip(), 0 if _missing(count) else int(count),
                    "" if _missing(code) else str(code), "" if _missing(proposed) else str(proposed)))
    return out


def _missing(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def changed_values(frames: Mapping[str, pd.DataFrame] | None) -> Values:
    """The choices a reading used that differ from the proposals: ``{field: {value: code}}`` for the
    rows of ``frames`` (``IngestResult.values``) whose ``code`` is not their ``proposed`` code (of values
    written several ways, "Society" and "society", the most frequent spelling)."""
    out: dict[str, dict[str, str]] = {}
    for field, frame in (frames or {}).items():
        if field not in FIELDS:
            continue
        seen: set[str] = set()
        for value, _count, code, proposed in sorted(_rows(frame), key=lambda r: -r[1]):
            if code and code != proposed and norm(value) not in seen:  # one spelling: the most frequent
                seen.add(norm(value))
                out.setdefault(field, {})[value] = code
    return check_values(out)[0]


def values_to_remember(before: Mapping[str, Mapping[str, str]] | None,
                       frames: Mapping[str, pd.DataFrame] | None) -> Values:
    """What to remember after reading a file whose values were mapped as ``frames`` say, given the
    choices remembered ``before``: those choices, less the values the file has that now keep their
    proposed code, plus the file's changed values (:func:`changed_values`). Choices for values this file
    does not have are kept (the next file of the same shape may have them)."""
    merged = merge_values(before, None)
    for field, frame in (frames or {}).items():
        if field not in FIELDS:
            continue
        choices = merged.setdefault(field, {})
        for value, _count, code, proposed in _rows(frame):
            if code and code == proposed:
                for other in [v for v in choices if norm(v) == norm(value)]:
                    del choices[other]
    return merge_values(merged, changed_values(frames))


def same_values(a: Mapping[str, Mapping[str, str]] | None, b: Mapping[str, Mapping[str, str]] | None) -> bool:
    """Whether two sets of choices map the same values (compared as the reader matches them) to the same codes."""
    def key(values):
        return {(f, norm(v), c) for f, choices in check_values(values)[0].items() for v, c in choices.items()}
    return key(a) == key(b)


def kept_as_other(frames: Mapping[str, pd.DataFrame] | None) -> list[tuple[str, str, int]]:
    """``(field, value, count)`` of the values read as ``other`` (their text is kept beside the code),
    most frequent first within each field."""
    out = []
    for field in FIELDS:
        rows = [(value, count) for value, count, code, _p in _rows((frames or {}).get(field)) if code == OTHER]
        out.extend((field, value, count) for value, count in sorted(rows, key=lambda r: (-r[1], r[0])))
    return out


def to_json(values: Mapping[str, Mapping[str, str]] | None) -> str:
    """The choices as JSON text (unknown fields and codes left out; characters kept as written)."""
    return json.dumps(check_values(values)[0], ensure_ascii=False)


def from_json(text: str | bytes | Mapping | None) -> Values:
    """Choices from :func:`to_json` text (or an already decoded object); anything unreadable, or no
    longer a known field or code, is left out (a store written by another release is never an error)."""
    if isinstance(text, (str, bytes)):
        try:
            text = json.loads(text)
        except ValueError:
            return {}
    return check_values(text if isinstance(text, Mapping) else None)[0]
