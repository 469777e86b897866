"""The server's own time per rerun with eight browser sessions at once, and its memory/CPU.

Eight Chromium contexts (one browser) each browse Overview -> Diagram -> Tables at
their own standard depth, twice (the second round at another depth), all at the
same time. The app logs the wall time of every script run on the server
(``RESNET_VIZ_TIMING_LOG``), so the figures are the server's, not the eight
browsers' (which share the same cores). Also reports the server's resident memory
and CPU seconds, per session, for sizing a class deployment.

With ``--heavy``: one session starts a big gradient probe (ResNet-152 at 224x224,
Run pressed) while the other seven browse Overview -> Diagram at standard depths;
the seven light sessions' server time per rerun is reported without and with the
heavy session (same server, same run), and their ratio.

Run: ``PYTHONPATH=. .venv/bin/python bench/concurrency.py [--sessions 8] [--heavy]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from resnet_viz.ui.serve import CHROMIUM, CHROMIUM_ARGS, IDLE_JS, ROOT, free_port

DEPTHS = [("imagenet", d) for d in (18, 34, 50, 101, 152)] + [("cifar", d) for d in (20, 56, 110)]
PAGES = ["", "diagram", "tables"]
LIMIT = 600_000


def _proc_stats(pid: int) -> tuple[int, float]:
    """(resident bytes, CPU seconds) of a process, from /proc."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return rss, (int(fields[11]) + int(fields[12])) / ticks


def _start(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "RESNET_VIZ_TIMING_LOG": str(log), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless",
         "true", "--server.address", "127.0.0.1", "--server.port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(
        values) > 1 else values[0]


@contextmanager
def _session(sessions: int) -> Iterator[tuple[subprocess.Popen[bytes], str, Path, list[Page]]]:
    """A logging server and one browser context per session; both stopped afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "timing.tsv"
        proc, url = _start(log)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                yield proc, url, log, [browser.new_context().new_page() for _ in range(sessions)]
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--heavy", action="store_true",
                    help="one session runs a big probe while the others browse")
    ap.add_argument("--heavy-url", default=HEAVY_URL,
                    help="the heavy session's page (its Run button is pressed)")
    a = ap.parse_args()
    if a.heavy:
        heavy_main(a.sessions, a.rounds, a.heavy_url)
        return
    with _session(a.sessions) as (proc, url, log, pages):
        # warm-up (imports torch, first build): one session, not measured
        pages[0].goto(f"{url}/?arch.depth=18")
        pages[0].wait_for_function(IDLE_JS, timeout=LIMIT)
        log.unlink(missing_ok=True)
        rss0, cpu0 = _proc_stats(proc.pid)
        load0 = os.getloadavg()[0]
        peak = rss0
        t0 = time.perf_counter()
        for r in range(a.rounds):
            for view in PAGES:
                for i, page in enumerate(pages):
                    family, depth = DEPTHS[(i + r * 3) % len(DEPTHS)]
                    page.goto(f"{url}/{view}?arch.family={family}&arch.depth={depth}",
                              wait_until="commit")
                for page in pages:  # all eight are loading at once
                    page.wait_for_function(IDLE_JS, timeout=LIMIT)
                    page.locator("h1").first.wait_for(timeout=LIMIT)
                peak = max(peak, _proc_stats(proc.pid)[0])
        wall = time.perf_counter() - t0
        rss1, cpu1 = _proc_stats(proc.pid)  # before the server stops
        rows = [line.split("\t") for line in log.read_text().splitlines()]
    print(f"{a.sessions} sessions x {a.rounds} rounds x {len(PAGES)} pages, "
          f"{len(rows)} reruns logged, {wall:.0f} s wall; {os.cpu_count()} CPUs, "
          f"1-min load {load0:.1f} before the run")
    for page_name in sorted({p for p, _ in rows}):
        times = [float(t) for p, t in rows if p == page_name]
        print(f"  {page_name:10s} n={len(times):3d}  p50 {statistics.median(times):6.2f} s  "
              f"p95 {_pct(times, 95):6.2f} s  max {max(times):6.2f} s")
    every = [float(t) for _, t in rows]
    print(f"  {'all':10s} n={len(every):3d}  p50 {statistics.median(every):6.2f} s  "
          f"p95 {_pct(every, 95):6.2f} s")
    print(f"server RSS: {rss0 / 2**20:.0f} MiB after warm-up -> peak {peak / 2**20:.0f} MiB, "
          f"{rss1 / 2**20:.0f} MiB after; "
          f"{(peak - rss0) / a.sessions / 2**20:.0f} MiB per session at peak")
    print(f"server CPU: {cpu1 - cpu0:.1f} s for {a.sessions} sessions "
          f"({(cpu1 - cpu0) / a.sessions:.1f} s per session for "
          f"{a.rounds * len(PAGES)} page visits)")


HEAVY_URL = "gradients?arch.depth=152&grad.size=224&grad.seeds=4"
LIGHT_PAGES = ["", "diagram"]


def _browse(pages: list[Page], url: str, rounds: int) -> float:
    """Every page visits Overview then Diagram at its own standard depth, ``rounds`` times,
    all at once; the wall time."""
    t0 = time.perf_counter()
    for r in range(rounds):
        for view in LIGHT_PAGES:
            for i, page in enumerate(pages):
                family, depth = DEPTHS[(i + r * 3) % len(DEPTHS)]
                page.goto(f"{url}/{view}?arch.family={family}&arch.depth={depth}",
                          wait_until="commit")
            for page in pages:
                page.wait_for_function(IDLE_JS, timeout=LIMIT)
                page.locator("h1").first.wait_for(timeout=LIMIT)
    return time.perf_counter() - t0


def _light(log: Path, start: int) -> list[float]:
    """The light pages' rerun times logged from line ``start`` on."""
    rows = [line.split("\t") for line in log.read_text().splitlines()[start:]]
    return [float(t) for p, t in rows if p in ("overview", "diagram")]


def _lines(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def heavy_main(sessions: int, rounds: int, heavy_url: str) -> None:
    """Light sessions' server time per rerun, alone and beside one heavy probe."""
    # the probe is not waited for: the server is stopped when the block ends
    with _session(sessions) as (_proc, url, log, (heavy, *light)):
        # warm-up: the same visits once, unmeasured, so that both measured phases
        # find the same warm caches (otherwise the second phase is favoured)
        _browse(light, url, rounds)
        load_a = os.getloadavg()
        mark = _lines(log)
        wall_a = _browse(light, url, rounds)
        alone = _light(log, mark)
        heavy.goto(f"{url}/{heavy_url}")
        heavy.wait_for_function(IDLE_JS, timeout=LIMIT)
        run = heavy.get_by_role("button", name="Run probe")
        clicked = run.count() > 0
        if clicked:
            run.first.click()
        heavy.wait_for_timeout(2000)  # let the probe's rerun start on the server
        t_heavy = time.perf_counter()
        load_b = os.getloadavg()
        mark = _lines(log)
        wall_b = _browse(light, url, rounds)
        busy = not heavy.evaluate(IDLE_JS)
        beside = _light(log, mark)
        heavy_wall = time.perf_counter() - t_heavy
        probe = [float(t) for p, t in (ln.split("\t") for ln in log.read_text().splitlines())
                 if p == "gradients"]
    print(f"{len(light)} light sessions x {rounds} rounds x Overview, Diagram; heavy: "
          f"/{heavy_url} (Run {'pressed' if clicked else 'not needed'}); {os.cpu_count()} CPUs")
    print(f"  load average (1/5/15 min) before the light-only phase: "
          f"{'/'.join(f'{x:.1f}' for x in load_a)}; before the heavy phase: "
          f"{'/'.join(f'{x:.1f}' for x in load_b)}")
    print(f"  light phase wall: {wall_a:.0f} s alone, {wall_b:.0f} s beside the probe; the "
          f"probe {'was still running' if busy else 'had finished'} when the light sessions "
          f"were done ({heavy_wall:.0f} s after the click; probe reruns that finished: "
          f"{', '.join(f'{t:.1f} s' for t in probe) or 'none'})")
    print(f"  {'light reruns':22s} {'n':>4s} {'p50 s':>7s} {'p95 s':>7s} {'max s':>7s}")
    for label, times in (("alone", alone), ("beside heavy probe", beside)):
        print(f"  {label:22s} {len(times):4d} {statistics.median(times):7.2f} "
              f"{_pct(times, 95):7.2f} {max(times):7.2f}")
    print(f"  ratio beside/alone: p50 x{statistics.median(beside) / statistics.median(alone):.2f}"
          f", p95 x{_pct(beside, 95) / _pct(alone, 95):.2f}")


if __name__ == "__main__":
    main()
