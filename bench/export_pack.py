"""How long the teaching pack takes: ResNet-50's pack (target <= 5 s on this 2-core machine).

Run ``python bench/export_pack.py``. Builds the full pack (diagrams, TikZ,
tables, plots as PNG/SVG through kaleido + one offline HTML) twice: the first
build includes starting Chromium for kaleido, the second reuses it. Prints the
time per part and, as a reference in the same run, the time of one bare
``dot -Tsvg`` of the stage diagram, and a markdown table for the README. The
target is reported as met or missed; timings never make this exit non-zero.

Options: ``--repeats N`` (warm builds, default 2), ``--no-images`` (plots as
HTML only: what the pack costs without kaleido).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from resnet_viz.analysis import analyse
from resnet_viz.arch.presets import from_depth
from resnet_viz.export.graphviz import render
from resnet_viz.export.pack import build_pack, plan_pack
from resnet_viz.render.diagram import to_dot

TARGET_S = 5.0


def main() -> None:
    """Time the pack and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--no-images", action="store_true")
    a = ap.parse_args()
    spec = from_depth(50)
    an = analyse(spec)
    formats = ("html",) if a.no_images else ("png", "svg", "html")
    t0 = time.perf_counter()
    render(to_dot(spec, level="stage", analysis=an), "svg")
    dot_s = time.perf_counter() - t0
    runs = []
    for _ in range(1 + a.repeats):
        t0 = time.perf_counter()
        pack = build_pack(spec, analysis=an, items=plan_pack(spec, analysis=an,
                                                             plot_formats=formats))
        runs.append((time.perf_counter() - t0, pack))
    cold, warm = runs[0][0], statistics.median(r[0] for r in runs[1:])
    pack = runs[-1][1]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"{len(pack.files)} files, {len(pack.data) / 1e6:.1f} MB zipped")
    print("| build | seconds |\n|:---|---:|")
    print(f"| first (starts Chromium) | {cold:.2f} |")
    print(f"| later (median of {a.repeats}) | {warm:.2f} |")
    for part, s in sorted(runs[-1][1].seconds.items()):
        print(f"| {part} (own time; plots overlap the rest) | {s:.2f} |")
    print(f"| reference: one `dot -Tsvg` of the stage diagram | {dot_s:.2f} |")
    verdict = "met" if warm <= TARGET_S else "MISSED"
    print(f"target <= {TARGET_S:g} s (later builds): {verdict}")


if __name__ == "__main__":
    main()
