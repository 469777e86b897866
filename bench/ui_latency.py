"""UI latency of the Diagram page in a real browser (Debian's chromium via Playwright).

Run ``python bench/ui_latency.py``. It measures

* **cold start**: from spawning ``streamlit run app.py`` to the first complete
  render of ``/diagram`` (ResNet-50, stage level); repeated ``--cold`` times,
  each with a fresh server process (and so empty caches);
* **depth change**: picking 18 / 50 / 152 in the sidebar's Depth box while the
  Diagram page is open, at stage, block and layer level. The first switch to a
  depth at a level is *uncached* (no DOT, no SVG for it yet); later switches are
  *revisits* (the DOT and the server-laid-out SVG come from ``st.cache_data``).

"Complete" means: a script run has started since the click, the app is idle
again (``data-test-script-state="notRunning"`` on the app root, and no status
widget), and the drawn SVG (the server-laid-out SVG inside the diagram viewer's
iframe, or ``st.graphviz_chart`` where ``dot`` is missing) has a text element
that is exactly the new network's name ("ResNet-152"). Times are taken inside
the page (``performance.now()`` at the option's click event and at the first
animation frame where the page is complete), so Playwright's own round trips
are not counted. The per-depth table also splits each change into the run as
the page sees it (``running`` -> ``notRunning``: the script plus the drawing
done while it runs) and what is left to draw after it.

Options: ``--reps N`` switches per depth and level (default 5; the first is the
uncached one), ``--cold N`` cold starts (default 3), ``--levels stage,block``.
Prints markdown tables for the README; exits 1 if a target is missed
(cached change <= 1 s, cold start <= 8 s) unless ``--no-fail``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resnet_viz.ui.serve import CHROMIUM, CHROMIUM_ARGS, running_app

DEPTHS = (18, 50, 152)
START_DEPTH = 34  # the page opens here, so the first switch to each of DEPTHS is uncached
WARM_TARGET_S = 1.0
COLD_TARGET_S = 8.0
TIMEOUT_MS = 120_000

# Records the script state's changes (the app root's data-test-script-state) and
# the time of the last click, before any of the page's own scripts run.
INIT_JS = """
window.__lat = {runs: 0, tRunning: null, tIdle: null, tClick: null};
new MutationObserver((muts) => {
  for (const m of muts) {
    const s = m.target.getAttribute('data-test-script-state');
    if (s === 'running' && m.oldValue !== 'running') {
      window.__lat.runs += 1; window.__lat.tRunning = performance.now();
    } else if (s === 'notRunning') { window.__lat.tIdle = performance.now(); }
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
document.addEventListener('click', () => { window.__lat.tClick = performance.now(); }, true);
"""

# Truthy (the time) once a run started after `runs0`, the app is idle and the SVG names `name`.
DONE_JS = """([name, runs0]) => {
  const L = window.__lat;
  if (L.runs <= runs0) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const docs = [document];
  for (const f of document.querySelectorAll('iframe')) {
    try { if (f.contentDocument) docs.push(f.contentDocument); } catch (e) {}
  }
  for (const d of docs) {
    for (const t of d.querySelectorAll('svg text')) {
      if (t.textContent.trim() === name) return performance.now();
    }
  }
  return false;
}"""


def runs(page: Page) -> int:
    return int(page.evaluate("() => window.__lat.runs"))


def wait_done(page: Page, name: str, runs0: int) -> float:
    """Wait (polling every animation frame) until complete; the page-time it became so."""
    handle = page.wait_for_function(DONE_JS, arg=[name, runs0], polling="raf",
                                    timeout=TIMEOUT_MS)
    return float(handle.json_value())


def net_name(depth: int) -> str:
    return f"ResNet-{depth}"


def cold_start(browser: Browser) -> dict[str, float]:
    """Spawn the app, open /diagram, wait for the first complete render."""
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.add_init_script(INIT_JS)
    t0 = time.perf_counter()
    with running_app() as url:
        t_health = time.perf_counter() - t0
        page.goto(f"{url}/diagram?arch.depth=50", wait_until="commit")
        wait_done(page, net_name(50), 0)
        total = time.perf_counter() - t0
    page.close()
    return {"health": t_health, "total": total}


def set_level(page: Page, level: str, name: str) -> None:
    """Switch the Diagram page's level and wait until it has redrawn."""
    radio = page.get_by_test_id("stMain").get_by_role("radio", name=level, exact=True)
    if radio.get_attribute("aria-checked") == "true":
        return
    r0 = runs(page)
    radio.click()
    wait_done(page, name, r0)


def change_depth(page: Page, depth: int) -> dict[str, float]:
    """Pick ``depth`` in the sidebar; in-page times of the change (seconds)."""
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(
        has=page.get_by_text("Depth", exact=True))
    box.click()
    option = page.get_by_role("option", name=str(depth), exact=True)
    option.wait_for()
    r0 = runs(page)
    option.click()
    t_done = wait_done(page, net_name(depth), r0)
    lat: dict[str, Any] = page.evaluate("() => window.__lat")
    t_click, t_run, t_idle = lat["tClick"], lat["tRunning"], lat["tIdle"]
    return {"total": (t_done - t_click) / 1000, "server": (t_idle - t_run) / 1000,
            "to_run": (t_run - t_click) / 1000, "after": (t_done - t_idle) / 1000}


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def fmt(x: float) -> str:
    return f"{x:.2f} s"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=5, help="switches per depth and level")
    ap.add_argument("--cold", type=int, default=3, help="cold starts")
    ap.add_argument("--levels", default="stage,block,layer")
    ap.add_argument("--no-fail", action="store_true", help="exit 0 even if a target is missed")
    args = ap.parse_args(argv)
    levels = [x.strip() for x in args.levels.split(",") if x.strip()]

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# UI latency (Diagram page)  cores={os.cpu_count()}  load1={load:.2f}\n")
    colds: list[dict[str, float]] = []
    # (level, depth) -> list of change timings, first = uncached
    changes: dict[tuple[str, int], list[dict[str, float]]] = defaultdict(list)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for i in range(args.cold):
            colds.append(cold_start(browser))
            print(f"cold start {i + 1}: {fmt(colds[-1]['total'])} "
                  f"(health endpoint after {fmt(colds[-1]['health'])})", flush=True)
        with running_app() as url:
            for level in levels:
                page = browser.new_page(viewport={"width": 1500, "height": 1000})
                page.add_init_script(INIT_JS)
                page.goto(f"{url}/diagram?arch.depth={START_DEPTH}")
                wait_done(page, net_name(START_DEPTH), 0)
                set_level(page, level, net_name(START_DEPTH))
                for _ in range(args.reps):
                    for depth in DEPTHS:
                        t = change_depth(page, depth)
                        changes[level, depth].append(t)
                        print(f"{level:5} -> {depth:3}: {fmt(t['total'])} "
                              f"(run {fmt(t['server'])}, after {fmt(t['after'])})", flush=True)
                page.close()
        browser.close()

    cold = med([c["total"] for c in colds])
    print("\n| measurement | median | min – max | n | target |")
    print("|---|---|---|---|---|")
    print(f"| cold start: spawn → Diagram page drawn (ResNet-50, stage) | {fmt(cold)} | "
          f"{fmt(min(c['total'] for c in colds))} – {fmt(max(c['total'] for c in colds))} | "
          f"{len(colds)} | ≤ {COLD_TARGET_S:.0f} s |")
    worst_cached = 0.0
    for level in levels:
        first = [changes[level, d][0]["total"] for d in DEPTHS]
        cached = [t["total"] for d in DEPTHS for t in changes[level, d][1:]]
        worst_cached = max([worst_cached, med(cached)])
        print(f"| depth change, {level} level, first visit (uncached) | {fmt(med(first))} | "
              f"{fmt(min(first))} – {fmt(max(first))} | {len(first)} | |")
        if cached:
            print(f"| depth change, {level} level, revisit (cached) | {fmt(med(cached))} | "
                  f"{fmt(min(cached))} – {fmt(max(cached))} | {len(cached)} | "
                  f"≤ {WARM_TARGET_S:.0f} s |")

    print("\nPer depth (medians of revisits; first visit separately; run = running -> idle"
          " as the page sees it; after = drawing left after the run):\n")
    print("| level | depth | first visit | revisit | run | after |")
    print("|---|---|---|---|---|---|")
    for level in levels:
        for d in DEPTHS:
            ts = changes[level, d]
            rest = ts[1:] or ts
            print(f"| {level} | {d} | {fmt(ts[0]['total'])}"
                  f" | {fmt(med([t['total'] for t in rest]))}"
                  f" | {fmt(med([t['server'] for t in rest]))}"
                  f" | {fmt(med([t['after'] for t in rest]))} |")

    missed = []
    if cold > COLD_TARGET_S:
        missed.append(f"cold start {fmt(cold)} > {COLD_TARGET_S} s")
    if worst_cached > WARM_TARGET_S:
        missed.append(f"cached change {fmt(worst_cached)} > {WARM_TARGET_S} s")
    print("\n" + ("targets met" if not missed else "TARGETS MISSED: " + "; ".join(missed)))
    return 1 if missed and not args.no_fail else 0


if __name__ == "__main__":
    sys.exit(main())
