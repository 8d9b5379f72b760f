"""Time from navigation to the first chart drawn, per page, against a bare Streamlit page (headless Chromium).

Two servers run side by side, each ``streamlit run`` on a free loopback port from the repository's
folder (so both read its ``.streamlit/config.toml``: websocket compression on, viewer toolbar):

* **bare**: ``benchmarks/bare_map_page.py``, a title and one ``px.scatter_map`` of 50 points on
  ``white-bg`` with an explicit centre and zoom (nothing of Regen Atlas); **bare geo**, the same page
  over the app's own geography at the Map page's first English view (``?geography=1``): the cost of
  the land, coast, rivers, names and borders with none of the app's page around them;
* **app**: ``dashboard.py`` with the built-in sample (its store a SQLite file in a temporary folder);
  pages ``/`` (Overview), ``/map``, ``/impact``, ``/compare``, ``/scenario``, ``/explorer`` in English
  and ``/map?lang=ja``.

Each server logs its script runs (start, end and CPU time of the script thread on the machine's
monotonic clock, which is also Chromium's DevTools clock) by wrapping ``ScriptRunner._run_script``
(see ``SERVE``): the page's code is not touched. Every page is visited once to warm the servers;
then ``--runs`` rounds visit every page in turn (bare first), each visit in a **fresh browser
context** (no HTTP cache, no cookies: cold for the browser, warm for the server). Chromium's proxy is
a closed loopback port, so only loopback is reachable; other requests are counted.

**Drawn**, watched in the page every 10 ms from an init script (times are
``performance.now()``, i.e. from navigation start):

* a map (a ``.js-plotly-plot`` whose layout has ``map``): its MapLibre instance reports
  ``loaded()`` (style and every source, boundary layers included, parsed) and the plotly subplot
  has at least one trace (``traceHash``);
* any other plotly chart: its ``.main-svg .trace`` exists;
* "first chart" is the first ``.js-plotly-plot`` in the page by either rule; "first map" the first
  map; "page complete" the moment the script has finished (``data-test-script-state`` is
  ``notRunning``) and every chart is drawn. A page with no plotly chart (the Explorer) is timed to
  its first ``st.dataframe`` canvas instead.

Breakdown per visit, from DevTools' Network domain (websocket frames: time and size after
decompression; the deflated size is estimated with zlib at level 6 per message) and the server's
run log:

* **ws open**: the websocket created (HTML, JavaScript and the app's start-up in the browser);
* **server run**: wall time of the page's script run in the server (and its thread's CPU share);
* **bytes**: every websocket message received until the page was complete; the largest one (and what
  it carried: a plotly chart's figure, or another delta);
* **chart msg**: when the message carrying the first chart's figure arrived; **finished**: the
  ``script_finished`` message; **last msg → first chart**: from the last message received before the
  first chart was drawn to it being drawn (parse and draw in the browser);
* **charts**: plotly charts on the page (maps in brackets);
* **browser CPU**: CPU seconds of every browser process during the visit (renderer, GPU process,
  the rest), read from ``/proc``; with the server's CPU seconds. On a shared machine these vary much
  less than wall time, so they show the work a page costs when the medians are noisy;
* the plotly JavaScript chunk's fetch, when the first ``.js-plotly-plot`` and the first MapLibre map
  exist, main-thread long tasks (> 50 ms) until the first chart, glyph files fetched (map text).

Chromium gives its processes priorities of its own (renderers nice 5): by default every browser
thread is set to this process's niceness during a visit, so that ``nice -n -15`` on a shared machine
applies to the page as well as to the servers (``--keep-browser-priority`` leaves them).

"paired ratio" is the median over rounds of page / bare of the same round (less sensitive to load
that changes between rounds than the ratio of medians).

``--apptest`` adds an in-process measurement of each page's script with Streamlit's AppTest (cold
and warm runs) and what each plotly figure's JSON is made of (traces, ``map.layers`` sources, the
style's own sources). ``--app-dir`` serves another checkout (a copy with what-if changes) and
``--page LABEL=PATH`` measures any other page of it.

    .venv/bin/python benchmarks/bench_first_chart.py                  # 5 rounds, about 8 minutes
    nice -n -15 .venv/bin/python benchmarks/bench_first_chart.py --runs 7 --apptest --out /tmp/first_chart.md
    .venv/bin/python benchmarks/bench_first_chart.py --app-dir /tmp/copy --pages map --page nogeo=/w_map_nogeo
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

from servers import LoggedServer, processes, tree

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
TARGET = 1.2  # every page's first chart within this many times the bare page's (the target)

# (label, server, path with query)
PAGES: tuple[tuple[str, str, str], ...] = (
    ("bare", "bare", "/"),
    ("bare geo", "bare", "/?geography=1"),  # the bare page over the app's own geography: its cost alone
    ("overview", "app", "/"),
    ("map", "app", "/map"),
    ("impact", "app", "/impact"),
    ("compare", "app", "/compare"),
    ("scenario", "app", "/scenario"),
    ("explorer", "app", "/explorer"),
    ("map ja", "app", "/map?lang=ja"),
)
APPTEST_PAGES = {"overview": None, "map": "pages/1_map.py", "impact": "pages/5_impact.py",
                 "compare": "pages/6_compare.py", "scenario": "pages/7_scenario.py",
                 "explorer": "pages/2_explorer.py", "map ja": "pages/1_map.py"}

# Watches the page from its first moment (an init script), every 10 ms until told to stop (a timer, not
# requestAnimationFrame, which would keep the compositor producing frames):
# when each plotly chart (in page order) was first drawn, the first map, the first st.dataframe canvas
# (ms from navigation start), and whether the app is idle (script finished, nothing running).
WATCH = """(() => {
    const R = window.__fc = {drawn: [], kinds: [], firstMap: null, table: null, idle: false, stop: false,
                             plotElement: null, mapCreated: null, longTasks: []};
    try {  // main-thread tasks over 50 ms (start, duration)
        new PerformanceObserver((list) => list.getEntries().forEach(
            (e) => R.longTasks.push([e.startTime, e.duration]))).observe({type: 'longtask', buffered: true});
    } catch (e) {}
    const isMap = (gd) => !!(gd._fullLayout && gd._fullLayout.map);
    const mapDrawn = (gd) => {
        const sub = gd._fullLayout.map._subplot;
        return !!(sub && sub.map && sub.map.loaded() && Object.keys(sub.traceHash || {}).length > 0);
    };
    const drawn = (gd) => !!gd._fullLayout && (isMap(gd) ? mapDrawn(gd) : !!gd.querySelector('.main-svg .trace'));
    const tick = () => {
        const now = performance.now();
        const gds = [...document.querySelectorAll('.js-plotly-plot')];
        if (R.plotElement === null && gds.length) R.plotElement = now;
        if (R.mapCreated === null && gds.some((g) => isMap(g) && g._fullLayout.map._subplot
                                                   && g._fullLayout.map._subplot.map)) R.mapCreated = now;
        gds.forEach((gd, i) => {
            if (R.drawn[i] == null && drawn(gd)) { R.drawn[i] = now; R.kinds[i] = isMap(gd) ? 'map' : 'svg'; }
        });
        if (R.firstMap === null && gds.some((g) => isMap(g) && mapDrawn(g))) R.firstMap = now;
        if (R.table === null && document.querySelector('[data-testid="stDataFrame"] canvas')) R.table = now;
        const app = document.querySelector('[data-testid="stApp"]');
        R.idle = !!app && app.getAttribute('data-test-script-state') === 'notRunning'
            && !document.querySelector('[data-testid="stStatusWidget"]');
        R.charts = gds.length;
        if (!R.stop && now < 300000) setTimeout(tick, 10);
    };
    tick();
})();"""
STATE = """() => ({...window.__fc, origin: performance.timeOrigin,
    chunk: performance.getEntriesByType('resource').filter((e) => /PlotlyChart\\.[^/]*\\.js$/.test(e.name))
        .map((e) => [e.startTime, e.responseEnd, e.encodedBodySize])[0] || null,
    glyphs: performance.getEntriesByType('resource').filter((e) => /\\/glyphs\\//.test(e.name))
        .map((e) => [e.responseEnd, e.encodedBodySize]),
    exceptions: document.querySelectorAll('[data-testid="stException"]').length})"""


class Server(LoggedServer):
    """``streamlit run SCRIPT`` from the repository's folder (or ``app_dir``) on a free port, its script runs logged."""

    def __init__(self, script: str, folder: Path, app_dir: Path = ROOT) -> None:
        super().__init__(script, folder, app_dir)


class CpuMeter:
    """CPU seconds used by the browser (every process this benchmark started other than the servers) and by
    the servers (each with its children) between ``start`` and ``stop``: work done, less sensitive to the
    machine's load than wall time."""

    def __init__(self, servers: list[int], same_priority: bool = True) -> None:
        self.servers = servers
        self.same_priority = same_priority
        self.kinds: dict[int, str] = {}

    def renice(self) -> None:
        """Give every thread of the browser's processes this process's niceness. Chromium sets its own
        (renderers at nice 5, the GPU process at -8), so on a busy machine the page would otherwise run
        at a lower priority than the servers and than other people's work."""
        target = os.getpriority(os.PRIO_PROCESS, 0)
        table = processes()
        servers = set().union(*(tree(table, pid) for pid in self.servers))
        for pid in tree(table, os.getpid()) - servers - {os.getpid()}:
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    if os.getpriority(os.PRIO_PROCESS, int(task)) != target:
                        os.setpriority(os.PRIO_PROCESS, int(task), target)
            except OSError:  # ended meanwhile, or not permitted: leave it
                pass

    def kind(self, pid: int) -> str:
        """"renderer" (the page: main thread, workers, SwiftShader WebGL in-process), "gpu", or "other"
        (the browser process, network service, Playwright's driver)."""
        if pid not in self.kinds:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                return "other"
            self.kinds[pid] = ("renderer" if "--type=renderer" in cmdline else
                               "gpu" if "--type=gpu-process" in cmdline else "other")
        return self.kinds[pid]

    def split(self, before: dict[int, float], after: dict[int, float]) -> dict[str, float]:
        out = {"renderer": 0.0, "gpu": 0.0, "other": 0.0}
        for pid, cpu in after.items():
            out[self.kind(pid)] += cpu - before.get(pid, 0.0)
        return out

    def sample(self) -> tuple[dict[int, float], dict[int, float]]:
        # own CPU only: a reaped child's would add a closed context's renderer to the next visit
        table = processes()
        server_pids = set().union(*(tree(table, pid) for pid in self.servers))
        mine = tree(table, os.getpid()) - server_pids - {os.getpid()}
        return ({p: table[p].cpu for p in mine}, {p: table[p].cpu for p in server_pids})

    @staticmethod
    def used(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


@dataclass
class Visit:
    page: str
    first: float | None = None  # seconds from navigation start
    first_kind: str | None = None
    first_map: float | None = None
    complete: float | None = None
    table: float | None = None
    charts: int = 0
    maps: int = 0
    ws_open: float | None = None
    first_msg: float | None = None
    chart_msg: float | None = None
    finished: float | None = None
    last_before_first: float | None = None
    last_msg: float | None = None
    messages: int = 0
    bytes: int = 0
    deflated: int = 0
    largest: int = 0
    largest_what: str = ""
    plotly_bytes: list[int] = field(default_factory=list)
    run_wall: float | None = None  # the server's script run(s) for this session
    run_cpu: float | None = None
    runs: int = 0
    run_start: float | None = None  # seconds from navigation start
    offsite: int = 0
    plot_element: float | None = None  # the first .js-plotly-plot appeared (plotly's chunk loaded, drawing begun)
    map_created: float | None = None  # the first map's MapLibre instance exists
    chunk_start: float | None = None  # plotly's JavaScript chunk requested / received
    chunk_end: float | None = None
    long_tasks_to_first: float = 0.0  # main-thread time in tasks over 50 ms until the first chart was drawn
    browser_cpu: float | None = None  # CPU seconds of every browser process during the visit
    server_cpu: float | None = None  # CPU seconds of the servers (both) during the visit
    cpu_split: dict = field(default_factory=dict)  # browser CPU seconds by process kind
    glyphs: int = 0  # glyph files (map text) fetched, their KB and when the last arrived
    glyph_kb: float = 0.0
    glyphs_end: float | None = None
    exceptions: int = 0  # error boxes the app showed
    error: str | None = None

    @property
    def main(self) -> float | None:
        """The figure compared with the bare page: the first chart (the first table without a chart)."""
        return self.first if self.first is not None else self.table


def _describe(payload: bytes) -> tuple[str, str, int]:
    """(message type, what it carries, size of a plotly figure's JSON or 0) of one ForwardMsg."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    try:
        msg.ParseFromString(payload)
    except Exception:  # noqa: BLE001 - not a ForwardMsg: report it as such
        return "?", "?", 0
    kind = msg.WhichOneof("type") or "?"
    if kind == "delta":
        delta_kind = msg.delta.WhichOneof("type")
        if delta_kind == "new_element":
            element = msg.delta.new_element.WhichOneof("type")
            if element == "plotly_chart":
                return kind, "plotly_chart", len(msg.delta.new_element.plotly_chart.spec)
            return kind, str(element), 0
        return kind, str(delta_kind), 0
    return kind, kind, 0


def visit(browser, server: Server, label: str, path: str, timeout: float, meter: CpuMeter | None = None) -> Visit:
    """One visit in a fresh browser context: navigate, wait until the script has finished and every chart
    it sent is drawn (or a table shown when it sent none), then read the page's and DevTools' times."""
    out = Visit(label)
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    offsite: list[str] = []
    context.on("request", lambda r: offsite.append(r.url)
               if not r.url.startswith(("data:", "blob:")) and (urlparse(r.url).hostname or "") not in LOOPBACK
               else None)
    context.add_init_script(WATCH)
    page = context.new_page()
    if meter and meter.same_priority:
        meter.renice()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable", {"maxTotalBufferSize": 200_000_000, "maxResourceBufferSize": 100_000_000})
    doc: dict = {}
    handshakes: list[float] = []
    frames: list[tuple[float, int, str, str, int]] = []  # (DevTools time, bytes, deflated, type, what, figure)

    def on_request(e: dict) -> None:
        if e.get("type") == "Document" and not doc:
            doc.update(ts=e["timestamp"], wall=e["wallTime"])

    def on_frame(e: dict) -> None:
        response = e["response"]
        payload = (base64.b64decode(response["payloadData"]) if response["opcode"] == 2
                   else response["payloadData"].encode())
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        deflated = len(comp.compress(payload) + comp.flush(zlib.Z_SYNC_FLUSH))
        frames.append((e["timestamp"], len(payload), deflated, *_describe(payload)))

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.webSocketWillSendHandshakeRequest", lambda e: handshakes.append(e["timestamp"]))
    cdp.on("Network.webSocketFrameReceived", on_frame)
    cpu_before = meter.sample() if meter else None
    started = time.perf_counter()
    state = None
    try:
        page.goto(server.url + path, wait_until="commit", timeout=timeout * 1000)
        deadline = time.perf_counter() + timeout
        finished_at = None
        polls = 0
        while True:
            polls += 1
            if meter and meter.same_priority and polls % 5 == 1:  # new threads (workers) too
                meter.renice()
            state = page.evaluate(STATE)
            sent = sum(1 for fr in frames if fr[5])  # plotly figures received so far
            finished = any(fr[3] == "script_finished" for fr in frames)
            drawn = sum(1 for d in state["drawn"] if d is not None)
            if finished and state["idle"] and finished_at is None:
                finished_at = time.perf_counter()
            if finished_at is not None and drawn >= sent and (sent or state["table"] is not None
                                                              or time.perf_counter() - finished_at > 3):
                break
            if time.perf_counter() > deadline:
                raise TimeoutError(f"after {timeout:.0f} s: {drawn} of {sent} charts drawn, finished={finished}")
            page.wait_for_timeout(50)
        page.evaluate("() => { window.__fc.stop = true; }")
    except Exception as err:  # noqa: BLE001 - a page that fails is reported, the benchmark goes on
        out.error = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
    ended = time.perf_counter()
    if meter:
        cpu_after = meter.sample()
        out.browser_cpu = CpuMeter.used(cpu_before[0], cpu_after[0])
        out.server_cpu = CpuMeter.used(cpu_before[1], cpu_after[1])
        out.cpu_split = meter.split(cpu_before[0], cpu_after[0])
    context.close()
    out.offsite = len(offsite)
    if state is None or not doc:
        out.error = out.error or "no timing"
        return out

    def rel(ts: float) -> float:
        """A DevTools (= monotonic) time in seconds from navigation start (``performance.timeOrigin``)."""
        return ts - doc["ts"] + (doc["wall"] * 1000 - state["origin"]) / 1000

    drawn = [d / 1000 for d in state["drawn"] if d is not None]
    if state["drawn"] and state["drawn"][0] is not None:
        out.first, out.first_kind = state["drawn"][0] / 1000, state["kinds"][0]
    out.first_map = state["firstMap"] / 1000 if state["firstMap"] is not None else None
    out.table = state["table"] / 1000 if state["table"] is not None else None
    out.charts = len(state["drawn"])
    out.plot_element = state["plotElement"] / 1000 if state["plotElement"] is not None else None
    out.exceptions = state.get("exceptions", 0)
    glyphs = state.get("glyphs") or []
    out.glyphs, out.glyph_kb = len(glyphs), sum(size for _, size in glyphs) / 1024
    out.glyphs_end = max(end for end, _ in glyphs) / 1000 if glyphs else None
    out.map_created = state["mapCreated"] / 1000 if state["mapCreated"] is not None else None
    if state.get("chunk"):
        out.chunk_start, out.chunk_end = state["chunk"][0] / 1000, state["chunk"][1] / 1000
    until = (out.main or 0) * 1000
    out.long_tasks_to_first = sum(min(d, max(0.0, until - st)) for st, d in state["longTasks"]) / 1000
    out.maps = sum(1 for k in state["kinds"] if k == "map")
    shown = out.main
    for ts, size, deflated, kind, what, fig in frames:
        t = rel(ts)
        if out.finished is not None and kind != "script_finished" and t > out.finished + 0.5:
            continue  # after the page's run (heartbeats, a later run)
        out.messages += 1
        out.bytes += size
        out.deflated += deflated
        if out.first_msg is None:
            out.first_msg = t
        out.last_msg = t
        if fig:
            out.plotly_bytes.append(fig)
            if out.chart_msg is None:
                out.chart_msg = t
        if kind == "script_finished" and out.finished is None:
            out.finished = t
        if shown is not None and t <= shown:
            out.last_before_first = t
        if size > out.largest:
            out.largest, out.largest_what = size, what
    out.complete = max([*drawn, out.finished or 0.0, out.table or 0.0]) or None
    out.ws_open = rel(handshakes[0]) if handshakes else None
    runs = [r for r in server.script_runs() if started <= r["start"] <= ended]
    if runs:
        out.runs = len(runs)
        out.run_wall = sum(r["end"] - r["start"] for r in runs)
        out.run_cpu = sum(r["cpu"] for r in runs)
        out.run_start = rel(runs[0]["start"])
    return out


def median(values: list[float | None]) -> float:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else float("nan")


def minimum(values: list[float | None]) -> float:
    vals = [v for v in values if v is not None]
    return min(vals) if vals else float("nan")


def machine() -> str:
    import plotly
    import streamlit

    version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    return (f"{platform.system()} {platform.machine()} ({cpu}), {len(os.sched_getaffinity(0))} cores, "
            f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB; Python "
            f"{platform.python_version()}, streamlit {streamlit.__version__}, plotly {plotly.__version__}, "
            f"{version or CHROMIUM} headless (--no-sandbox --disable-gpu)")


def fingerprint(app_dir: Path) -> str:
    """Which state of the app was measured (others change it while we measure): a hash of its Python
    files and the time of the newest one."""
    import hashlib

    files = sorted([app_dir / "dashboard.py", *app_dir.glob("pages/*.py"), *app_dir.glob("regen/**/*.py"),
                    *app_dir.glob("regen_app/*.py"), *app_dir.glob(".streamlit/config.toml")])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    newest = max(path.stat().st_mtime for path in files)
    return f"{digest.hexdigest()[:12]} (newest file {time.strftime('%H:%M:%S', time.localtime(newest))})"


def f(value: float, digits: int = 2) -> str:
    return "–" if value != value else f"{value:.{digits}f}"  # NaN → dash


def kb(value: float) -> str:
    return "–" if value != value else f"{value / 1024:,.0f}"


def report(visits: dict[str, list[Visit]], runs: int) -> list[str]:
    bare = median([v.main for v in visits["bare"]])
    bare_cpu = median([v.browser_cpu for v in visits["bare"]])
    lines = [
        f"### First chart drawn, seconds from navigation (median of {runs}; ratio = median / bare median)", "",
        "| page | first chart | median s | min s | ratio | ≤ 1.2× | paired ratio | first map s | page complete s | charts (maps) | "
        "browser CPU s (ratio) | of which renderer / gpu / other | server CPU s | errors |",
        "|---|---|---:|---:|---:|:-:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for label, items in visits.items():
        ok = [v for v in items if v.main is not None]
        med = median([v.main for v in items])
        kind = next((v.first_kind for v in ok if v.first_kind), None) or ("table" if any(v.table for v in ok) else "–")
        ratio = med / bare if bare == bare and med == med else float("nan")
        charts = {(v.charts, v.maps) for v in ok}
        paired = median([v.main / b.main for v, b in zip(items, visits["bare"]) if v.main and b.main])
        lines.append(
            f"| {label} | {kind} | {f(med)} | {f(minimum([v.main for v in items]))} | {f(ratio)} | "
            f"{'–' if ratio != ratio else ('yes' if ratio <= TARGET else '**no**')} | {f(paired)} | "
            f"{f(median([v.first_map for v in items]))} | {f(median([v.complete for v in items]))} | "
            f"{', '.join(f'{c} ({m})' for c, m in sorted(charts)) or '–'} | "
            f"{f(median([v.browser_cpu for v in items]))} ({f(median([v.browser_cpu for v in items]) / bare_cpu)}) | "
            f"{' / '.join(f(median([v.cpu_split.get(k) for v in items]), 1) for k in ('renderer', 'gpu', 'other'))} | "
            f"{f(median([v.server_cpu for v in items]))} | {sum(v.error is not None for v in items)}"
            f"{f' (+{sum(v.exceptions > 0 for v in items)} with an app error)' if any(v.exceptions for v in items) else ''} |")
    lines += [
        "", "### Breakdown: server and websocket (medians; times in seconds from navigation)", "",
        "| page | ws open | server run s (CPU %) | first msg | chart msg | finished | msgs | received KB | "
        "deflated KB (est.) | largest KB (what) | plotly figures KB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for label, items in visits.items():
        cpu_share = median([v.run_cpu / v.run_wall for v in items if v.run_wall])
        largest = max(items, key=lambda v: v.largest)
        figs = next((v.plotly_bytes for v in items if v.plotly_bytes), [])
        lines.append(
            f"| {label} | {f(median([v.ws_open for v in items]))} | {f(median([v.run_wall for v in items]))} "
            f"({f(100 * cpu_share, 0)}) | {f(median([v.first_msg for v in items]))} | "
            f"{f(median([v.chart_msg for v in items]))} | {f(median([v.finished for v in items]))} | "
            f"{f(median([v.messages for v in items]), 0)} | {kb(median([v.bytes for v in items]))} | "
            f"{kb(median([v.deflated for v in items]))} | {kb(largest.largest)} ({largest.largest_what}) | "
            f"{' + '.join(kb(b) for b in figs) or '–'} |")
    lines += [
        "", "### Breakdown: browser (medians; seconds from navigation unless a span)", "",
        "| page | chart msg | plotly JS fetched (start–end) | plot element | map object | first chart | "
        "last msg → first chart | chart msg → first chart | long tasks until first chart | glyph files (KB, last at) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, items in visits.items():
        gap = median([v.main - v.last_before_first for v in items if v.main is not None and v.last_before_first is not None])
        draw = median([v.first - v.chart_msg for v in items if v.first is not None and v.chart_msg is not None])
        lines.append(
            f"| {label} | {f(median([v.chart_msg for v in items]))} | {f(median([v.chunk_start for v in items]))}–"
            f"{f(median([v.chunk_end for v in items]))} | {f(median([v.plot_element for v in items]))} | "
            f"{f(median([v.map_created for v in items]))} | {f(median([v.main for v in items]))} | {f(gap)} | "
            f"{f(draw)} | {f(median([v.long_tasks_to_first for v in items]))} | "
            f"{f(median([v.glyphs for v in items]), 0)} ({f(median([v.glyph_kb for v in items]), 0)} KB, "
            f"{f(median([v.glyphs_end for v in items]))}) |")
    errors = [(label, v.error) for label, items in visits.items() for v in items if v.error]
    offsite = sum(v.offsite for items in visits.values() for v in items)
    lines += ["", f"Requests to hosts other than loopback (blocked): {offsite}."]
    if errors:
        lines += ["", "Errors:"] + [f"- {label}: {e}" for label, e in errors]
    return lines


# --- In-process: the page scripts with AppTest --------------------------------------------------------

def figure_parts(spec: str) -> str:
    """"812 (18 / 285 / 480)": a figure's JSON in KB and, for a map, its traces, its ``map.layers``
    sources (boundary outlines) and its style's sources (a basemap of its own)."""
    size = len(spec) / 1024
    try:
        fig = json.loads(spec)
    except ValueError:
        return f"{size:,.0f}"
    layout_map = (fig.get("layout") or {}).get("map")
    if not layout_map:
        return f"{size:,.0f}"

    def n(obj) -> float:
        return len(json.dumps(obj, separators=(",", ":"))) / 1024

    traces = sum(n(t) for t in fig.get("data", []))
    layers = sum(n(layer.get("source", "")) for layer in layout_map.get("layers", []) if isinstance(layer, dict))
    style = layout_map.get("style")
    sources = sum(n(src) for src in style.get("sources", {}).values()) if isinstance(style, dict) else 0.0
    return f"{size:,.0f} ({traces:,.0f} / {layers:,.0f} / {sources:,.0f})"


def apptest_report() -> list[str]:
    """Each page's script run in this process with AppTest: the first run of a fresh AppTest (the
    module-level caches of this process are warm after the first page) and a second run; and the
    plotly figures it sends (JSON size, of which boundary layers)."""
    os.environ.setdefault("REGEN_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='bench_fc_')}/regen.db")
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    lines = ["", "### Page scripts in-process (AppTest; seconds)", "",
             "| page | cold run (first page of the process) | run | second run | plotly figures: JSON KB "
             "(map: traces / map layers / style sources) |",
             "|---|---:|---:|---:|---|"]
    cold = None
    for label, target in APPTEST_PAGES.items():
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        if label.endswith(" ja"):
            at.query_params["lang"] = "ja"
        t = time.perf_counter()
        at.run()
        first = time.perf_counter() - t
        if cold is None:
            cold = first
        if target:
            t = time.perf_counter()
            at.switch_page(target).run()
            first = time.perf_counter() - t
        t = time.perf_counter()
        at.run()
        second = time.perf_counter() - t
        figs = [figure_parts(chart.proto.spec) for chart in at.get("plotly_chart")]
        errors = len(at.exception)
        lines.append(f"| {label} | {f(cold) if label == 'overview' else ''} | {f(first)} | {f(second)} | "
                     f"{' + '.join(figs) or '–'}{f'; {errors} exception(s)' if errors else ''} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="measured visits per page (default 5)")
    parser.add_argument("--pages", nargs="+", help="only these page labels (bare is always measured)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a visit may take")
    parser.add_argument("--page", action="append", default=[], metavar="LABEL=PATH",
                        help="another page of the app to measure (e.g. about=/about); repeatable")
    parser.add_argument("--app-dir", type=Path, default=ROOT,
                        help="serve the app from this checkout (a copy with what-if changes); the bare page is this one's")
    parser.add_argument("--keep-browser-priority", action="store_true",
                        help="leave Chromium's own process priorities (by default every browser thread gets this "
                             "process's niceness, e.g. from `nice -n -15`)")
    parser.add_argument("--apptest", action="store_true", help="also time the page scripts in-process with AppTest")
    parser.add_argument("--out", type=Path, help="also write the Markdown tables to this file")
    parser.add_argument("--sizes", type=int, nargs="+", help="ignored (run_all.py passes it to every benchmark)")
    parser.add_argument("--json", type=Path, help="write every visit's figures as JSON here")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM} (set BROWSER_PATH, or `make test` installs it): skipped.")
        return 0
    from playwright.sync_api import sync_playwright

    pages = [p for p in PAGES if p[0] == "bare" or not args.pages or p[0] in args.pages]
    pages += [(spec.split("=", 1)[0], "app", spec.split("=", 1)[1]) for spec in args.page]
    load_start = os.getloadavg()
    header = [f"Machine: {machine()}.", f"App files: {fingerprint(args.app_dir)} at {time.strftime('%H:%M')}.",
              f"Command: `{' '.join([Path(sys.executable).name, *sys.argv])}`; {date.today()}.", ""]
    print("\n".join(header), flush=True)
    visits: dict[str, list[Visit]] = {label: [] for label, _, _ in pages}
    with tempfile.TemporaryDirectory(prefix="bench_first_chart_") as folder:
        # The bare page runs from a copy beside a link to the app's static/ folder, which Streamlit
        # serves from beside the main script: its ?geography=1 variant needs the glyphs and shapes.
        bare_dir = Path(folder) / "bare"
        bare_dir.mkdir()
        shutil.copy(HERE / "bare_map_page.py", bare_dir / "bare_map_page.py")
        (bare_dir / "static").symlink_to((args.app_dir or ROOT) / "static", target_is_directory=True)
        os.environ.setdefault("REGEN_ROOT", str(args.app_dir or ROOT))
        servers = {"bare": Server(str(bare_dir / "bare_map_page.py"), Path(folder)),
                   "app": Server("dashboard.py", Path(folder), args.app_dir)}
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
                    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                    "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
                    "--disable-backgrounding-occluded-windows",
                    "--proxy-server=http://127.0.0.1:9"])  # a closed port: only loopback (never proxied) is reachable
                meter = CpuMeter([s.proc.pid for s in servers.values()], same_priority=not args.keep_browser_priority)
                try:
                    for label, server, path in pages:  # warm-up: caches filled, modules imported
                        w = visit(browser, servers[server], label, path, args.timeout, meter)
                        print(f"warm-up {label:9s} {f(w.main or float('nan'))} s {w.error or ''}", flush=True)
                    for round_ in range(args.runs):
                        for label, server, path in pages:
                            v = visit(browser, servers[server], label, path, args.timeout, meter)
                            visits[label].append(v)
                            print(f"run {round_ + 1} {label:9s} first {f(v.main or float('nan'))} s, complete "
                                  f"{f(v.complete or float('nan'))} s, server {f(v.run_wall or float('nan'))} s, "
                                  f"{v.bytes / 1024:,.0f} KB {v.error or ''}", flush=True)
                finally:
                    browser.close()
        finally:
            logs = {name: s.output() for name, s in servers.items()}
            for s in servers.values():
                s.stop()
    load_end = os.getloadavg()
    lines = header + [f"Load average (1 min) {load_start[0]:.1f} at the start, {load_end[0]:.1f} at the end.", ""]
    lines += report(visits, args.runs)
    tracebacks = {name: log.count("Traceback") for name, log in logs.items() if "Traceback" in log}
    if tracebacks:
        lines += ["", f"Server log tracebacks: {tracebacks}; the last one:", "", "```"]
        for log in logs.values():
            if "Traceback" in log:
                tail = log[log.rindex("Traceback"):].splitlines()
                lines += [line for line in tail if '"GET ' not in line][:14]
        lines += ["```"]
    if args.apptest:
        lines += apptest_report()
    print("\n" + "\n".join(lines[len(header):]), flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({k: [v.__dict__ for v in items] for k, items in visits.items()}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
