"""Stories: a presenter's slides, each a view of the app with a few words in English and Japanese.

A story is a YAML file (``data/stories/*.yaml``) checked against the models below:

.. code-block:: yaml

    id: sunderland-many-small          # letters, digits and "-": the ?story= of a deep link
    dataset: sample                    # the built-in illustrative sample (or a published dataset's name)
    title: {en: "…", ja: "…"}
    summary: {en: "…", ja: "…"}
    slides:
      - title: {en: "…", ja: "…"}
        text: {en: "…", ja: "…"}        # what the audience reads
        notes: {en: "…", ja: "…"}       # for the presenter only, never on the audience's screen
        view:
          page: map                      # overview, map, impact, compare, scenario, explorer, about
          query: {country: [GB], view: hendon, year: 2010}   # the app's own URL parameters

A slide's view is exactly a deep link of the app (``view.query`` holds its URL parameters), so a slide
shows what a visitor following that link would see, and any view can become a slide. Codes are
checked (sectors, legal forms, countries, regions, map views, pages); a broken file gives one message
per problem, naming the file, the slide and the field, never a traceback.

Nothing here imports Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from regen import geo, vocab
from regen.places import REGIONS

STORIES_DIR = Path(__file__).resolve().parent.parent / "data" / "stories"
LANGS = ("en", "ja")
# The app's pages a slide can show (their paths are the app's own: regen_app.setup.PAGES).
PAGES = ("overview", "map", "impact", "compare", "scenario", "explorer", "about")
COUNTRIES = ("GB", "JP")

# The app's URL parameters a slide may set, by kind (the same names as regen_app.urlstate.PARAMS;
# "lang" is the presenter's choice and "data" the story's own dataset, so neither is set per slide).
QUERY: dict[str, str] = {
    "country": "list", "region": "list", "area": "list", "sector": "list", "legal_form": "list",
    "years": "range", "year": "int", "mode": "str", "colour": "str", "view": "str", "enterprise": "str",
    "q": "str", "survival_by": "str", "compare": "list", "rate": "float", "place": "str", "n": "int",
    "horizon": "int", "support": "str", "profile_sector": "list", "profile_form": "list",
}
_CODES: dict[str, tuple[str, ...]] = {
    "country": COUNTRIES, "region": tuple(REGIONS), "sector": vocab.SECTORS + (vocab.OTHER, vocab.UNKNOWN),
    "legal_form": vocab.ALL_LEGAL_FORMS, "profile_sector": vocab.SECTORS, "profile_form": vocab.ALL_LEGAL_FORMS,
    "view": ("auto", *geo.VIEWS), "mode": ("points", "hexes"), "colour": ("sector", "legal_form"),
    "survival_by": ("none", "cohort", "legal_form", "sector", "area", "country"),
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
StoryId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


class StoryError(ValueError):
    """A story file that cannot be used: ``problems`` lists each one as "where: what"."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path, self.problems = str(path), problems
        super().__init__(f"{path}: " + "; ".join(problems))


class Words(BaseModel):
    """The same words in English and Japanese (both required: a story is told in either language)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    en: Text
    ja: Text

    def __call__(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


class View(BaseModel):
    """What a slide shows: a page of the app with its URL parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    page: str
    query: dict[str, Any] = Field(default_factory=dict)

    @field_validator("page")
    @classmethod
    def _known_page(cls, page: str) -> str:
        if page not in PAGES:
            raise ValueError(f"{page!r} is not a page of the app ({', '.join(PAGES)})")
        return page

    @field_validator("query")
    @classmethod
    def _known_parameters(cls, query: dict[str, Any]) -> dict[str, Any]:
        problems = []
        for name, value in query.items():
            kind = QUERY.get(name)
            if kind is None:
                problems.append(f"{name!r} is not a parameter a slide can set ({', '.join(QUERY)})")
                continue
            problem = _check(name, kind, value)
            if problem:
                problems.append(f"{name}: {problem}")
        if problems:
            raise ValueError("; ".join(problems))
        return {name: _normal(QUERY[name], value) for name, value in query.items()}

    def params(self) -> dict[str, str]:
        """The view's URL parameters as the app reads them (lists joined by commas)."""
        return {name: _encode(value) for name, value in self.query.items()}


class Slide(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: Words
    text: Words
    notes: Words | None = None
    view: View


class Story(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: StoryId
    dataset: str = "sample"
    title: Words
    summary: Words
    slides: Annotated[list[Slide], Field(min_length=1, max_length=60)]

    def link(self, slide: int, lang: str) -> dict[str, str]:
        """The Present page's URL parameters opening slide ``slide`` (1-based) in ``lang``."""
        return {"story": self.id, "slide": str(slide), "lang": lang}


def _check(name: str, kind: str, value: Any) -> str | None:
    """What is wrong with ``value`` for parameter ``name`` of ``kind``, or None."""
    if kind == "list":
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(v, str | int) and str(v).strip() for v in items):
            return "expected a list of codes"
        codes = _CODES.get(name)
        wrong = [str(v) for v in items if codes is not None and str(v) not in codes]
        return f"unknown code(s) {', '.join(wrong)}" if wrong else None
    if kind == "range":
        ok = (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)
              and 1900 <= value[0] <= value[1] <= 2100)
        return None if ok else "expected two years, first ≤ last, e.g. [2001, 2025]"
    if kind == "int":
        return None if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 2100 else "expected a whole number"
    if kind == "float":
        return None if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else "expected a positive number"
    if not isinstance(value, str) or not value.strip():
        return "expected text"
    codes = _CODES.get(name)
    return f"unknown code {value!r} ({', '.join(codes)})" if codes is not None and value not in codes else None


def _normal(kind: str, value: Any) -> Any:
    if kind == "list":
        return tuple(str(v) for v in (value if isinstance(value, list) else [value]))
    if kind == "range":
        return tuple(value)
    return value


def _encode(value: Any) -> str:
    return ",".join(str(v) for v in value) if isinstance(value, tuple) else str(value)


def _where(loc: tuple) -> str:
    """A pydantic error location as "slide 3 · view.query" (slides counted from 1, as a presenter does)."""
    loc, head = list(loc), []
    if len(loc) >= 2 and loc[0] == "slides" and isinstance(loc[1], int):
        head, loc = [f"slide {loc[1] + 1}"], loc[2:]
    rest = ".".join(str(part) for part in loc)
    return " · ".join(head + ([rest] if rest else [])) or "story"


def parse(data: Any, source: str = "story") -> Story:
    """A story from already-read data (e.g. an upload); :class:`StoryError` if it is not one."""
    if not isinstance(data, dict):
        raise StoryError(source, ["expected a story (keys id, title, summary, slides), found "
                                  f"{type(data).__name__}"])
    try:
        return Story.model_validate(data)
    except ValidationError as err:
        problems = []
        for e in err.errors(include_url=False):
            message = re.sub(r"^Value error, ", "", e["msg"])
            if e["type"] == "string_pattern_mismatch" and tuple(e["loc"]) == ("id",):
                message = "use lower-case letters, digits and '-' (e.g. sunderland-many-small)"
            problems.append(f"{_where(e['loc'])}: {message}")
        raise StoryError(source, problems) from None


def read(source: Path | str | bytes, name: str | None = None) -> Story:
    """A story from a YAML file (a path, or its bytes with ``name`` for messages)."""
    import yaml

    label = name or str(source if not isinstance(source, bytes) else "story")
    try:
        text = source.decode("utf-8") if isinstance(source, bytes) else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise StoryError(label, [f"cannot be read ({err})"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise StoryError(label, [f"{where}not valid YAML ({getattr(err, 'problem', None) or err})"]) from None
    return parse(data, label)


def dump(story: Story) -> str:
    """The story as YAML text, to save, commit or upload again (read(dump(s)) == s)."""
    import yaml

    data = story.model_dump(exclude_none=True)
    for slide in data["slides"]:
        slide["view"]["query"] = {k: list(v) if isinstance(v, tuple) else v for k, v in slide["view"]["query"].items()}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


@dataclass(frozen=True)
class Found:
    """The stories of a folder: those that could be read, and a :class:`StoryError` for each that could not."""

    stories: tuple[Story, ...]
    errors: tuple[StoryError, ...]

    def get(self, story_id: str) -> Story | None:
        return next((s for s in self.stories if s.id == story_id), None)


def find(folder: Path = STORIES_DIR, extra: Iterable[Path] = ()) -> Found:
    """Every ``*.yaml`` story in ``folder`` (and ``extra`` files), by file name; a broken file is
    reported, never fatal; two stories with one id keep the first."""
    stories, errors, seen = [], [], set()
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    for path in [*paths, *extra]:
        try:
            story = read(path)
        except StoryError as err:
            errors.append(err)
            continue
        if story.id in seen:
            errors.append(StoryError(path, [f"id {story.id!r} is already used by another story"]))
            continue
        seen.add(story.id)
        stories.append(story)
    return Found(tuple(stories), tuple(errors))
