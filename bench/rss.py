"""The server's memory (RSS) while a browser visits every standard depth on every page.

Run ``python bench/rss.py``. It starts the app (``resnet_viz.ui.serve.running_app``),
opens Debian's chromium through Playwright, and for both families and every
standard depth loads Overview, Diagram, Tables & charts and Gradients by URL,
waiting each time until the script run has finished (``IDLE_JS``), plus a fixed
settling time for the browser to draw. A thread samples the server process's
resident set size (``VmRSS`` in ``/proc/<pid>/status``, Linux only) every 0.25 s.

Heavy gradient probes are not started (they wait for a click; that is part of what
is measured); light ones run as a visitor would see them.

Prints the curve (RSS after each visit and the peak during it) and the final
figures: the RSS after the tour, after 10 s idle, and the peak. Exits 1 if the
idle RSS is above ``--limit`` MiB (default 1536, the classroom target) unless
``--no-fail``.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resnet_viz.arch.presets import STANDARD_DEPTHS
from resnet_viz.arch.spec import Family
from resnet_viz.ui.serve import CHROMIUM, CHROMIUM_ARGS, IDLE_JS, running_app

PAGES = {"overview": "", "diagram": "diagram", "tables": "tables", "gradients": "gradients"}
MIB = 1024 * 1024


def server_pid(port: int) -> int:
    """The ``streamlit run`` process listening on ``port`` (found by its command line)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(cmd) and str(port).encode() in cmd:
            return int(proc.name)
    raise RuntimeError(f"no streamlit process on port {port}")


def rss(pid: int) -> int:
    """Resident set size of ``pid`` in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


class Sampler(threading.Thread):
    """Samples a process's RSS; ``peak_since_mark`` is the largest sample since ``mark``."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()
        self._mark = 0

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((time.monotonic(), rss(self.pid)))
            time.sleep(self.every)

    def mark(self) -> None:
        self._mark = len(self.samples)

    def peak_since_mark(self) -> int:
        return max((r for _, r in self.samples[self._mark:]), default=rss(self.pid))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=float, default=1536, help="idle RSS target in MiB")
    ap.add_argument("--settle", type=float, default=1.0, help="seconds to wait after idle")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per page at most")
    ap.add_argument("--no-fail", action="store_true")
    a = ap.parse_args()
    with running_app(timeout=120) as url, sync_playwright() as pw:
        pid = server_pid(int(url.rsplit(":", 1)[1]))
        sampler = Sampler(pid)
        sampler.start()
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(a.timeout * 1000)
        print(f"server pid {pid}; RSS at start {rss(pid) / MIB:,.0f} MiB")
        print("| family | depth | page | RSS after (MiB) | peak during (MiB) | seconds |")
        print("|---|---|---|---|---|---|")
        t_start = time.monotonic()
        for family in Family:
            for depth in STANDARD_DEPTHS[family]:
                for name, path in PAGES.items():
                    sampler.mark()
                    t0 = time.monotonic()
                    page.goto(f"{url}/{path}?arch.family={family.value}&arch.depth={depth}")
                    page.get_by_test_id("stMain").get_by_role("heading", level=1).first \
                        .wait_for()
                    time.sleep(0.5)  # let the run start before waiting for its end
                    page.wait_for_function(IDLE_JS, timeout=a.timeout * 1000)
                    time.sleep(a.settle)
                    print(f"| {family.value} | {depth} | {name} | {rss(pid) / MIB:,.0f} | "
                          f"{sampler.peak_since_mark() / MIB:,.0f} | "
                          f"{time.monotonic() - t0:.1f} |", flush=True)
        after = rss(pid)
        browser.close()
        time.sleep(10)
        idle = rss(pid)
        sampler.stop.set()
        peak = max(r for _, r in sampler.samples)
    print(f"\ntour: {time.monotonic() - t_start:.0f} s; RSS after the tour {after / MIB:,.0f} MiB, "
          f"after 10 s idle {idle / MIB:,.0f} MiB, peak {peak / MIB:,.0f} MiB "
          f"(target: idle <= {a.limit:,.0f} MiB)")
    return 0 if a.no_fail or idle <= a.limit * MIB else 1


if __name__ == "__main__":
    raise SystemExit(main())
