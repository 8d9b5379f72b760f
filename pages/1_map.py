"""Map: enterprises as points (or H3 hexagons) in a chosen year, with play, quick jumps and cards; an
analyst dataset's own area outlines (from its boundary file) drawn over the built-in ones."""

import streamlit as st

import pandas as pd

from regen import charts, geo, i18n, mapview, metrics
from regen_app import maps, outlines, urlstate
from regen_app import state as keys
from regen_app.cards import enterprise_card
from regen_app.setup import place_labels, setup_page

POINT_LIMIT = charts.POINT_LIMIT
MAP_HEIGHT = 600
PLAY_SECONDS = 1.2
SPOT = 4  # decimals of a degree (about 10 m): enterprises this close share a dot

ctx = setup_page("map")
t, lang = ctx.t, ctx.lang
base, end = ctx.years
mask = ctx.panel.mask(ctx.filters)

st.title(t("map.title"))
maps.enhance(lang)
MAP_CONFIG = maps.config(lang)

MODES, COLOURS, VIEW_KEYS = ("points", "hexes"), ("sector", "legal_form"), ("auto", *geo.VIEWS)
for key, allowed in ((keys.MAP_MODE, MODES), (keys.MAP_COLOUR, COLOURS), (keys.MAP_VIEW, VIEW_KEYS)):
    urlstate.clean(key, allowed, multi=False)

c1, c2, c3 = st.columns([1.2, 1.2, 1.6])
with c1:
    mode = st.radio(t("map.mode"), MODES, format_func=lambda m: t(f"map.mode.{m}"),
                    horizontal=True, key=keys.MAP_MODE)
with c2:
    colour_by = st.radio(t("map.colour_by"), COLOURS, format_func=lambda c: t(f"filters.{c}"),
                         horizontal=True, key=keys.MAP_COLOUR, disabled=(mode == "hexes"))
with c3:
    view_key = st.selectbox(t("map.jump"), VIEW_KEYS, key=keys.MAP_VIEW,
                            format_func=lambda k: t("map.jump.auto") if k == "auto" else geo.VIEWS[k][f"label_{lang}"])


def _set_playing(playing: bool) -> None:
    """Play or Pause as the button said when it was drawn: pressing it twice (a click delivered again
    while the fragment reruns) leaves the same state, where a toggle would start playing again.

    While playing, the year lives in ``MAP_PLAY_YEAR``, which only the server writes; the slider's own
    key is not drawn, so a late message from the browser carrying the slider's old value cannot move
    the year back or on. Pause hands the year back to the slider."""
    st.session_state[keys.MAP_RERUN_PAGE] = True
    if playing:
        current = st.session_state.get(keys.MAP_YEAR, end)
        # From the last year, play starts again: the first step shows the first year.
        st.session_state[keys.MAP_PLAY_YEAR] = base - 1 if current >= end else current
    elif keys.MAP_PLAY_YEAR in st.session_state:
        st.session_state[keys.MAP_YEAR] = st.session_state.pop(keys.MAP_PLAY_YEAR)
    st.session_state[keys.MAP_PLAYING] = playing


playing = st.session_state.get(keys.MAP_PLAYING, False)


def _go_to(view: str) -> None:
    st.session_state[keys.MAP_VIEW] = view
    st.session_state[keys.MAP_RERUN_PAGE] = True  # the view selector lives outside the fragment


def view_notes(plan: mapview.MapPlan) -> None:
    """Say when the view and the filters disagree, and offer the fix."""
    if plan.empty_view and view_key != "auto":
        place = geo.VIEWS[view_key][f"label_{lang}"]
        st.warning(t("map.view_empty", n=i18n.number(plan.total - plan.unlocated, lang), place=place),
                   icon=":material/travel_explore:")
        st.button(t("map.view_fix"), on_click=_go_to, args=("auto",), icon=":material/fit_screen:", key="view_fix")
    for country, n in sorted(plan.elsewhere.items()):
        if country not in mapview.FALLBACK_VIEW:
            continue
        name = i18n.label("country", country, lang)
        note, go = st.columns([4, 1.4], vertical_alignment="center")
        note.caption(t("map.elsewhere", n=i18n.number(n, lang), country=name))
        go.button(t("map.show_country", country=name), on_click=_go_to, args=(mapview.COUNTRY_VIEW[country],),
                  key=f"show_{country}", width="stretch")


def same_spot(points: pd.DataFrame, enterprise_id: str) -> pd.DataFrame:
    """The enterprises drawn on the same spot as ``enterprise_id`` (itself included)."""
    if not len(points) or "lat" not in points:
        return points
    me = points[points["enterprise_id"].astype(str) == enterprise_id]
    if me.empty:
        return me
    lat, lon = round(float(me["lat"].iloc[0]), SPOT), round(float(me["lon"].iloc[0]), SPOT)
    return points[(points["lat"].round(SPOT) == lat) & (points["lon"].round(SPOT) == lon)]


def card_names(frame: pd.DataFrame) -> list[str]:
    """Names to choose between, in the interface language where there is one."""
    names = frame["name"].astype(str)
    if lang == "ja" and "name_ja" in frame:
        names = frame["name_ja"].where(frame["name_ja"].notna() & (frame["name_ja"].astype(str) != ""), names)
    return [str(n) for n in names]


@st.fragment(run_every=PLAY_SECONDS if playing else None)
def map_section() -> None:
    if st.session_state.pop(keys.MAP_RERUN_PAGE, False):
        # Play, Pause or a new view was chosen inside this fragment, which reruns on its own: the whole
        # page runs again so that the fragment is made anew with (or without) its timer, and the view
        # selector above it shows the new view.
        st.rerun()
    now_playing = bool(st.session_state.get(keys.MAP_PLAYING)) and keys.MAP_PLAY_YEAR in st.session_state
    if now_playing:
        played = min(end, max(base - 1, st.session_state[keys.MAP_PLAY_YEAR]) + 1)
        st.session_state[keys.MAP_PLAY_YEAR] = played
        if played >= end:  # the last year: playing stops there, and the whole page shows it without a timer
            _set_playing(False)
            st.session_state.pop(keys.MAP_RERUN_PAGE, None)
            st.rerun()
    if keys.MAP_YEAR in st.session_state and not base <= st.session_state[keys.MAP_YEAR] <= end:
        st.session_state[keys.MAP_YEAR] = end
    ycol, bcol = st.columns([6, 1], vertical_alignment="bottom")
    with bcol:
        st.button(t("map.pause") if now_playing else t("map.play"), on_click=_set_playing, args=(not now_playing,),
                  icon=":material/pause:" if now_playing else ":material/play_arrow:",
                  key="play_button", width="stretch", disabled=base == end)
    with ycol:
        if base < end and now_playing:
            # No key: a new slider each year, which the browser cannot send back (see _set_playing).
            year = st.slider(t("map.year"), min_value=base, max_value=end, value=played, disabled=True)
        elif base < end:
            year = st.slider(t("map.year"), min_value=base, max_value=end,
                             value=None if keys.MAP_YEAR in st.session_state else end, key=keys.MAP_YEAR)
        else:
            year = end
            st.markdown(t("map.year_fixed", year=year))

    urlstate.publish({keys.MAP_MODE: None if mode == MODES[0] else mode,
                      keys.MAP_COLOUR: None if colour_by == COLOURS[0] else colour_by,
                      keys.MAP_VIEW: None if view_key == "auto" else view_key,
                      keys.MAP_YEAR: None if year == end else year,
                      keys.MAP_SELECTED: st.session_state.get(keys.MAP_SELECTED)})
    with_figures = len(ctx.panel.figures) > 0
    # Without yearly figures the map still shows who was trading, by founding and closing years.
    points = (metrics.snapshot if with_figures else metrics.active_snapshot)(ctx.panel, mask, year)
    own = outlines.of(ctx)
    plan = mapview.plan(points, lang=lang, view_key=view_key, mode=mode, everyone=ctx.panel.enterprises[mask],
                        outlines=own.geojson if own is not None else None,
                        outline_bounds=own.bounds if own is not None else None)
    total_jobs = int(points["employees"].sum()) if len(points) and with_figures else 0
    if with_figures:
        st.markdown(t("map.summary", year=year, n=i18n.number(len(points), lang), jobs=i18n.number(total_jobs, lang)))
    else:
        st.markdown(t("map.summary_no_figures", year=year, n=i18n.number(len(points), lang)))
    if plan.unlocated:  # counted in every figure; only the map cannot show them
        st.caption(t("map.no_location", n=i18n.number(plan.unlocated, lang), total=i18n.number(len(points), lang)))
    view_notes(plan)
    map_col, card_col = st.columns([3, 1.25])
    with map_col:
        if plan.hexes and mode != "hexes":
            st.caption(t("map.too_many", limit=i18n.number(POINT_LIMIT, lang)))
        if not plan.hexes:
            plan.points["place"] = place_labels(ctx, plan.points)
        fig = maps.lighten(mapview.figure(plan, lang=lang, colour_by=colour_by, height=MAP_HEIGHT))
        if plan.hexes:
            st.plotly_chart(fig, key="hex_map", config=MAP_CONFIG)
            st.caption(t("map.hex_note", res=plan.resolution))
        else:
            event = st.plotly_chart(fig, key="points_map", on_select="rerun", selection_mode="points",
                                    config=MAP_CONFIG)
            chosen = [p.get("customdata", [None])[0] for p in (event.selection.points if event else [])]
            chosen = [c for c in chosen if c]
            if chosen:
                st.session_state[keys.MAP_SELECTED] = chosen[0]
            st.caption(t("map.click_hint"))
        if plan.outlines is not None and own is not None:
            st.caption(t("map.outlines", n=i18n.number(own.areas, lang)))
    with card_col:
        selected = st.session_state.get(keys.MAP_SELECTED)
        if selected and metrics.enterprise(ctx.panel, selected) is not None:
            here = same_spot(plan.points, selected)
            if len(here) > 1:  # dots on one spot: any of them can be chosen, not only the one on top
                names = dict(zip(here["enterprise_id"].astype(str), card_names(here)))
                selected = st.selectbox(t("map.here", n=i18n.number(len(here), lang)), list(names),
                                        index=list(names).index(selected) if selected in names else 0,
                                        format_func=names.get, key=f"here_{selected}")
            enterprise_card(ctx, selected)
        elif not plan.hexes:
            st.info(t("map.card_empty"), icon=":material/touch_app:")


map_section()
st.caption(t("map.attribution"))
