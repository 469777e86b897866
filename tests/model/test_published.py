"""Published weights: the table, the class names, and fetching from a local HTTP server only."""

from __future__ import annotations

import functools
import hashlib
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from resnet_viz.arch import published_weights as pw
from resnet_viz.arch.presets import from_depth
from resnet_viz.model import published
from resnet_viz.model.build import build

TINY = from_depth(18, width_mult=0.25, num_classes=10, input_size=(32, 32))


def test_every_torchvision_config_has_a_file_and_others_have_reasons() -> None:
    for depth in (18, 34, 50, 101, 152):
        entry = pw.weights_for(from_depth(depth))
        assert entry is not None and entry.file.startswith(f"resnet{depth}-")
        assert len(entry.hash_prefix) == 8
    assert pw.weights_for(from_depth(50, groups=32, width_per_group=4)).name == "resnext50_32x4d"
    assert any("v1" in w for w in pw.published_mismatches(from_depth(50, variant="v1")))
    assert any("classes" in w for w in pw.published_mismatches(from_depth(50, num_classes=10)))
    with pytest.raises(ValueError, match="no published ImageNet weights"):
        published.entry_for(from_depth(200))


def test_class_names_are_the_standard_thousand() -> None:
    names = pw.imagenet_classes()
    assert len(names) == 1000
    assert (names[0], names[281], names[285], names[999]) == (
        "tench", "tabby", "Egyptian cat", "toilet tissue")


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """A directory served on 127.0.0.1 and set as the base URL; an empty hub cache."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv(published.ENV_BASE_URL, f"http://127.0.0.1:{server.server_port}/")
    try:
        yield root, f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _publish(root: Path, monkeypatch: pytest.MonkeyPatch, *, wrong_hash: bool = False
             ) -> tuple[pw.PublishedWeights, torch.nn.Module]:
    model = build(TINY, seed=5).eval()
    tmp = root / "tmp.pth"
    torch.save(model.state_dict(), tmp)
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()[:8]
    if wrong_hash:
        digest = f"{(int(digest, 16) + 1) % 16**8:08x}"
    entry = pw.PublishedWeights("tiny", 18, f"tiny-{digest}.pth")
    tmp.rename(root / entry.file)
    monkeypatch.setattr(published, "weights_for", lambda spec: entry)
    return entry, model


def test_correct_hash_downloads_caches_and_loads(served: tuple[Path, str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root, _ = served
    entry, model = _publish(root, monkeypatch)
    loaded = published.load_published(TINY)
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(model(x), loaded(x))
    cached = published.cache_dir() / entry.file
    assert cached.is_file()
    (root / entry.file).unlink()  # second load comes from the cache, not the server
    published.load_published(TINY)


def test_wrong_hash_is_refused_and_nothing_kept(served: tuple[Path, str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root, _ = served
    entry, _ = _publish(root, monkeypatch, wrong_hash=True)
    with pytest.raises(ValueError, match="refused"):
        published.load_published(TINY)
    assert not (published.cache_dir() / entry.file).exists()


def test_no_server_gives_offline_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv(published.ENV_BASE_URL, f"http://127.0.0.1:{port}")
    with pytest.raises(ValueError, match=r"Offline, place the file resnet18-f37072fd\.pth in"):
        published.load_published(from_depth(18))
