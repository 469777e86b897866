"""Sentences generated from a lab run's measured numbers.

He et al. 2015 claim that a deeper *plain* net ends with higher training error
than a shallower one, while deeper *residual* nets do not. The captions state
what this run measured, in whichever direction it went.
"""

from __future__ import annotations

import math

import numpy as np

from resnet_viz.fmt import fmt_factor
from resnet_viz.lab.landscape import Landscape
from resnet_viz.lab.paths import PathGradients
from resnet_viz.lab.shatter import Shatter
from resnet_viz.lab.train import Degradation, Kind, NetHistory


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _state(n: NetHistory) -> str:
    return f"training error {_pct(n.final_error)} (loss {n.final_loss:.3f})"


def _compare_depths(run: Degradation, kind: Kind) -> str:
    """One sentence: the deepest against the shallowest net of one kind."""
    lo, hi = run.net(kind, run.config.depths[0]), run.net(kind, run.config.depths[-1])
    if not (lo.train_loss and hi.train_loss):
        return ""
    epochs = min(len(lo.train_loss), len(hi.train_loss))
    a, b = lo.train_loss[epochs - 1], hi.train_loss[epochs - 1]
    ea, eb = 1 - lo.train_acc[epochs - 1], 1 - hi.train_acc[epochs - 1]
    if eb > ea:
        verdict = f"the deeper {kind} net trained worse (higher training error)"
    elif eb < ea:
        verdict = f"the deeper {kind} net trained better (lower training error)"
    else:
        verdict = f"both {kind} nets reached the same training error"
    loss_word = "higher" if b > a else "lower" if b < a else "the same"
    return (f"{kind.capitalize()} nets after epoch {epochs}: {hi.label} has training error "
            f"{_pct(eb)} against {_pct(ea)} for {lo.label} — {verdict}; its training loss "
            f"is {loss_word} ({b:.3f} against {a:.3f}).")


def degradation_caption(run: Degradation) -> str:
    """What the run shows about depth, with and without shortcuts (generated).

    Returns an empty string before the first epoch has ended.
    """
    depths = run.config.depths
    parts: list[str] = []
    if len(depths) > 1:
        plain = _compare_depths(run, Kind.PLAIN)
        resid = _compare_depths(run, Kind.RESIDUAL)
        parts += [s for s in (plain, resid) if s]
        if plain and resid:
            p_lo, p_hi = run.net(Kind.PLAIN, depths[0]), run.net(Kind.PLAIN, depths[-1])
            r_lo, r_hi = run.net(Kind.RESIDUAL, depths[0]), run.net(Kind.RESIDUAL, depths[-1])
            plain_degrades = p_hi.final_error > p_lo.final_error
            resid_degrades = r_hi.final_error > r_lo.final_error
            if plain_degrades and not resid_degrades:
                parts.append("This run reproduces the degradation problem as He et al. 2015 "
                             "describe it: depth hurt the plain nets and not the residual ones.")
            elif plain_degrades and resid_degrades:
                parts.append("Depth hurt both kinds in this run, so it does not show the "
                             "paper's claim that residual nets are spared; the deeper nets may "
                             "need more epochs.")
            elif not plain_degrades:
                parts.append("The deeper plain net did not end with higher training error "
                             "in this run, so it does not show the degradation problem.")
    deep = depths[-1]
    p, r = run.net(Kind.PLAIN, deep), run.net(Kind.RESIDUAL, deep)
    if p.train_loss and r.train_loss:
        better = "residual" if r.final_loss < p.final_loss else "plain"
        parts.append(f"At {deep} layers: plain {_state(p)}, residual {_state(r)}; the "
                     f"{better} net has the lower training loss.")
    if run.stopped:
        parts.append(f"Stopped after {run.epochs_done} of {run.config.epochs} epochs.")
    return " ".join(parts)


def gradient_caption(run: Degradation) -> str:
    """How the first/last-block weight-gradient ratio moved during training (generated)."""
    out = []
    for n in run.nets:
        v = [x for x in n.grad_ratio if math.isfinite(x)]
        if len(v) < 2:
            continue
        out.append(f"{n.label}: {fmt_factor(v[0])} at the first step, {fmt_factor(v[-1])} "
                   f"at step {len(n.grad_ratio)}")
    if not out:
        return ""
    return ("First-block over last-block weight-gradient norm (1 means both ends learn "
            "at the same rate): " + "; ".join(out) + ".")


def landscape_caption(plain: Landscape, residual: Landscape) -> str:
    """How sharply the loss rises away from the trained weights, per net (generated)."""
    parts = []
    for ls in (plain, residual):
        ring = np.concatenate([ls.loss[0], ls.loss[-1], ls.loss[1:-1, 0], ls.loss[1:-1, -1]])
        parts.append((ls, float(np.median(ring))))
    words = [f"{ls.label}: {ls.centre:.3f} at the trained weights, median {edge:.3g} on the "
             f"grid's border ({fmt_factor(edge / ls.centre)} times the centre)"
             for ls, edge in parts if ls.centre > 0]
    if not words:
        return ""
    flatter = min(parts, key=lambda p: p[1] / p[0].centre if p[0].centre > 0 else math.inf)[0]
    span = float(plain.coords[-1])
    return (f"Training loss along a random filter-normalised slice, out to {span:g} filter "
            f"norms: " + "; ".join(words) + f". The {flatter.label} net's loss rises less "
            "in relative terms on this slice.")


def paths_caption(init: PathGradients, trained: PathGradients) -> str:
    """Where the gradient comes from, by path length (generated)."""
    n = trained.blocks
    out = [f"A residual net of {n} blocks has {2 ** n:,} paths; most have length near "
           f"{int(np.argmax(trained.counts))}."]
    for pg in (init, trained):
        lo, hi = pg.effective_range
        g = pg.grad
        if g[0] > 0:
            fall = (f"the gradient one path carries changes by a factor of "
                    f"{fmt_factor(g[-1] / g[0])} from length 0 to length {n}")
        else:
            fall = "paths of length 0 carry no gradient"
        out.append(f"{pg.label.split(', ')[-1].capitalize()}: lengths {lo}–{hi} carry 90% of "
                   f"the total gradient; {fall}.")
    return " ".join(out)


def shatter_caption(res: Shatter) -> str:
    """Lag-1 autocorrelation at the shallowest and deepest depth, per kind (generated)."""
    lo, hi = res.depths[0], res.depths[-1]
    words = [f"{kind} {v[0]:.2f} at depth {lo} → {v[-1]:.2f} at depth {hi}"
             if len(v) > 1 else f"{kind} {v[0]:.2f} at depth {lo}"
             for kind, v in res.lag1.items()]
    best = max(res.lag1.items(), key=lambda kv: kv[1][-1] if math.isfinite(kv[1][-1])
               else -math.inf)[0]
    return ("Lag-1 autocorrelation of the input gradient along the line (1: smooth, 0: "
            "white noise): " + "; ".join(words) + f". At depth {hi} the {best} net keeps "
            "the most correlated gradient.")
