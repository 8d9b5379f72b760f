"""A Streamlit server for browser benchmarks: ``streamlit run SCRIPT`` on a free loopback port, with
every script run logged (session, start and end on the monotonic clock, CPU time of the script thread)
to a JSON-lines file, without touching the page's code; and the machine's process table
(:func:`processes`, :func:`tree`) to tell the servers' CPU and memory from the browser's. Used by
``bench_sessions.py`` and ``bench_first_chart.py``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# ``streamlit run`` with every script run logged to argv[1]. Run with ``python -c SERVE LOG run …``.
SERVE = """
import json, sys, time
from streamlit.runtime.scriptrunner import script_runner
from streamlit.web import cli

log = open(sys.argv[1], "a", buffering=1)
run = script_runner.ScriptRunner._run_script

def timed(self, rerun_data):
    start, cpu = time.perf_counter(), time.thread_time()
    try:
        run(self, rerun_data)
    finally:
        log.write(json.dumps({"session": self._session_id, "start": start, "end": time.perf_counter(),
                              "cpu": time.thread_time() - cpu}) + "\\n")

script_runner.ScriptRunner._run_script = timed
sys.argv = ["streamlit", *sys.argv[2:]]
cli.main()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoggedServer:
    """``streamlit run script`` from ``app_dir`` on a free port, its store a SQLite file in ``folder``
    (plus ``env``), its script runs logged to ``runs`` and its output to a file (a pipe could fill up
    and stall the server). Waits until it answers (``timeout`` seconds)."""

    def __init__(self, script: str, folder: Path, app_dir: Path, *, env: dict | None = None,
                 timeout: float = 90, name: str = "server") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.runs = folder / f"runs-{self.port}.jsonl"
        environ = {**os.environ, "REGEN_DATABASE_URL": f"sqlite:///{folder / 'regen.db'}", **(env or {})}
        self.log = open(folder / f"{name}-{self.port}.log", "w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(self.runs), "run", script, "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=app_dir, env=environ, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("streamlit exited:\n" + self.output())
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("streamlit did not answer in time")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def script_runs(self) -> list[dict]:
        """The script runs logged so far: session, start, end (``time.perf_counter`` of this machine), cpu."""
        return [json.loads(line) for line in self.runs.read_text().splitlines()] if self.runs.exists() else []

    def stop(self) -> str:
        """Stop the server; its log."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        out = self.output()
        self.log.close()
        return out


@dataclass(frozen=True)
class Proc:
    parent: int
    cpu: float  # its own CPU seconds (user + system), not its reaped children's
    cpu_with_children: float  # with its reaped children's
    rss_mb: float


def processes() -> dict[int, Proc]:
    """Every process of this machine, read from /proc: pid → :class:`Proc`."""
    tick, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
    out = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            out[int(entry.name)] = Proc(int(fields[1]), sum(map(int, fields[11:13])) / tick,
                                        sum(map(int, fields[11:15])) / tick, int(fields[21]) * page / 2**20)
    return out


def tree(table: dict[int, Proc], root: int) -> set[int]:
    """``root`` and its descendants in ``table`` (from :func:`processes`)."""
    children: dict[int, list[int]] = {}
    for pid, proc in table.items():
        children.setdefault(proc.parent, []).append(pid)
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in table and pid not in found:
            found.add(pid)
            todo += children.get(pid, [])
    return found
