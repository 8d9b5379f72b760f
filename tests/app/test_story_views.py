"""Every slide of the shipped stories is a view the app opens without an error, in its language: a
story cannot point at a page, place or code the app no longer knows."""

from __future__ import annotations

import pytest

from regen import story

from .conftest import open_page

SLIDES = [(item.id, number, slide) for item in story.find().stories
          for number, slide in enumerate(item.slides, start=1)]


@pytest.mark.parametrize("story_id,number,slide", SLIDES, ids=[f"{s}-{n}" for s, n, _ in SLIDES])
def test_every_slide_opens_as_a_view_of_the_app(story_id, number, slide):
    lang = "ja" if number % 2 == 0 else "en"  # both languages across the slides
    at = open_page(slide.view.page, {**slide.view.params(), "lang": lang})
    assert not at.exception, (story_id, number, at.exception)
    assert not at.error, (story_id, number, [e.value for e in at.error])
    # the map's "none of the enterprises is in this view" warning: the slide would show an empty map
    assert all(w.icon != ":material/travel_explore:" for w in at.warning), (story_id, number, at.warning)
