"""The server's own time per rerun with eight browser sessions at once, and its memory/CPU.

Eight Chromium contexts (one browser) each browse Overview -> Diagram -> Tables at
their own standard depth, twice (the second round at another depth), all at the
same time. The app logs the wall time of every script run on the server
(``RESNET_VIZ_TIMING_LOG``), so the figures are the server's, not the eight
browsers' (which share the same cores). Also reports the server's resident memory
and CPU seconds, per session, for sizing a class deployment.

Run: ``PYTHONPATH=. .venv/bin/python bench/concurrency.py [--sessions 8]``
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
from pathlib import Path

from playwright.sync_api import sync_playwright

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "timing.tsv"
        proc, url = _start(log)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                pages = [browser.new_context().new_page() for _ in range(a.sessions)]
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
                browser.close()
            rss1, cpu1 = _proc_stats(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
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


if __name__ == "__main__":
    main()
