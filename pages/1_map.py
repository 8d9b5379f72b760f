"""Map: enterprises as points (or H3 hexagons) in a chosen year, with play, quick jumps and cards; an
analyst dataset's own area outlines (from its boundary file) drawn over the built-in ones."""

import streamlit as st

from regen import charts, geo, i18n, metrics
from regen_app import cache, outlines, urlstate
from regen_app import state as keys
from regen_app.cards import enterprise_card
from regen_app.setup import place_labels, setup_page

POINT_LIMIT = charts.POINT_LIMIT
MAP_WIDTH, MAP_HEIGHT = 640, 580  # the map as drawn on a laptop screen, for fitting views
PLAY_SECONDS = 1.2

ctx = setup_page("map")
t, lang = ctx.t, ctx.lang
base, end = ctx.years
mask = ctx.panel.mask(ctx.filters)

st.title(t("map.title"))

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


def _toggle_play() -> None:
    playing = not st.session_state.get(keys.MAP_PLAYING, False)
    st.session_state[keys.MAP_PLAYING] = playing
    st.session_state[keys.MAP_PLAY_CHANGED] = True
    if playing and st.session_state.get(keys.MAP_YEAR, end) >= end:
        st.session_state[keys.MAP_YEAR] = base  # start again from the first year


playing = st.session_state.get(keys.MAP_PLAYING, False)


@st.fragment(run_every=PLAY_SECONDS if playing else None)
def map_section() -> None:
    if st.session_state.pop(keys.MAP_PLAY_CHANGED, False):
        # Play or Pause was pressed inside this fragment, which reruns on its own: the whole page runs
        # again so that the fragment is made anew with (or without) its timer.
        st.rerun()
    if st.session_state.get(keys.MAP_PLAYING, False):
        current = st.session_state.get(keys.MAP_YEAR, base)
        if current >= end:
            st.session_state[keys.MAP_PLAYING] = False
            st.rerun()
        st.session_state[keys.MAP_YEAR] = min(end, max(base, current) + 1)
    if keys.MAP_YEAR in st.session_state and not base <= st.session_state[keys.MAP_YEAR] <= end:
        st.session_state[keys.MAP_YEAR] = end
    ycol, bcol = st.columns([6, 1], vertical_alignment="bottom")
    with bcol:
        st.button(t("map.pause") if st.session_state.get(keys.MAP_PLAYING) else t("map.play"), on_click=_toggle_play,
                  icon=":material/pause:" if st.session_state.get(keys.MAP_PLAYING) else ":material/play_arrow:",
                  key="play_button", width="stretch", disabled=base == end)
    with ycol:
        if base < end:
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
    boundaries = [cache.boundaries("countries")]
    if view_key == "japan" or geo.VIEWS.get(view_key, {}).get("country") == "JP" or (
            view_key == "auto" and len(points) and (points["country"] == "JP").all()):
        boundaries.append(cache.boundaries("jp_prefectures"))
    own = outlines.of(ctx)
    drawn = own.geojson if own is not None else None
    if view_key == "auto":
        # fit to the map as drawn (about 640 x 620 px on a laptop), not to a wider default
        view = (geo.fit_view(points["lat"], points["lon"], width=MAP_WIDTH, height=MAP_HEIGHT) if len(points)
                else geo.VIEWS["sunderland"])
    else:
        view = geo.VIEWS[view_key]

    show_hexes = mode == "hexes" or len(points) > POINT_LIMIT
    total_jobs = int(points["employees"].sum()) if len(points) and with_figures else 0
    if with_figures:
        st.markdown(t("map.summary", year=year, n=i18n.number(len(points), lang), jobs=i18n.number(total_jobs, lang)))
    else:
        st.markdown(t("map.summary_no_figures", year=year, n=i18n.number(len(points), lang)))
    unlocated = int(points["lat"].isna().sum()) if len(points) else 0
    if unlocated:  # counted in every figure; only the map cannot show them
        st.caption(t("map.no_location", n=i18n.number(unlocated, lang), total=i18n.number(len(points), lang)))
    map_col, card_col = st.columns([3, 1.25])
    with map_col:
        if show_hexes:
            if mode != "hexes":
                st.caption(t("map.too_many", limit=i18n.number(POINT_LIMIT, lang)))
            resolution = geo.resolution_for_zoom(view["zoom"])
            # only hexagons in (and around) the view: shading fits what is seen and the payload stays bounded
            near = geo.in_view(points["lat"], points["lon"], view, width=MAP_WIDTH, height=MAP_HEIGHT)
            hexes = geo.hex_aggregate(points[near], resolution)
            fig = charts.hex_map(hexes, geo.hex_geojson(hexes["hex"]), lang=lang, view=view, boundaries=boundaries,
                                 outlines=drawn)
            st.plotly_chart(fig, key="hex_map", config={"displaylogo": False, "scrollZoom": True})
            st.caption(t("map.hex_note", res=resolution))
        else:
            points["place"] = place_labels(ctx, points)
            fig = charts.points_map(points, colour_by=colour_by, lang=lang, view=view, boundaries=boundaries,
                                    outlines=drawn)
            event = st.plotly_chart(fig, key="points_map", on_select="rerun", selection_mode="points",
                                    config={"displaylogo": False, "scrollZoom": True})
            chosen = [p.get("customdata", [None])[0] for p in (event.selection.points if event else [])]
            chosen = [c for c in chosen if c]
            if chosen:
                st.session_state[keys.MAP_SELECTED] = chosen[0]
            st.caption(t("map.click_hint"))
        if own is not None:
            st.caption(t("map.outlines", n=i18n.number(own.areas, lang)))
    with card_col:
        selected = st.session_state.get(keys.MAP_SELECTED)
        if selected and metrics.enterprise(ctx.panel, selected) is not None:
            enterprise_card(ctx, selected)
        else:
            st.info(t("map.card_empty"), icon=":material/touch_app:")


map_section()
st.caption(t("map.attribution"))
