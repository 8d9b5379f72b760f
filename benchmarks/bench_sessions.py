"""Does a large upload freeze other visitors? Map-page latency of one visitor while an analyst uploads.

For each size N (default 300k and 1M rows) an enterprise list is generated with ``bench_ingest``'s
generator (58 MB at 300k rows, 195 MB at 1M) and a fresh server is started: ``streamlit run
dashboard.py`` on a free loopback port (through ``SERVE``, which also logs every script run), its
store a SQLite file in a temporary folder holding one analyst account (made with ``python -m regen
user add``). Two browser contexts of one headless Chromium (Playwright) then visit it:

* **visitor B** sits on the Map page and moves the year slider (ArrowLeft / ArrowRight, alternately)
  over and over. One interaction is timed from the key press until the page shows the new year in
  the map's summary line *and* the app has finished the run (``data-test-script-state`` is
  ``notRunning`` and the running indicator is gone), polled every 10 ms. B pauses 100 ms between
  interactions, as a person would;
* **analyst A** signs in on the Upload page (before any timing), then gives the file to the file
  chooser (``set_input_files`` with a path) and waits for the report ("Rows read" …) and for the run
  to end (the preview below the report included). A's browser would be on another machine; here it
  shares the server's cores, so by default it does not draw charts (Plotly's script is blocked in
  A's context only: drawing a preview of 1M points costs this machine's cores, not the server's).
  ``--a-draws-charts`` lets it draw them.

B's latencies are reported for **idle** (A signed in, nothing uploading), **loaded** (from A's
``set_input_files`` until A's run has ended), split by what A's page was doing when B's interaction
started: **sending** the file (until A's script starts), **reading** it (until the report shows) and
**report/preview** (the rest of the run); and **after** (the upload done, its results kept in A's
session). Every phase is compared with idle *in the same run* (p50 and p95 ratios). Every loaded
interaction slower than 2 s is listed with its step.

The server's side, per phase: how long B's script runs took in the server (wall time, and the share
of it their thread was on a CPU: a low share means waiting for the interpreter lock or a core), from
the run log; CPU seconds of the server (with any process it started) and of the browser, and the
server's resident memory (its processes together), sampled every 100 ms from ``/proc``; the server
process's peak (``VmHWM``) at the end; and a health probe, a plain HTTP request to
``/_stcore/health`` every 100 ms from a thread of this process, whose latency shows when the
server's event loop, shared by every session, is blocked rather than one script being slow. The
browser costs this 2-core machine about a core while B interacts; ``--browser-cpus 0`` keeps it on
CPU 0 so that the server has the other core to itself.

Nothing leaves the machine: Chromium's proxy is a closed loopback port (loopback addresses are not
proxied), and any request to another host is counted and reported.

    .venv/bin/python benchmarks/bench_sessions.py            # 300k and 1M rows (about 5 minutes)
    .venv/bin/python benchmarks/bench_sessions.py --quick    # 300k only
    .venv/bin/python benchmarks/bench_sessions.py --app-dir /tmp/other-checkout --sizes 1000000

``--app-dir`` serves another copy of the app (for before/after comparisons); the files, the browser
and the measurements are the same.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
from bench_ingest import make_enterprises_csv
from servers import LoggedServer, processes, tree

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))
from regen import i18n  # noqa: E402 - after the path set-up

CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
USER, PASSWORD = "analyst", "a long enough password for the benchmark"
SLOW_S = 2.0
STALL_S = 0.5  # a health probe this slow: the server's event loop was blocked
PAUSE_S = 0.1  # B's pause between two interactions
TIMEOUT_MS = 600_000
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

APP_IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stStatusWidget"]');
}"""
APP_RUNNING = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.getAttribute('data-test-script-state') === 'running';
}"""
REPORT_OR_ERROR = """(label) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const idle = !!app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stStatusWidget"]');
    const error = [...document.querySelectorAll('[data-testid="stAlertContentError"], [data-testid="stException"]')]
        .some(e => !e.innerText.includes('PlotlyChart'));  // not the chart A's browser is not to draw
    return (idle && error) || [...document.querySelectorAll('[data-testid="stMetricLabel"]')]
        .some(e => e.innerText.trim() === label);
}"""
YEAR_SHOWN = """(year) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning'
        || document.querySelector('[data-testid="stStatusWidget"]')) return false;
    return [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')]
        .some(e => e.innerText.startsWith(year + ':'));
}"""


# --- The server and what it costs -------------------------------------------------------------------

class Server(LoggedServer):
    """``streamlit run dashboard.py`` from ``app_dir`` on a free port, with a store of its own (one analyst);
    its script runs are logged to ``runs`` (see ``servers.SERVE``)."""

    def __init__(self, app_dir: Path, folder: Path) -> None:
        env = {"REGEN_DATABASE_URL": f"sqlite:///{folder / 'regen.db'}", "PYTHONPATH": str(app_dir)}
        subprocess.run([sys.executable, "-m", "regen", "user", "add", USER, "--password-stdin"], input=PASSWORD + "\n",
                       text=True, env={**os.environ, **env}, cwd=app_dir, check=True, capture_output=True)
        super().__init__("dashboard.py", folder, app_dir, env=env, timeout=60)


def peak_rss_mb(pid: int) -> float:
    """Largest resident memory process ``pid`` has had (VmHWM), in MB."""
    with open(f"/proc/{pid}/status") as handle:
        return next(int(line.split()[1]) / 1024 for line in handle if line.startswith("VmHWM:"))


class Sampler(threading.Thread):
    """Every 100 ms: CPU and memory of the server (with any processes it started) and CPU of the
    browser (every other process this benchmark started); and, from a second thread, the latency
    of one request to the server's health endpoint."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.pid, self.url = server.proc.pid, server.url + "/_stcore/health"
        self.samples: list[tuple[float, float, float, dict[int, float]]] = []  # (t, server CPU, RSS, browser CPUs)
        self.probes: list[tuple[float, float]] = []  # (sent at, seconds)
        self.stopping = threading.Event()
        self.prober = threading.Thread(target=self._probe, daemon=True)

    def run(self) -> None:
        self.prober.start()
        while not self.stopping.is_set():
            table = processes()
            server = tree(table, self.pid)
            others = tree(table, os.getpid()) - server - {os.getpid()}
            self.samples.append((time.perf_counter(), sum(table[p].cpu_with_children for p in server),
                                 sum(table[p].rss_mb for p in server), {p: table[p].cpu_with_children for p in others}))
            self.stopping.wait(0.1)

    def _probe(self) -> None:
        while not self.stopping.is_set():
            sent = time.perf_counter()
            try:
                with urllib.request.urlopen(self.url, timeout=120) as resp:
                    resp.read()
            except OSError:
                pass
            self.probes.append((sent, time.perf_counter() - sent))
            self.stopping.wait(max(0.0, 0.1 - (time.perf_counter() - sent)))

    def stop(self) -> None:
        self.stopping.set()
        self.join()
        self.prober.join()

    def window(self, start: float, end: float) -> dict:
        """Between ``start`` and ``end``: server and browser CPU seconds, the server's largest RSS
        (its processes together) and the health probes' latencies."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return {"cpu": 0.0, "browser_cpu": 0.0, "rss_max": 0.0, "probes": []}
        first, last = inside[0][3], inside[-1][3]
        return {"cpu": inside[-1][1] - inside[0][1],
                "browser_cpu": sum(cpu - first.get(pid, 0.0) for pid, cpu in last.items()),
                "rss_max": max(s[2] for s in inside),
                "probes": [d for t, d in self.probes if start <= t <= end]}


# --- The two visitors --------------------------------------------------------------------------------

@dataclass
class Interaction:
    start: float  # perf_counter at the key press
    seconds: float


@dataclass
class Visitor:
    """Visitor B on the Map page, moving the year slider by one step at a time."""

    page: object
    slider: object = None

    async def open(self, url: str) -> None:
        await self.page.goto(url + "/map")
        await self.page.wait_for_function(APP_IDLE, timeout=TIMEOUT_MS)
        self.slider = self.page.locator('.st-key-year input[type="range"]')
        await self.slider.wait_for(state="attached", timeout=TIMEOUT_MS)

    async def interact(self) -> Interaction:
        """One step of the slider (back from the last year, else forward), timed until the run has ended."""
        year = int(await self.slider.input_value())
        key, target = (("ArrowLeft", year - 1) if year >= int(await self.slider.get_attribute("max"))
                       else ("ArrowRight", year + 1))
        await self.slider.focus()
        start = time.perf_counter()
        await self.page.keyboard.press(key)
        await self.page.wait_for_function(YEAR_SHOWN, arg=target, polling=10, timeout=TIMEOUT_MS)
        done = Interaction(start, time.perf_counter() - start)
        await asyncio.sleep(PAUSE_S)
        return done


async def sign_in(page, url: str) -> None:
    """Analyst A signs in on the Upload page (the local-account form)."""
    await page.goto(url + "/upload")
    await page.wait_for_function(APP_IDLE, timeout=TIMEOUT_MS)
    form = page.locator('[data-testid="stForm"]')
    await form.get_by_label(i18n.t("signin.username", "en")).fill(USER)
    await form.get_by_label(i18n.t("signin.password", "en"), exact=True).fill(PASSWORD)
    await page.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    await page.locator('input[type="file"]').wait_for(state="attached", timeout=TIMEOUT_MS)
    await page.wait_for_function(APP_IDLE, timeout=TIMEOUT_MS)


async def upload(page, path: Path) -> dict:
    """Analyst A uploads ``path`` and waits for the report, then for the run to end. Times from the start."""
    times = {"start": time.perf_counter()}
    await page.locator('input[type="file"]').set_input_files(str(path))
    await page.wait_for_function(APP_RUNNING, polling=50, timeout=TIMEOUT_MS)
    times["running"] = time.perf_counter()  # the file has arrived: the page's script runs
    label = i18n.t("upload.rows_read", "en")
    await page.wait_for_function(REPORT_OR_ERROR, arg=label, polling=50, timeout=TIMEOUT_MS)
    times["report"] = time.perf_counter()
    await page.wait_for_function(APP_IDLE, polling=50, timeout=TIMEOUT_MS)
    times["done"] = time.perf_counter()
    rows_read = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    if not await rows_read.count():
        errors = await page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
        raise SystemExit(f"the upload of {path.name} shows no report; errors on the page: {errors}")
    times["rows_read"] = (await rows_read.first.get_by_test_id("stMetricValue").inner_text()).strip()
    errors = await page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').all_inner_texts()
    times["errors"] = [e for e in errors if "PlotlyChart" not in e]  # not the chart A's browser was not to draw
    return times


async def _new_context(browser, offsite: list[str]):
    """A browser context of its own; requests to hosts other than loopback are listed in ``offsite``."""
    context = await browser.new_context(viewport={"width": 1440, "height": 1000})
    context.on("request", lambda r: offsite.append(r.url)
               if not r.url.startswith(("data:", "blob:")) and (urlparse(r.url).hostname or "") not in LOOPBACK
               else None)
    return context


# --- One run -----------------------------------------------------------------------------------------

def _stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "max": float("nan"), "slow": 0}
    arr = np.asarray(values)
    return {"n": len(arr), "p50": float(np.percentile(arr, 50)), "p95": float(np.percentile(arr, 95)),
            "max": float(arr.max()), "slow": int((arr > SLOW_S).sum())}


async def run_size(browser, app_dir: Path, path: Path, rows: int, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_sessions_") as folder:
        server = Server(app_dir, Path(folder))
        offsite: list[str] = []
        sampler = Sampler(server)
        contexts = []
        try:
            b_context, a_context = await _new_context(browser, offsite), await _new_context(browser, offsite)
            contexts += [b_context, a_context]
            visitor = Visitor(await b_context.new_page())
            await visitor.open(server.url)
            for _ in range(args.warmup):
                await visitor.interact()
            a_page = await a_context.new_page()
            if not args.a_draws_charts:
                cdp = await a_context.new_cdp_session(a_page)
                await cdp.send("Network.enable")
                await cdp.send("Network.setBlockedURLs", {"urls": ["*/PlotlyChart.*"]})
            await sign_in(a_page, server.url)
            sampler.start()
            load_start = os.getloadavg()
            t_idle = time.perf_counter()
            idle = [await visitor.interact() for _ in range(args.idle)]
            task = asyncio.create_task(upload(a_page, path))
            loaded = []
            while not task.done():
                loaded.append(await visitor.interact())
            a = task.result()
            after_start = time.perf_counter()
            after = [await visitor.interact() for _ in range(args.after)]
            end = time.perf_counter()
            rss_peak = peak_rss_mb(server.proc.pid)
            load_end = os.getloadavg()
        finally:  # the server first: whatever happened in the browser, it must not outlive the benchmark
            if sampler.is_alive():
                sampler.stop()
            runs = server.script_runs()
            log = server.stop()
            for context in contexts:
                await context.close()
    steps = {"sending": (a["start"], a["running"]), "reading": (a["running"], a["report"]),
             "report/preview": (a["report"], a["done"])}
    b_sessions = {r["session"] for r in runs if t_idle <= r["start"] < a["start"]}  # A is idle then

    def doing(t: float) -> str:
        return next((step for step, (_, until) in steps.items() if t < until), "report/preview")

    def phase(interactions: list[Interaction], start: float, until: float) -> dict:
        b_runs = [r for r in runs if r["session"] in b_sessions and start <= r["start"] < until]
        return {"seconds": until - start, "b": _stats([i.seconds for i in interactions if start <= i.start < until]),
                "b_runs": _stats([r["end"] - r["start"] for r in b_runs]),
                "b_cpu": sum(r["cpu"] for r in b_runs) / max(sum(r["end"] - r["start"] for r in b_runs), 1e-9),
                **sampler.window(start, until)}

    phases = {"idle": phase(idle, t_idle, a["start"]), "loaded": phase(loaded, a["start"], a["done"])}
    phases.update({f"… {step}": phase(loaded, *span) for step, span in steps.items()})
    phases["after"] = phase(after, after_start, end)
    a_runs = [r for r in runs if r["session"] not in b_sessions and a["start"] <= r["start"] < a["done"]]
    return {
        "rows": rows, "mb": path.stat().st_size / 1e6, "a": a, "phases": phases,
        "a_runs": (sum(r["end"] - r["start"] for r in a_runs), sum(r["cpu"] for r in a_runs)),
        "slow": [(i.start - a["start"], i.seconds, doing(i.start)) for i in loaded if i.seconds > SLOW_S],
        "stalls": [(t - a["start"], d, doing(t)) for t, d in sampler.probes if a["start"] <= t <= a["done"] and d > STALL_S],
        "rss_peak": rss_peak, "load": (load_start, load_end), "offsite": offsite, "tracebacks": log.count("Traceback"),
    }


# --- Report --------------------------------------------------------------------------------------------

def machine() -> str:
    cores = len(os.sched_getaffinity(0))
    import streamlit

    return (f"{platform.system()} {platform.machine()}, {cores} cores, Python {platform.python_version()}, "
            f"streamlit {streamlit.__version__}, Chromium at {CHROMIUM}")


def _sec(value: float) -> str:
    return "–" if np.isnan(value) else f"{value:.3f} s"


def _ratio(value: float, base: float) -> str:
    return "–" if np.isnan(value) else f"{value / base:.2f}x"


def report(result: dict) -> list[str]:
    a, idle = result["a"], result["phases"]["idle"]
    lines = [
        f"### {result['rows']:,} rows ({result['mb']:.0f} MB)",
        "",
        f"Analyst A: file sent and script started after {a['running'] - a['start']:.1f} s, report after "
        f"{a['report'] - a['start']:.1f} s, run finished after **{a['done'] - a['start']:.1f} s** (A's script "
        f"runs: {result['a_runs'][0]:.1f} s, of which {result['a_runs'][1]:.1f} s CPU of their thread; rows read "
        f"shown: {a['rows_read']}; error messages: {a['errors'] or 'none'}). Load average (1 and 5 min) at start / "
        f"end: {' '.join(f'{x:.2f}' for x in result['load'][0][:2])} / "
        f"{' '.join(f'{x:.2f}' for x in result['load'][1][:2])}.",
        "",
        "B in the browser (key press to the run's end on screen):",
        "",
        "| phase | seconds | interactions | p50 | p95 | max | > 2 s | p50 / idle | p95 / idle |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, ph in result["phases"].items():
        b = ph["b"]
        lines.append(f"| {name} | {ph['seconds']:.1f} | {b['n']} | {_sec(b['p50'])} | {_sec(b['p95'])} | "
                     f"{_sec(b['max'])} | {b['slow']} | {_ratio(b['p50'], idle['b']['p50'])} | "
                     f"{_ratio(b['p95'], idle['b']['p95'])} |")
    lines += ["", "The server: B's script runs (wall time in the server, and the share of it its thread was on a "
                  "CPU), the health probe, CPU and memory:", "",
              "| phase | B's runs p50 | p95 | max | p50 / idle | B's CPU share | health probe p50 / max | "
              "server CPU s (cores busy) | browser CPU s | server RSS max |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, ph in result["phases"].items():
        runs, probes = ph["b_runs"], ph["probes"]
        probe = f"{np.median(probes) * 1000:.0f} ms / {max(probes) * 1000:,.0f} ms" if probes else "–"
        share = f"{ph['b_cpu']:.0%}" if runs["n"] else "–"
        lines.append(f"| {name} | {_sec(runs['p50'])} | {_sec(runs['p95'])} | {_sec(runs['max'])} | "
                     f"{_ratio(runs['p50'], idle['b_runs']['p50'])} | {share} | {probe} | "
                     f"{ph['cpu']:.1f} ({ph['cpu'] / ph['seconds']:.2f}) | {ph['browser_cpu']:.1f} | "
                     f"{ph['rss_max']:,.0f} MB |")
    lines += ["", f"Peak RSS of the server process (VmHWM): **{result['rss_peak']:,.0f} MB**."]
    if result["slow"]:
        lines += ["", f"B's interactions over {SLOW_S:g} s while A's upload was in progress (start after A's "
                      "set_input_files, duration, what A's page was doing):",
                  "", "; ".join(f"{t:.1f} s: **{d:.1f} s** ({what})" for t, d, what in result["slow"])]
    if result["stalls"]:
        lines += ["", f"Health probes over {STALL_S:g} s while A's upload was in progress (sent after A's "
                      "set_input_files, duration, what A's page was doing):",
                  "", "; ".join(f"{t:.1f} s: **{d:.1f} s** ({what})" for t, d, what in result["stalls"])]
    if result["offsite"]:
        lines += ["", f"Requests to other hosts (blocked): {len(result['offsite'])}, e.g. {result['offsite'][:3]}"]
    if result["tracebacks"]:
        lines += ["", f"The server log has {result['tracebacks']} traceback(s)."]
    return lines


async def main_async(args) -> list[str]:
    from playwright.async_api import async_playwright

    sizes = args.sizes or ([300_000] if args.quick else [300_000, 1_000_000])
    lines = [f"Machine: {machine()}; app served from {args.app_dir}"
             + (f"; the browser on CPU(s) {args.browser_cpus} only" if args.browser_cpus else "") + ".", ""]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory(prefix="bench_sessions_data_") as tmp:
        executable = CHROMIUM
        if args.browser_cpus:  # the browser and all its processes on these CPUs only (taskset)
            executable = Path(tmp) / "chromium"
            executable.write_text(f'#!/bin/sh\nexec taskset -c {args.browser_cpus} {CHROMIUM} "$@"\n')
            executable.chmod(0o755)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=executable, headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--proxy-server=http://127.0.0.1:9"])  # a closed port: only loopback (never proxied) is reachable
            try:
                for rows in sizes:
                    path = Path(tmp) / f"enterprises-{rows}.csv"
                    make_enterprises_csv(path, rows)
                    part = report(await run_size(browser, args.app_dir, path, rows, args))
                    print("\n".join(part) + "\n", flush=True)
                    lines += part + [""]
                    path.unlink()
            finally:
                await browser.close()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300k rows only")
    parser.add_argument("--sizes", type=int, nargs="+", help="rows per file (default: 300000 1000000)")
    parser.add_argument("--idle", type=int, default=40, help="B's interactions before the upload")
    parser.add_argument("--after", type=int, default=20, help="B's interactions after the upload")
    parser.add_argument("--warmup", type=int, default=5, help="B's interactions before timing starts")
    parser.add_argument("--a-draws-charts", action="store_true",
                        help="let A's browser draw its charts (the preview map): on this machine, not A's")
    parser.add_argument("--browser-cpus", metavar="LIST",
                        help="run the browser on these CPUs only (taskset list, e.g. 0): the server keeps the others")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--out", type=Path, help="also write the Markdown tables to this file")
    args = parser.parse_args(argv)
    lines = asyncio.run(main_async(args))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
