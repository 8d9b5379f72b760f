"""Upload: analysts bring their own data. Sign in, choose files, check what was read, publish; versions
and rollback below. The work is done by ``regen.ingest`` and ``regen.store`` (via ``regen_app.upload``);
this page draws it. Text from files is shown literally (tables, or Markdown through ``literal``)."""

import logging
from collections import OrderedDict
from pathlib import PurePath

import pandas as pd
import streamlit as st

from regen import i18n, imports, mapview, places, store
from regen.ingest import values as vmap
from regen_app import cache, maps, signin, upload
from regen_app import state as keys
from regen_app.cache import STORE_ERRORS
from regen_app.setup import literal, setup_page

log = logging.getLogger(__name__)
FILE_TYPES = ["csv", "tsv", "txt", "gz", "xlsx", "geojson", "json", "gpkg", "zip"]
MAX_SHOWN = 5_000  # problem rows drawn on the page (the CSV download has them all)
VALUE_ROWS_SHOWN = 30  # a Values table is as tall as its rows up to this many (then it scrolls)
VALUE_WIDTHS = (190, 60, 270, 230)  # px of value, rows, code, note: they fit a narrow page and stretch on a wide one
ROUND = "_upload_round"  # bumped after a save: a fresh (empty) file chooser

ctx = setup_page("upload")
t, lang = ctx.t, ctx.lang

st.title(t("upload.title"))
st.markdown(t("upload.intro"))

try:
    engine = cache.engine()
except STORE_ERRORS as err:
    log.warning("store unavailable: %s", err)
    st.error(t("upload.store_unavailable"), icon=":material/database_off:")
    st.stop()

user = signin.sign_in(engine, t)
if not user:
    st.stop()
signin.signed_in_bar(user, t)


# ---- helpers ------------------------------------------------------------------------------------

def show_error(message_key: str, detail: object = None, **params) -> None:
    """A clear message in the visitor's language, the library's own words (English) as a detail."""
    st.error(t(message_key, **params), icon=":material/error:")
    if detail:
        st.caption(t("upload.detail", detail=literal(detail)))


def encoding_label(encoding: str | None) -> str:
    names = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "utf-16": "UTF-16", "cp932": "Shift-JIS (CP932)",
             "shift_jis": "Shift-JIS", "cp1252": "Windows-1252", "latin-1": "Latin-1", "iso-8859-1": "Latin-1"}
    return names.get((encoding or "").lower(), (encoding or "?").upper())


def detected_summary(result) -> str:
    parts = [(result.file_type or "?").upper() + (f" ({result.compressed})" if result.compressed else "")]
    if result.file_type == "csv":
        parts.append(t("upload.detected.encoding", encoding=encoding_label(result.encoding)))
        delimiter = result.delimiter_name or ""
        parts.append(t("upload.detected.delimiter",
                       delimiter=t(f"upload.delimiter.{delimiter}") if i18n.has(f"upload.delimiter.{delimiter}")
                       else literal(delimiter)))
    if result.sheet:
        parts.append(t("upload.detected.sheet", sheet=literal(result.sheet)))
    if result.header_row:
        parts.append(t("upload.detected.header_row", row=result.header_row))
    kind = t(f"upload.role.{result.kind}") if result.kind else t("upload.role.unknown")
    parts.append(t("upload.detected.kind", kind=kind))
    return " · ".join(parts)


def boundary_text(code: str | None, fallback: str) -> str:
    """A boundary file's problem, note or error in the visitor's language (``boundary.<code>`` when the
    catalogue has it), else ``fallback``."""
    return t(f"boundary.{code}") if code and i18n.has(f"boundary.{code}") else fallback


def personal_reason(reason: str) -> str:
    """'personal data: email addresses (by column name)' in the visitor's language."""
    what, _, how = reason.removeprefix("personal data: ").partition(" (by ")
    what_key = "upload.personal." + what.strip().replace(" ", "_")
    how_key = "upload.personal.by_" + how.rstrip(")").strip().replace(" ", "_")
    if i18n.has(what_key) and i18n.has(how_key):
        return t("upload.personal.reason", what=t(what_key), how=t(how_key))
    return reason


def translated_frame(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    return frame.rename(columns={c: t(f"{prefix}.{c}") for c in frame.columns})


def flash(kind: str, **params) -> None:
    st.session_state[keys.FLASH] = {"kind": kind, **params}


def show_flash() -> None:
    message = st.session_state.pop(keys.FLASH, None)
    if not message:
        return
    kind = message.pop("kind")
    name = message.get("name", "")
    st.success(t(f"upload.done.{kind}", **{k: literal(v) if isinstance(v, str) else v for k, v in message.items()}),
               icon=":material/check_circle:")
    if kind in ("published", "rolled_back", "republished"):
        st.page_link("pages/1_map.py", label=t("upload.open_map", name=name), icon=":material/map:",
                     query_params={**ctx.query, keys.DATA: name})


# ---- files ----------------------------------------------------------------------------------------

def file_box(det: upload.Detection, memo, bases, mappings):
    """Draw what was detected and the mapping editor.

    Returns (upload, role, mapping argument for the final reading, container, result to use as is or None)."""
    u = det.upload
    box = st.container(border=True, key=f"file_{u.key}")
    with box:
        st.subheader(f":material/description: {literal(u.name)}")
        if det.error:
            show_error(f"error.{det.result.error_code or 'unreadable'}", det.result.error)
            st.caption(t("upload.nothing_written"))
            return u, None, None, box, det.result
        st.caption(detected_summary(det.result))
        role = st.selectbox(t("upload.role"), upload.ROLES, index=upload.ROLES.index(det.role) if det.role else None,
                            key=f"role_{u.key}", format_func=lambda r: t(f"upload.role.{r}"),
                            placeholder=t("upload.role_choose"), width=360)
        if role is None:
            st.warning(t("upload.role_unknown"), icon=":material/help:")
            return u, None, None, box, det.result
        if role == "postcodes":
            return u, role, None, box, None
        remembered = bases.get((u.key, role))
        if (u.key, role) not in bases:
            first = upload.read(u, kind=role, memo=memo)
            remembered = upload.recall(engine, first, role, mappings)
            bases[(u.key, role)] = remembered
        base = upload.read(u, kind=role, mapping=remembered, memo=memo)
        if base.error:
            return u, role, remembered, box, base
        with st.expander(t("upload.mapping"), expanded=True):
            st.caption(t("upload.mapping_help"))
            if remembered:
                st.caption(t("upload.mapping_remembered"), help=None)
            options = upload.field_options(role)
            frame = upload.mapping_frame(base)
            edited = st.data_editor(
                frame, key=f"mapping_{u.key}_{role}", hide_index=True, num_rows="fixed", width="stretch",
                height=35 * (len(frame) + 1) + 3, disabled=["column", "examples"],  # no inner scrolling
                column_config={
                    "column": st.column_config.TextColumn(t("upload.col.column"), width="medium"),
                    "field": st.column_config.SelectboxColumn(
                        t("upload.col.field"), options=options, required=False, width="large",
                        format_func=field_label),
                    "examples": st.column_config.TextColumn(t("upload.col.examples"), width="large"),
                },
            )
        effective = upload.mapping_from_frame(edited)
        if upload.same_mapping(effective, {c: f for c, f in base.mapping.items() if c in effective}):
            if remembered is None and base.signature:
                mappings.pop((base.signature, role), None)  # edited, then put back as proposed: nothing kept
            return u, role, remembered, box, None
        if base.signature:
            mappings[(base.signature, role)] = effective  # the next file of this shape starts from it
        return u, role, effective, box, None


def field_label(fld: str) -> str:
    """A mapping choice as the editor shows it: "ignored" for a column not read, else "code · name"."""
    if fld == upload.IGNORE:
        return t("upload.col.ignored")
    return f"{fld} · {t('field.' + fld)}" if i18n.has("field." + fld) else fld


def boundary_box(det: upload.Detection):
    """Draw what was read from a boundary file: type, coordinate system, features, areas, the code and name
    fields, problems and notes (or the error). Returns (upload, role, mapping, container, result) like
    :func:`file_box`."""
    u, result = det.upload, det.boundaries
    box = st.container(border=True, key=f"file_{u.key}")
    with box:
        st.subheader(f":material/polyline: {literal(u.name)}")
        if result.error:
            st.error(boundary_text(result.error_code, t("upload.boundary.unreadable")), icon=":material/error:")
            st.caption(t("upload.detail", detail=literal(result.error)))
            st.caption(t("upload.nothing_written"))
            return u, "boundaries", None, box, result
        parts = [t(f"upload.boundary.type.{result.file_type}") if i18n.has(f"upload.boundary.type.{result.file_type}")
                 else literal(result.file_type or "?")]
        if result.layer:
            parts.append(t("upload.boundary.layer", layer=literal(result.layer)))
        parts.append(t("upload.boundary.crs", crs=literal(result.crs) if result.crs else t("upload.boundary.crs_none")))
        parts.append(t("upload.detected.kind", kind=t("upload.role.boundaries")))
        st.caption(" · ".join(parts))
        c1, c2, _ = st.columns(3)
        c1.metric(t("upload.boundary.features"), i18n.number(result.features_read, lang))
        c2.metric(t("upload.boundary.areas"), i18n.number(result.areas, lang))
        st.markdown(t("upload.boundary.fields", code=literal(result.code_field or "–"),
                      name=literal(result.name_field or "–")))
        shown = result.frame.head(5)
        st.caption(t("upload.boundary.examples", areas=", ".join(
            literal(c if n == c else f"{c} {n}") for c, n in zip(shown["code"], shown["name"], strict=True))
            + (" …" if result.areas > 5 else "")))
        issues = [("problem", p) for p in result.problems] + [("note", n) for n in result.notes]
        if result.problems:
            st.markdown(f"**{t('upload.boundary.problems', n=i18n.number(len(result.problems), lang))}**")
        else:
            st.markdown(t("upload.boundary.no_problems"))
        if issues:
            table = pd.DataFrame({
                "type": [t(f"upload.boundary.issue.{kind}") for kind, _ in issues],
                "text": [boundary_text(i.code, i.message) for _, i in issues],
                "count": pd.array([i.count or None for _, i in issues], dtype="Int64"),
                "examples": [", ".join(map(str, i.examples)) for _, i in issues],
            })
            st.dataframe(translated_frame(table, "upload.boundary_col"), hide_index=True, key=f"issues_{u.key}",
                         placeholder="–")
    return u, "boundaries", None, box, result


def code_option(fld: str, code: str) -> str:
    """A code as the Values table's selectbox shows it: the code and its name in the visitor's language."""
    label = vmap.code_label(fld, code, lang)
    return code if label == code else f"{code} · {label}"


def value_note(fld: str, value: str, code: str, proposed: str) -> str:
    """The Values table's note for a row: changed from the proposal, kept as other, a blank cell."""
    parts = []
    if code != proposed:
        parts.append(t("upload.values.changed", proposed=code_option(fld, proposed) if proposed else "–"))
    if code == vmap.OTHER:
        parts.append(t("upload.values.kept_other"))
    if value == "":
        parts.append(t("upload.values.blank"))
    return " · ".join(parts)


def values_step(u: upload.Upload, role: str, first, reread, start: dict, value_maps: dict):
    """The Values step of a file (drawn in its box): per categorical field read, each distinct value with
    its rows and code, editable. ``first`` is the reading with the value choices the step started from
    (``start``); ``reread(choices)`` reads the file with other choices. Returns the reading to use.

    A table's rows are those of ``first`` whatever codes are chosen, so the analyst's edits (kept by
    Streamlit under the table's key, shown on top of the table's data) stay with their values. An edited
    row keeps ``first``'s code as its data (data equal to the edit would make the edit redundant, and
    the browser drops redundant edits); other rows show the code the reading used (another spelling of
    an edited value takes its code). Notes say where that code differs from the proposal."""
    frames = upload.value_frames(first)
    if first.error or not frames:
        return first
    editors = {fld: f"{keys.VALUES_EDITOR}_{u.key}_{role}_{fld}_{upload.rows_digest(frame)}"
               for fld, frame in frames.items()}
    codes = {fld: upload.edited_codes(frame, fld, st.session_state.get(editors[fld])) for fld, frame in frames.items()}
    chosen = upload.value_choices(frames, codes)
    result = first if vmap.same_values(chosen, upload.value_choices(frames)) else reread(chosen)
    if result.error:
        return result
    if first.signature:
        remembered = vmap.values_to_remember(start, getattr(result, "values", None) or {})
        if not vmap.same_values(remembered, start) or (first.signature, role) in value_maps:
            value_maps[(first.signature, role)] = remembered  # the next file of this shape starts from it
    used = upload.value_frames(result)
    with st.expander(t("upload.values.title"), expanded=True, icon=":material/label:",
                     key=f"{keys.VALUES_OPEN}_{u.key}_{role}", on_change="rerun"):
        st.caption(t("upload.values.help"))
        if start:
            st.caption(t("upload.values.remembered"))
        for fld, frame in frames.items():
            read_as = dict(zip(used[fld]["value"], used[fld]["code"], strict=True)) if fld in used else {}
            row_codes = [read_as.get(v, c) for v, c in zip(frame["value"], codes[fld], strict=True)]
            edited = upload.edited_rows(st.session_state.get(editors[fld]))
            table = pd.DataFrame({
                "value": frame["value"], "rows": frame["count"],
                "code": [c if i in edited else used_code
                         for i, (c, used_code) in enumerate(zip(frame["code"], row_codes, strict=True))],
                "note": [value_note(fld, v, c, p) for v, c, p in zip(frame["value"], row_codes, frame["proposed"],
                                                                       strict=True)],
            })
            st.markdown(f"**{t('col.' + fld)}**")
            st.data_editor(
                table, key=editors[fld], hide_index=True, num_rows="fixed", width="stretch",
                height=35 * (min(len(table), VALUE_ROWS_SHOWN) + 1) + 3, disabled=["value", "rows", "note"],
                column_config={
                    "value": st.column_config.TextColumn(t("upload.values.col.value"), width=VALUE_WIDTHS[0]),
                    "rows": st.column_config.NumberColumn(t("upload.values.col.rows"), format="%d",
                                                          width=VALUE_WIDTHS[1]),
                    "code": st.column_config.SelectboxColumn(
                        t("upload.values.col.code"), options=list(vmap.allowed_codes(fld)), required=True,
                        width=VALUE_WIDTHS[2], format_func=lambda c, f=fld: code_option(f, c)),
                    "note": st.column_config.TextColumn(t("upload.values.col.note"), width=VALUE_WIDTHS[3]),
                },
            )
            others = [(v, n) for v, n, c in zip(frame["value"], frame["count"], row_codes, strict=True)
                      if c == vmap.OTHER]
            if others:
                st.caption(t("upload.values.other_note", n=i18n.number(len(others), lang),
                             rows=i18n.number(sum(n for _v, n in others), lang)))
    return result


def report(result, u: upload.Upload) -> None:
    """Rows read / accepted / rejected, excluded columns, problems, notes and the report download."""
    if result.error:
        show_error(f"error.{result.error_code or 'unreadable'}", result.error)
        st.caption(t("upload.nothing_written"))
        return
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("upload.rows_read"), i18n.number(result.rows_read, lang))
    c2.metric(t("upload.rows_accepted"), i18n.number(result.rows_accepted, lang))
    c3.metric(t("upload.rows_rejected"), i18n.number(result.rows_rejected, lang))
    c4.metric(t("upload.values_left_out"), i18n.number(sum(1 for p in result.problems if p.kept), lang))
    if result.kind == "enterprises" and result.figures is not None and len(result.figures):
        st.caption(t("upload.figures_in_list", n=i18n.number(len(result.figures), lang)))
    if result.excluded_columns:
        names = ", ".join(f"**{literal(e['column'])}**" for e in result.excluded_columns)
        st.warning(t("upload.excluded", columns=names), icon=":material/visibility_off:")
        excluded = pd.DataFrame([{"column": e["column"], "reason": personal_reason(e["reason"])}
                                 for e in result.excluded_columns])
        st.dataframe(translated_frame(excluded, "upload.excluded_col"), hide_index=True, key=f"excluded_{u.key}")
    problems = result.report_frame(lang)
    problems = problems.assign(kept=problems["kept"].map(lambda k: t("report.kept") if k else t("report.left_out")))
    if len(problems):
        # First what was done, grouped by reason with a few example rows; then every row, on request.
        st.markdown(f"**{t('upload.summary')}**")
        summary = translated_frame(result.summary_frame(lang), "upload.summary_col")
        st.dataframe(summary, hide_index=True, key=f"summary_{u.key}", placeholder="–",
                     height=min(38 + 35 * len(summary), 420))
        with st.expander(t("upload.problem_details", n=i18n.number(len(problems), lang))):
            shown = problems.head(MAX_SHOWN).assign(value=lambda f: f["value"].map(lambda v: "" if v is None else str(v)))
            shown = translated_frame(shown, "upload.problem_col")
            st.dataframe(shown, hide_index=True, key=f"problems_{u.key}", placeholder="–",
                         column_config={t("upload.problem_col.row"): st.column_config.NumberColumn(format="%d")})
            if len(problems) > MAX_SHOWN:
                st.caption(t("upload.problems_truncated", n=i18n.number(MAX_SHOWN, lang)))
    else:
        st.markdown(t("upload.no_problems"))
    notes = result.notes_frame(lang)
    if len(notes):
        st.markdown(f"**{t('upload.notes')}**")
        st.dataframe(translated_frame(notes, "upload.note_col"), hide_index=True, key=f"notes_{u.key}",
                     placeholder="–")
    stem = PurePath(u.name).name.split(".")[0] or "upload"
    st.download_button(t("upload.download_report"), upload.report_csv(translated_frame(problems, "upload.problem_col")),
                       file_name=f"{stem}-report.csv", mime="text/csv", icon=":material/download:", on_click="ignore",
                       key=f"report_{u.key}")


def stored_postcode_table():
    """The postcode table stored with an earlier upload or import (a lookup), or None."""
    try:
        return imports.stored_postcodes(engine)
    except STORE_ERRORS as err:
        log.warning("cannot read the stored postcode table: %s", err)
        return None


def read_files(files) -> tuple[upload.Batch, upload.BoundarySet | None]:
    memo = st.session_state.setdefault(keys.UPLOAD_MEMO, OrderedDict())
    bases = st.session_state.setdefault(keys.UPLOAD_BASES, {})
    mappings = st.session_state.setdefault(keys.MAPPINGS, {})
    value_bases = st.session_state.setdefault(keys.UPLOAD_VALUE_BASES, {})
    value_maps = st.session_state.setdefault(keys.VALUE_MAPS, {})
    uploads = list({u.key: u for u in (upload.Upload(f.name, f.getvalue()) for f in files)}.values())  # once each
    upload.forget_others(memo, uploads)
    with st.spinner(t("upload.reading")):
        detections = [upload.detect(u, memo) for u in uploads]
    jobs = [boundary_box(det) if det.role == "boundaries" else file_box(det, memo, bases, mappings)
            for det in detections]
    boundaries = upload.combine_boundaries([(u, result) for u, role, _m, _b, result in jobs if role == "boundaries"],
                                           memo)

    postcode_tables = []
    for u, role, _mapping, box, _failed in jobs:
        if role != "postcodes":
            continue
        table, error = upload.read_postcode_table(u, memo)
        with box:
            if table is None:
                show_error("error.bad_postcodes", error)
            else:
                st.success(t("upload.postcodes_ok", n=i18n.number(len(table), lang)), icon=":material/pin_drop:")
                postcode_tables.append(table)
    postcodes = pd.concat(postcode_tables, ignore_index=True) if postcode_tables else None
    uploaded_postcodes = postcodes
    if postcodes is None:  # the table stored with an earlier upload (or import) places these rows
        stored = stored_postcode_table()
        if stored is not None:
            postcodes = stored
            st.caption(t("upload.postcodes_stored", n=i18n.number(stored.info["rows"], lang),
                         source=literal(stored.info["source"]), at=f"{stored.info['at']:%Y-%m-%d}"),
                       help=t("upload.postcodes_stored_help"))
    country = st.session_state.get(keys.UPLOAD_COUNTRY)
    country = None if country in (None, "auto") else country
    region = st.session_state.get(keys.UPLOAD_REGION)
    region = None if region in (None, "auto") else region
    year = st.session_state.get(keys.UPLOAD_YEAR)
    year = int(year) if year is not None else None

    results: dict[str, object] = {}
    areas = None
    # areas first (their names are recognised in a list), then the enterprises, then their yearly figures
    # (read knowing the enterprises' IDs and countries: the ID column that joins, their currencies)
    rank = {"areas": 0, "enterprises": 1, "figures": 2}
    order = sorted(range(len(jobs)), key=lambda i: rank.get(jobs[i][1], 3))
    known = None
    with st.spinner(t("upload.checking")):
        for i in order:
            u, role, mapping, box, failed = jobs[i]
            if role not in upload.KINDS:
                results[u.key] = failed
                continue
            if failed is not None:
                result = failed
                with box:
                    report(result, u)
            else:
                listed = role == "enterprises"
                options = {"kind": role, "mapping": mapping, "postcodes": postcodes if listed else None,
                           "areas": areas if listed else None, "boundaries": boundaries if listed else None,
                           "country": country, "region": region if listed else None,
                           "year": year if listed else None, "memo": memo,
                           "enterprises": known if role == "figures" else None}
                if (u.key, role) not in value_bases:  # where this file's Values step starts: kept while it is chosen
                    detected = next((d.result for d in detections if d.upload.key == u.key), None)
                    value_bases[(u.key, role)] = (upload.recall_values(engine, detected, role, value_maps)
                                                  if detected is not None else {})
                start = value_bases[(u.key, role)]
                result = upload.read(u, values=start, **options)
                with box:
                    reread = lambda chosen, o=options, f=u: upload.read(f, values=chosen, **o)  # noqa: E731
                    result = values_step(u, role, result, reread, start, value_maps)
                    report(result, u)
            if role == "areas" and not result.error and result.rows_accepted:
                areas = result.accepted
            if role == "enterprises" and not result.error:
                known = imports.figure_context([result])
            results[u.key] = result
    reads = [(u, role, failed if role == "boundaries" else results.get(u.key)) for u, role, _m, _b, failed in jobs]
    batch = upload.collect(reads, boundaries)
    if uploaded_postcodes is not None:  # stored once with the version, for later uploads too
        batch.postcodes = uploaded_postcodes
        batch.postcode_source = ", ".join(u.name for u, role, *_ in jobs if role == "postcodes")
    return batch, boundaries


def preview_map(frames: dict, boundaries: upload.BoundarySet | None) -> None:
    """The enterprises that would be published and the uploaded outlines; the view fits both."""
    maps.enhance(lang)
    points = upload.preview_points(frames)
    drawn = boundaries.geojson if boundaries is not None else None
    # no closer than a town, so that the coast and outlines show
    plan = mapview.plan(points, lang=lang, outlines=drawn, max_zoom=11,
                        outline_bounds=boundaries.result.bounds if drawn is not None else None)
    fig = maps.lighten(mapview.figure(plan, lang=lang, height=460))
    st.plotly_chart(fig, key="preview_map", config=maps.config(lang))
    st.caption(t("upload.preview_map", n=i18n.number(len(points), lang)))
    for country, n in sorted(plan.elsewhere.items()):
        st.caption(t("map.elsewhere", n=i18n.number(n, lang), country=i18n.label("country", country, lang)))
    if plan.hexes:  # as on the Map page: keeps the page light, the server free
        st.caption(t("map.hex_note", res=plan.resolution))
    if drawn is not None:
        st.caption(t("upload.preview_outlines", n=i18n.number(boundaries.areas, lang)))


def preview_and_publish(batch: upload.Batch, boundaries: upload.BoundarySet | None) -> None:
    st.header(t("upload.preview"))
    for code, what in batch.blockers:
        st.error(t(f"upload.block.{code}", name=literal(what),
                   kind=t(f"upload.role.{what}") if what in upload.ROLES else literal(what)), icon=":material/block:")
    frames = batch.frames
    c = st.columns(5)
    c[0].metric(t("upload.count.enterprises"), i18n.number(len(frames.get("enterprises", [])), lang))
    c[1].metric(t("upload.count.figures"), i18n.number(len(frames.get("figures", [])), lang))
    c[2].metric(t("upload.count.areas"), i18n.number(len(frames.get("areas", [])), lang))
    c[3].metric(t("upload.count.outlines"), i18n.number(0 if batch.boundaries is None else len(batch.boundaries),
                                                          lang))
    c[4].metric(t("upload.count.left_out"), i18n.number(batch.problem_rows, lang))
    if batch.derived_figures:
        st.caption(t("upload.figures_derived"))
    if batch.unknown_figures:
        st.warning(t("upload.unknown_figures", n=i18n.number(batch.unknown_figures, lang)), icon=":material/link_off:")
    missing = [k for k in upload.KINDS if k not in frames]
    if (frames or batch.boundaries is not None) and missing:
        st.caption(t("upload.carried_over", kinds=", ".join(t(f"upload.role.{k}") for k in missing)))
    if "enterprises" in frames:
        left, right = st.columns([3, 1])
        with left:
            preview_map(frames, boundaries)
        with right:
            st.markdown(f"**{t('upload.precision')}**")
            counts = upload.precision_counts(frames["enterprises"])
            counts["precision"] = [t("upload.precision_none") if p == "none" else i18n.label("precision", p, lang)
                                   for p in counts["precision"]]
            st.dataframe(translated_frame(counts, "upload.precision_col"), hide_index=True, key="precision_counts")
    elif boundaries is not None and boundaries.geojson is not None:
        preview_map(frames, boundaries)

    st.subheader(t("upload.publish_title"))
    name = st.text_input(t("upload.dataset_name"), value="main", key="publish_name", max_chars=64,
                         help=t("upload.dataset_name_help"), width=360)
    b1, b2, _ = st.columns([1, 1, 3])
    do_publish = b1.button(t("upload.publish"), type="primary", disabled=not batch.ok, key="publish_button",
                           icon=":material/publish:", width="stretch")
    do_draft = b2.button(t("upload.save_draft"), disabled=not batch.ok, key="draft_button",
                         icon=":material/draft:", width="stretch")
    if not (do_publish or do_draft):
        return
    name = (name or "").strip()
    try:
        problem = upload.check_target(engine, batch, name)
    except STORE_ERRORS as err:
        show_error("upload.save_failed", err)
        return
    if problem:
        show_error(f"upload.{problem}", name=literal(name))
        return
    try:
        with st.spinner(t("upload.saving")):
            number = upload.save(engine, batch, name, actor=user, publish=do_publish,
                                 memo=st.session_state.get(keys.UPLOAD_MEMO))
    except STORE_ERRORS as err:
        log.warning("saving an upload failed: %s", err)
        show_error("upload.save_failed", err)
        return
    flash("published" if do_publish else "draft", name=name, version=number)
    st.session_state[keys.MANAGE_DATASET] = name
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1  # an empty file chooser for the next upload
    st.rerun()


# ---- versions -------------------------------------------------------------------------------------

def versions_section() -> None:
    st.header(t("upload.versions"))
    try:
        datasets = store.list_datasets(engine)
    except STORE_ERRORS as err:
        show_error("upload.store_unavailable", err)
        return
    names = [n for n, ill in zip(datasets["name"], datasets["illustrative"]) if not ill and n != keys.SAMPLE]
    if not names:
        st.caption(t("upload.no_datasets"))
        return
    if st.session_state.get(keys.MANAGE_DATASET) not in names:
        st.session_state[keys.MANAGE_DATASET] = names[0]
    name = st.selectbox(t("upload.manage_dataset"), names, key=keys.MANAGE_DATASET, width=360)
    try:
        versions = store.list_versions(engine, name)
        history = store.audit(engine, dataset=name, limit=20)
    except STORE_ERRORS as err:
        show_error("upload.store_unavailable", err)
        return
    table = pd.DataFrame({
        "version": versions["version"],
        "status": [t(f"upload.status.{s}") for s in versions["status"]],
        "created_at": versions["created_at"].dt.strftime("%Y-%m-%d %H:%M UTC"),
        "created_by": versions["created_by"],
        "rows_enterprises": versions["rows_enterprises"],
        "rows_figures": versions["rows_figures"],
        "rows_areas": versions["rows_areas"],
        "file_name": versions["file_name"],
        "checksum": versions["checksum"].fillna("").map(lambda c: ", ".join(x[:12] for x in c.split(",") if x)),
        "note": versions["note"],
    }).iloc[::-1]
    st.dataframe(translated_frame(table, "upload.version_col"), hide_index=True, key="versions_table",
                 placeholder="–")
    current = versions.loc[versions["status"] == "published", "version"]
    current = int(current.iloc[0]) if len(current) else None
    others = [int(v) for v in versions["version"] if int(v) != current][::-1]
    c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="bottom")
    if st.session_state.get(keys.VERSION_TO_PUBLISH) not in others:  # e.g. after a publish changed the list
        st.session_state[keys.VERSION_TO_PUBLISH] = others[0] if others else None
    chosen = c1.selectbox(t("upload.version_to_publish"), others, key=keys.VERSION_TO_PUBLISH,
                          placeholder=t("upload.no_other_versions"))
    if c2.button(t("upload.publish_version", n=chosen if chosen is not None else "–"), key="publish_version_button",
                 disabled=chosen is None, icon=":material/publish:", width="stretch"):
        try:
            with st.spinner(t("upload.saving")):
                store.publish(engine, name, int(chosen), user)
        except STORE_ERRORS as err:
            show_error("upload.publish_failed", err)
        else:
            flash("republished", name=name, version=int(chosen))
            st.rerun()
    if c3.button(t("upload.rollback"), key="rollback_button", disabled=current is None, icon=":material/undo:",
                 help=t("upload.rollback_help")):
        try:
            with st.spinner(t("upload.saving")):
                number = store.rollback(engine, name, user)
        except STORE_ERRORS as err:
            show_error("upload.rollback_failed", err)
        else:
            flash("rolled_back", name=name, version=number)
            st.rerun()
    st.markdown(f"**{t('upload.audit')}**")
    log_table = pd.DataFrame({
        "at": history["at"].dt.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "actor": history["actor"],
        "action": [t(f"upload.action.{a}") if i18n.has(f"upload.action.{a}") else a for a in history["action"]],
        "version": history["version"],
        "file_name": history["file_name"],
        "detail": history["detail"],
    })
    st.dataframe(translated_frame(log_table, "upload.audit_col"), hide_index=True, key="audit_table", placeholder="–")


# ---- page ------------------------------------------------------------------------------------------

show_flash()
st.header(t("upload.files"))
st.markdown(t("upload.files_help"))
files = st.file_uploader(t("upload.choose"), type=FILE_TYPES, accept_multiple_files=True,
                         key=f"upload_files_{st.session_state.get(ROUND, 0)}", help=t("upload.choose_help"))
o1, o2, o3, _ = st.columns([1, 1, 1, 1])
chosen_country = o1.selectbox(t("upload.country"), ["auto", "GB", "JP"], key=keys.UPLOAD_COUNTRY,
                              format_func=lambda c: t("upload.country_auto") if c == "auto"
                              else i18n.label("country", c, lang))
regions = ["auto", *(r for r, info in places.REGIONS.items() if chosen_country in ("auto", info["country"]))]
if st.session_state.get(keys.UPLOAD_REGION) not in regions:  # e.g. a Japanese prefecture, then Britain chosen
    st.session_state[keys.UPLOAD_REGION] = "auto"
o2.selectbox(t("upload.region"), regions, key=keys.UPLOAD_REGION,
             format_func=lambda r: t("upload.country_auto") if r == "auto" else places.region_name(r, lang))
o3.number_input(t("upload.figures_year"), min_value=1800, max_value=2100, value=None, step=1,
                key=keys.UPLOAD_YEAR, placeholder=t("upload.figures_year_placeholder"),
                help=t("upload.figures_year_help"))
if files:
    try:
        preview_and_publish(*read_files(files))
    except Exception:  # noqa: BLE001 - a message, never a traceback (st.rerun/st.stop are not Exceptions)
        log.exception("reading uploads failed")
        st.error(t("upload.unexpected"), icon=":material/error:")
else:
    st.session_state.pop(keys.UPLOAD_MEMO, None)  # nothing chosen: nothing to remember
    st.caption(t("upload.no_files"))

versions_section()
