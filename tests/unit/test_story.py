"""Stories (regen.story): the shipped stories are valid in both languages; a broken story file gives one
clear message per problem (file, slide, field), never a traceback; the CLI lists and checks them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from regen import story
from regen.cli import cli

GOOD = """
id: test-story
title: {en: A title, ja: 題名}
summary: {en: A summary, ja: 概要}
slides:
  - title: {en: One, ja: 一}
    text: {en: Words, ja: 言葉}
    view: {page: map, query: {view: hendon, year: 2010, sector: [care, food], years: [2005, 2020]}}
  - title: {en: Two, ja: 二}
    text: {en: More, ja: さらに}
    notes: {en: For the presenter, ja: 発表者用}
    view: {page: compare, query: {compare: [E08000024, "15205"], rate: 180}}
"""


def test_the_shipped_stories_are_valid_and_told_in_both_languages():
    found = story.find()
    assert not found.errors, [str(e) for e in found.errors]
    ids = {s.id for s in found.stories}
    assert {"sunderland-many-small", "kashiwazaki-jobs"} <= ids
    for item in found.stories:
        assert item.dataset == "sample"  # built on the illustrative sample
        for slide in item.slides:
            for words in (slide.title, slide.text, *([slide.notes] if slide.notes else [])):
                assert words("en") and words("ja") and words("en") != words("ja")
                assert any(ord(c) > 0x3000 for c in words("ja"))  # Japanese, not English copied over
    japanese = found.get("kashiwazaki-jobs")
    assert any("15205" in slide.view.params().get("area", "") + slide.view.params().get("place", "")
               for slide in japanese.slides)  # a story about a Japanese municipality


def test_a_slide_is_a_deep_link_of_the_app():
    item = story.read(GOOD.encode(), "good.yaml")
    assert item.slides[0].view.page == "map"
    assert item.slides[0].view.params() == {"view": "hendon", "year": "2010", "sector": "care,food",
                                            "years": "2005,2020"}
    assert item.slides[1].view.params() == {"compare": "E08000024,15205", "rate": "180"}
    assert item.link(2, "ja") == {"story": "test-story", "slide": "2", "lang": "ja"}
    assert item.slides[0].notes is None and item.slides[1].notes("ja") == "発表者用"


def test_what_is_written_reads_back_the_same():
    item = story.read(GOOD.encode(), "good.yaml")
    assert story.read(story.dump(item).encode(), "again.yaml") == item
    for shipped in story.find().stories:
        assert story.read(story.dump(shipped).encode(), "again.yaml") == shipped


@pytest.mark.parametrize("text,expected", [
    ("slides: []\n", ["id: Field required", "title: Field required", "slides: List should have at least 1 item"]),
    (GOOD.replace("id: test-story", "id: Test Story"), ["id: use lower-case letters, digits and '-'"]),
    (GOOD.replace("{en: Words, ja: 言葉}", "{en: Words}"), ["slide 1 · text.ja: Field required"]),
    (GOOD.replace("page: compare", "page: slides"), ["slide 2 · view.page: 'slides' is not a page of the app"]),
    (GOOD.replace("sector: [care, food]", "sector: [care, fod]"), ["slide 1 · view.query: sector: unknown code(s) fod"]),
    (GOOD.replace("view: hendon", "view: hendn"), ["slide 1 · view.query: view: unknown code 'hendn'"]),
    (GOOD.replace("year: 2010", "year: soon"), ["year: expected a whole number"]),
    (GOOD.replace("years: [2005, 2020]", "years: [2020, 2005]"), ["years: expected two years, first ≤ last"]),
    (GOOD.replace("rate: 180", "script: 1"), ["'script' is not a parameter a slide can set"]),
    (GOOD.replace("text: {en: More", "colour: red\n    text: {en: More"), ["slide 2 · colour: Extra inputs are not permitted"]),
    ("id: [unclosed\n", ["line 2, column 1: not valid YAML"]),
    ("- just\n- a list\n", ["expected a story (keys id, title, summary, slides), found list"]),
    (b"\xff\xfe not utf-8", ["cannot be read"]),
])
def test_a_broken_story_says_what_and_where(text, expected):
    raw = text if isinstance(text, bytes) else text.encode()
    with pytest.raises(story.StoryError) as caught:
        story.read(raw, "broken.yaml")
    err = caught.value
    assert err.path == "broken.yaml"
    for part in expected:
        assert any(part in problem for problem in err.problems), err.problems


def test_a_folder_with_a_broken_file_keeps_the_good_ones(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("id: broken\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text(GOOD, encoding="utf-8")  # the same id again
    found = story.find(tmp_path)
    assert [s.id for s in found.stories] == ["test-story"]
    assert [e.path.rsplit("/", 1)[1] for e in found.errors] == ["b.yaml", "c.yaml"]
    assert "already used" in str(found.errors[1])


def test_the_query_parameters_are_the_apps_own():
    """A slide's view is a deep link: its parameters and pages are those the app reads."""
    from regen_app import urlstate
    from regen_app.setup import PAGES as MENU

    assert set(story.QUERY) == set(urlstate.PARAMS) - {"lang", "data"}
    for name, kind in story.QUERY.items():
        assert urlstate.PARAMS[name].kind == kind, name
    assert set(story.PAGES) <= {key for _path, _url, key, _icon in MENU}


def test_cli_lists_and_checks_stories(tmp_path):
    runner = CliRunner()
    listed = runner.invoke(cli, ["story", "list", "--lang", "ja"])
    assert listed.exit_code == 0, listed.output
    assert "sunderland-many-small\t7 slides\t一つの大企業から" in listed.output
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(GOOD.replace("view: hendon", "view: hendn"), encoding="utf-8")
    checked = runner.invoke(cli, ["story", "check", str(tmp_path / "good.yaml"), str(tmp_path / "bad.yaml")])
    assert checked.exit_code == 1
    assert "good.yaml: ok (test-story, 2 slides)" in checked.output
    assert "bad.yaml: slide 1 · view.query: view: unknown code 'hendn'" in checked.output
    broken_folder = runner.invoke(cli, ["story", "list", "--folder", str(tmp_path)])
    assert broken_folder.exit_code == 1 and "test-story" in broken_folder.output
