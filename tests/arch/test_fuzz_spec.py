"""Fuzzing the whole spec space: each draw is a clear ValueError or a spec whose analysis
equals its traced model.

Every field is drawn from valid values mixed with hostile ones (zero, negative, NaN, inf,
huge, wrong type, unknown words); inputs are odd, tiny and non-square. Valid draws are
built on the ``meta`` device (shapes only) and cross-checked like the presets
(parameters == sum of numel, every output shape == its forward hook, MACs ==
FlopCounterMode / 2). Stages hold at most two blocks, so 1,000 draws stay quick.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from resnet_viz.analysis import analyse
from resnet_viz.arch.spec import ResNetSpec
from tests.model.test_trace import cross_check

HOSTILE_INTS = (0, -1, -5, 10**6, 10**9, 2**63, 10**308)
BAD_TYPES = (None, "abc", "", 2.5, float("nan"), True)


def fields(hostile: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Every field; with ``hostile`` each may also take a hostile value."""

    def _mixed(valid: st.SearchStrategy[Any], *bad: Any) -> st.SearchStrategy[Any]:
        return st.one_of(valid, valid, st.sampled_from(bad)) if hostile else valid

    block_count = _mixed(st.integers(1, 2), *HOSTILE_INTS, 1001, "2", *BAD_TYPES)
    side = _mixed(st.integers(1, 80), 0, -1, 2048, 2049, 10**6, "224", *BAD_TYPES)
    return st.fixed_dictionaries({
        "family": _mixed(st.sampled_from(["imagenet", "cifar"]), "IMAGENET", "foo", "",
                         "ｉｍａｇｅｎｅｔ", 3, None),
        "block": _mixed(st.sampled_from(["basic", "bottleneck"]), "Basic", "x", None),
        "blocks": st.lists(block_count, min_size=1, max_size=5).map(tuple) if not hostile
        else st.one_of(st.lists(block_count, min_size=0, max_size=7).map(tuple),
                       st.sampled_from([(), (2000,), (1000,) * 2])),
        "variant": _mixed(st.sampled_from(["v1", "v1.5"]), "v2", 1.5, None),
        "shortcut": _mixed(st.sampled_from(["A", "B", "C", "D"]), "E", "a", "", None),
        "preact": st.booleans(),
        "shortcuts": st.booleans(),
        "width_mult": _mixed(st.sampled_from([0.0625, 0.25, 0.5, 1.0, 1.5, 3.0]), 0.0, -1.0,
                             math.nan, math.inf, 1e9, 16.0, 16.5, 0.01, "2", "abc", None),
        "groups": _mixed(st.sampled_from([1, 1, 2, 4, 32]), 3, 7, 1024, 1025,
                         *HOSTILE_INTS, *BAD_TYPES),
        "width_per_group": _mixed(st.sampled_from([1, 4, 16, 64, 128]), 4096, 4097,
                                  *HOSTILE_INTS, *BAD_TYPES),
        "num_classes": _mixed(st.integers(1, 1000), 100_000, 100_001, *HOSTILE_INTS,
                              *BAD_TYPES),
        "in_channels": _mixed(st.integers(1, 4), 64, 65, *HOSTILE_INTS, *BAD_TYPES),
        "input_size": st.tuples(side, side) if not hostile else st.one_of(
            st.tuples(side, side), st.integers(1, 80),
            st.sampled_from([(224,), (1, 2, 3), "224x224", None])),
    })


def assert_clear(exc: ValueError) -> None:
    """One actionable line: not empty, not a traceback, not a wall of text."""
    text = str(exc)
    assert text and "\n" not in text and len(text) < 400, text
    assert "Traceback" not in text


@settings(max_examples=1000, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(fields(hostile=False), fields(hostile=True)))
def test_every_draw_is_a_clear_error_or_matches_its_model(kw: dict[str, Any]) -> None:
    try:
        spec = ResNetSpec(**kw)
        analyse(spec)
    except ValueError as exc:
        assert_clear(exc)
        event("clear ValueError")
        return
    event("cross-checked against the meta model")
    assert spec.depth == spec.to_dict()["depth"]
    assert ResNetSpec.from_dict(spec.to_dict()) == spec  # the URL/JSON round trip
    cross_check(spec, device="meta")
