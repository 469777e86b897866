"""Compare page and scaling curve speed, each against a peer measured in the same run.

Run ``python bench/compare_scaling.py``. It measures

* **scaling curve**: :func:`resnet_viz.analysis.scaling.scaling_curve` over every
  valid CIFAR basic depth from 8 to 1202 (200 depths), median of ``--reps`` runs;
  against ``analyse()`` + ``memory()`` per depth (the same numbers, one full
  analysis each; median of 3) and against *building* the torch models: a sample
  of ``--build-sample`` depths evenly spread over the range is built once each
  and the mean build time is multiplied by 200 (an extrapolation, stated as such
  in the output; building all 200, the deepest 1202 layers, would take minutes).
* **compare page, warm**: Chromium (Playwright, Debian's chromium) opens the
  Compare page with four configurations (18 / 34 / 50 / 152), then switches the
  fourth column's depth between 101 and 152 ``--ui-reps`` times. Each change is
  timed inside the page from the option's click to the first animation frame at
  which a new script run has finished and the what-changed table's header names
  the new network. The first switch to 101 is uncached; the rest are warm.

Prints markdown tables for the README; exits 1 if a target is missed (scaling
<= 0.5 s, warm change <= 1 s) unless ``--no-fail``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ui_latency import INIT_JS, runs  # the same in-page clock as the Diagram benchmark

from resnet_viz.analysis import analyse, memory
from resnet_viz.analysis.scaling import scaling_curve
from resnet_viz.arch.presets import from_depth
from resnet_viz.model.build import build
from resnet_viz.ui.serve import CHROMIUM, CHROMIUM_ARGS, running_app

SCALING_TARGET_S = 0.5
WARM_TARGET_S = 1.0
LINK = "compare?compare.n=4"  # the page's default columns: 18 / 34 / 50 / 152
TIMEOUT_MS = 120_000

DONE_JS = """([name, runs0]) => {
  const L = window.__lat;
  if (L.runs <= runs0) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const head = document.querySelector('[data-testid="stTable"] thead');
  return head && head.innerText.includes(name) ? performance.now() : false;
}"""


def timed(fn: object, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - t0)
    return out


def bench_scaling(reps: int, sample: int) -> dict[str, float]:
    base = from_depth(20, family="cifar")
    pts = scaling_curve(base, hi=1202)
    depths = [p.depth for p in pts]
    curve = statistics.median(timed(lambda: scaling_curve(base, hi=1202), reps))

    def per_depth() -> None:
        for p in pts:
            memory(analyse(base.with_(blocks=p.blocks)))

    full = statistics.median(timed(per_depth, 3))
    step = max(1, len(pts) // sample)
    chosen = pts[::step][:sample]
    torch.set_num_threads(1)
    builds = []
    for p in chosen:
        t0 = time.perf_counter()
        build(base.with_(blocks=p.blocks), seed=0)
        builds.append(time.perf_counter() - t0)
    return {"n": len(depths), "curve": curve, "analyse": full,
            "build_est": statistics.mean(builds) * len(depths), "build_n": len(chosen),
            "build_sampled": sum(builds), "build_deepest": max(p.depth for p in chosen)}


def change_depth(page: Page, depth: int) -> float:
    """Pick ``depth`` in the fourth column; seconds from the click to the updated table."""
    box = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").filter(
        has=page.get_by_text("Depth", exact=True)).nth(3)
    box.click()
    option = page.get_by_role("option", name=str(depth), exact=True)
    option.wait_for()
    r0 = runs(page)
    option.click()
    handle = page.wait_for_function(DONE_JS, arg=[f"ResNet-{depth}", r0], polling="raf",
                                    timeout=TIMEOUT_MS)
    t_click = float(page.evaluate("() => window.__lat.tClick"))
    return (float(handle.json_value()) - t_click) / 1000


def bench_ui(reps: int) -> tuple[float, list[float]]:
    with running_app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.add_init_script(INIT_JS)
        page.goto(f"{url}/{LINK}")
        page.wait_for_function(DONE_JS, arg=["ResNet-152", 0], polling="raf",
                               timeout=TIMEOUT_MS)
        first = change_depth(page, 101)
        warm = [change_depth(page, d) for d in [152, 101] * (reps // 2)]
        browser.close()
    return first, warm


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=20, help="scaling-curve repetitions")
    ap.add_argument("--build-sample", type=int, default=10, help="depths built for real")
    ap.add_argument("--ui-reps", type=int, default=6, help="warm column changes")
    ap.add_argument("--no-ui", action="store_true", help="skip the browser measurement")
    ap.add_argument("--no-fail", action="store_true")
    a = ap.parse_args(argv)
    s = bench_scaling(a.reps, a.build_sample)
    print(f"\nScaling curve, every valid CIFAR basic depth 8..1202 ({s['n']} depths):\n")
    print("| method | time | vs the closed form |\n|---|---|---|")
    print(f"| closed form (`scaling_curve`), median of {a.reps} | {s['curve'] * 1000:.1f} ms "
          "| 1× |")
    print(f"| `analyse()` + `memory()` per depth, median of 3 | {s['analyse']:.2f} s | "
          f"{s['analyse'] / s['curve']:,.0f}× |")
    print(f"| building the torch models (estimate: mean of {s['build_n']} sampled depths up "
          f"to {s['build_deepest']} × {s['n']}; the sample took {s['build_sampled']:.1f} s) | "
          f"{s['build_est']:.0f} s | {s['build_est'] / s['curve']:,.0f}× |")
    ok = s["curve"] <= SCALING_TARGET_S
    if not a.no_ui:
        first, warm = bench_ui(a.ui_reps)
        print("\nCompare page, 4 configurations, change one column's depth (Chromium):\n")
        print("| change | median | min – max | n | target |\n|---|---|---|---|---|")
        print(f"| first (uncached) | {first:.2f} s | – | 1 | |")
        print(f"| warm | {statistics.median(warm):.2f} s | {min(warm):.2f} – {max(warm):.2f} s "
              f"| {len(warm)} | ≤ {WARM_TARGET_S:g} s |")
        ok = ok and statistics.median(warm) <= WARM_TARGET_S
    return 0 if ok or a.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
