"""The UI's result stores: bounded by entries and bytes; stopped or failed work is not kept."""

from __future__ import annotations

import pytest

from resnet_viz.arch.presets import from_depth
from resnet_viz.probes import gradients
from resnet_viz.ui import probes
from resnet_viz.ui.cache import BoundedStore, size_of


def test_store_is_bounded_by_entries_and_by_bytes() -> None:
    kib = bytes(1024)
    by_count = BoundedStore(max_entries=2, max_bytes=10**9)
    for k in range(3):
        by_count.put(k, kib)
    assert list(by_count.items) == [1, 2]
    by_bytes = BoundedStore(max_entries=100, max_bytes=3 * size_of(kib))
    for k in range(5):
        by_bytes.put(k, kib)
    assert list(by_bytes.items) == [2, 3, 4] and by_bytes.nbytes <= 3 * size_of(kib)
    assert by_bytes.get(2) == kib  # a hit becomes the most recent entry
    by_bytes.put(5, kib)
    assert list(by_bytes.items) == [4, 2, 5]


def test_one_entry_larger_than_the_bound_is_still_kept_alone() -> None:
    store = BoundedStore(max_entries=4, max_bytes=10)
    store.put("a", bytes(100))
    store.put("b", bytes(100))
    assert list(store.items) == ["b"]


def test_a_stopped_probe_is_not_stored() -> None:
    probes.clear()
    spec = from_depth(8, family="cifar")
    config = gradients.ProbeConfig(batch=2, seeds=3)

    def stop_after_first(done: int, total: int, _msg: str) -> None:
        if done >= 1:
            raise probes.ProbeStopped(done, total)

    with pytest.raises(probes.ProbeStopped, match="stopped after 1 of 3"):
        probes.cached_probe(spec, config, stop_after_first)
    assert probes.stored_probe(spec, config) is None
    report = probes.cached_probe(spec, config)
    assert probes.stored_probe(spec, config) is report


def test_progress_bar_raises_once_stopped() -> None:
    flag = {"stop": False}
    update, clear = probes.progress_bar("Probe", lambda: flag["stop"])
    update(0, 3, "starting")
    flag["stop"] = True
    with pytest.raises(probes.ProbeStopped):
        update(1, 3, "seed 0")
    clear()


def test_a_run_whose_models_still_carry_hooks_is_sized_by_its_tensors() -> None:
    from resnet_viz.lab.train import Degradation, TrainConfig, spec_for
    from resnet_viz.model.build import build
    from resnet_viz.ui.cache import size_of

    model = build(spec_for(8, "residual"), seed=0)
    model.register_forward_hook(lambda *a: None)  # a local function: not picklable
    run = Degradation(TrainConfig(depths=(8,)), (), 1, True, 0.0, (model,))
    tensors = sum(t.numel() * t.element_size() for t in (*model.parameters(), *model.buffers()))
    assert tensors < size_of(run) < tensors + 4096
