"""Render speed on the deepest networks, as ratios to ``analyse()`` of the same spec.

Run ``python bench/render_speed.py``. What the test suite checks for correctness
(DOT for ResNet-152 at layer level and CIFAR-1202 at block level, the five
charts and the layer table of CIFAR-1202) is timed here instead, so that a busy
machine never fails a test. Each figure is the median of ``--repeats`` runs
after a warm-up; the ratio divides it by the median time of ``analyse()``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_time

from resnet_viz.analysis import analyse
from resnet_viz.arch.presets import from_depth
from resnet_viz.render import charts, tables
from resnet_viz.render.diagram import Level, to_dot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    r152, c1202 = from_depth(152), from_depth(1202, family="cifar")
    an152, an1202 = analyse(r152), analyse(c1202)
    base = {r152: median_time(lambda: analyse(r152), args.repeats),
            c1202: median_time(lambda: analyse(c1202), args.repeats)}
    cases: list[tuple[str, object, Callable[[], object]]] = [
        ("DOT, ResNet-152 layer level", r152,
         lambda: to_dot(r152, level=Level.LAYER, analysis=an152)),
        ("DOT, CIFAR-1202 block level", c1202,
         lambda: to_dot(c1202, level=Level.BLOCK, analysis=an1202)),
        ("five charts, CIFAR-1202", c1202,
         lambda: [charts.params_macs_by_stage(an1202), charts.params_treemap(an1202),
                  charts.shape_by_stage(an1202), charts.receptive_field(an1202),
                  charts.memory_by_stage(an1202)]),
        ("layer table, CIFAR-1202", c1202,
         lambda: tables.layer_table(an1202, convention=tables.Convention.ALL_OPS)),
    ]
    print("| what | median | analyse() of the same net | ratio |")
    print("|---|---|---|---|")
    for name, spec, fn in cases:
        t = median_time(fn, args.repeats)
        b = base[spec]  # type: ignore[index]
        print(f"| {name} | {t * 1e3:.1f} ms | {b * 1e3:.2f} ms | {t / b:.0f}x |")


if __name__ == "__main__":
    main()
