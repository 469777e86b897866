"""Time and peak memory of each default lab experiment.

Run ``python bench/lab.py``. Each experiment runs once, with the page's and the
CLI's defaults, in a fresh subprocess so that its peak RSS (``ru_maxrss``,
which includes torch's import) is its own. The degradation run is also compared
with a bare training loop of the same nets, batches and optimiser without the
gradient recorder (the ratio is the cost of recording every step), and with
2 torch threads instead of the default 1. Targets: 30 s and 1 GB each; the
header prints the load average, since the machine may be shared.

Options: ``--only NAME`` runs one experiment in this process and prints JSON
(what the parent calls); ``--skip-extra`` leaves out the bare loop and the
thread comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_S = 30.0
TARGET_RSS_MB = 1024.0
EXPERIMENTS = ("degradation", "degradation-2-threads", "bare-training", "landscape", "paths",
               "shatter")


def _bare_training() -> None:
    """The default run's nets, batches and SGD steps with no hooks at all."""
    import torch
    from torch.nn import functional

    from resnet_viz.lab.data import load
    from resnet_viz.lab.train import Kind, TrainConfig, spec_for, torch_threads
    from resnet_viz.model.build import build

    c = TrainConfig()
    data = load(c.train_size)
    with torch_threads(c.threads):
        nets = [build(spec_for(d, k, c.width_mult), seed=c.seed) for d in c.depths
                for k in (Kind.PLAIN, Kind.RESIDUAL)]
        opts = [torch.optim.SGD(m.parameters(), lr=c.lr, momentum=c.momentum,
                                weight_decay=c.weight_decay) for m in nets]
        gen = torch.Generator().manual_seed(c.seed)
        for _ in range(c.epochs):
            order = torch.randperm(len(data.x_train), generator=gen)
            for m, opt in zip(nets, opts, strict=True):
                m.train()
                for i in range(0, len(order), c.batch):
                    idx = order[i:i + c.batch]
                    opt.zero_grad()
                    functional.cross_entropy(m(data.x_train[idx]), data.y_train[idx]).backward()
                    opt.step()
                m.eval()
                with torch.no_grad():
                    m(data.x_test)


def run_one(name: str) -> dict[str, float]:
    """Run one experiment here; seconds (excluding imports) and peak RSS in MB."""
    from resnet_viz.lab import landscape, paths, shatter
    from resnet_viz.lab.data import load
    from resnet_viz.lab.train import TrainConfig, train

    load()  # the digits are read once per process; not part of any experiment's time
    pre = {"landscape": None, "paths": None}
    run = train(TrainConfig()) if name in pre else None
    t0 = time.perf_counter()
    if name == "degradation":
        train(TrainConfig())
    elif name == "degradation-2-threads":
        train(TrainConfig(threads=2))
    elif name == "bare-training":
        _bare_training()
    elif name == "landscape" and run is not None:
        landscape.compare(run)
    elif name == "paths" and run is not None:
        paths.compare(run)
    elif name == "shatter":
        shatter.shatter()
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rss_mb": rss}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", choices=EXPERIMENTS)
    p.add_argument("--skip-extra", action="store_true")
    a = p.parse_args()
    if a.only:
        print(json.dumps(run_one(a.only)))
        return 0
    names = [n for n in EXPERIMENTS
             if not (a.skip_extra and n in ("degradation-2-threads", "bare-training"))]
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    results = {}
    for name in names:
        out = subprocess.run([sys.executable, __file__, "--only", name], capture_output=True,
                             text=True, check=True)
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"  {name}: {results[name]['seconds']:.1f} s, "
              f"{results[name]['rss_mb']:.0f} MB (load {os.getloadavg()[0]:.1f})", flush=True)
    print("\n| experiment (defaults) | time | peak RSS | within 30 s / 1 GB |")
    print("|---|---:|---:|---|")
    for name, r in results.items():
        ok = r["seconds"] <= TARGET_S and r["rss_mb"] <= TARGET_RSS_MB
        print(f"| {name} | {r['seconds']:.1f} s | {r['rss_mb']:.0f} MB | "
              f"{'yes' if ok else 'NO'} |")
    if "bare-training" in results:
        ratio = results["degradation"]["seconds"] / results["bare-training"]["seconds"]
        print(f"\nrecorded training / bare training: {ratio:.2f}x")
    if "degradation-2-threads" in results:
        ratio = results["degradation-2-threads"]["seconds"] / results["degradation"]["seconds"]
        print(f"2 threads / 1 thread: {ratio:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
