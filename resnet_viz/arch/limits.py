"""Every hard limit in one place, read by the spec, the CLI, the URL checks and the probes.

The limits keep hostile or careless input (a URL value, a CLI flag) from
asking for a network no machine can hold, while leaving room for every
network in the literature: CIFAR ResNet-1202 has 600 blocks, ResNet-200 has
66, ResNeXt-101 64x4d has 64 groups. Memory is bounded separately, by an
estimate against a budget (see the README's "Limits and safety").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    """An inclusive numeric range with the words used in messages."""

    lo: float
    hi: float
    what: str

    def check(self, value: float) -> None:
        """Raise an actionable ``ValueError`` unless ``lo <= value <= hi``.

        Raises:
            ValueError: ``"<what> must be between <lo> and <hi>; got <value>"``.
        """
        if not (self.lo <= value <= self.hi):  # also false for NaN
            raise ValueError(f"{self.what} must be between {_num(self.lo)} and "
                             f"{_num(self.hi)}; got {value!r}")

    def contains(self, value: float) -> bool:
        """Whether ``value`` is inside the range (NaN never is)."""
        return bool(self.lo <= value <= self.hi)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# --- architecture (ResNetSpec)
MAX_STAGES = 6
MAX_TOTAL_BLOCKS = 1000  # a bottleneck net of 1000 blocks is 3002 layers deep
MAX_INPUT_SIDE = 2048
MAX_CHANNELS = 16_384
CLASSES = Range(1, 100_000, "classes")
IN_CHANNELS = Range(1, 64, "input channels")
WIDTH_MULT = Range(0.0625, 16, "width multiplier")
GROUPS = Range(1, 1024, "groups")
WIDTH_PER_GROUP = Range(1, 4096, "width per group")
MIN_DEPTH = 4  # the custom-depth widget's floor; the spec names the nearest valid depth
MAX_DEPTH = 3 * MAX_TOTAL_BLOCKS + 2

# --- measurements (probes, memory figures)
BATCH = Range(1, 1024, "batch")  # a probe's batch
FIGURE_BATCH = Range(1, 4096, "batch")  # the batch of the memory figures (nothing is run)
SEEDS = Range(1, 64, "seeds")
MAX_SEED = 2**63 - 1  # torch.Generator.manual_seed takes a signed 64-bit integer
SEED = Range(0, MAX_SEED, "first seed")

# --- files the user supplies (checkpoints, images)
MAX_CHECKPOINT_BYTES = 1 << 30  # room for every torchvision ResNet file, wide-101 included
MAX_IMAGE_BYTES = 25 << 20  # an uploaded PNG/JPEG/WebP, before decoding
MAX_IMAGE_PIXELS = 40_000_000  # width x height, checked from the header before decoding

# --- memory budget (resnet_viz.analysis.budget estimates every build and probe against it)
MEMORY_BUDGET_ENV = "RESNET_VIZ_MEMORY_BUDGET_MB"
# 2,048 MiB per build or probe: a 24 GiB classroom server with ~1 GiB for the server
# itself and its caches can run about ten such jobs at once before it swaps or dies,
# and the largest standard probe at the default options fits. Raise it on a bigger
# machine, lower it for more concurrent users.
MEMORY_BUDGET_MB = 2048
MEMORY_BUDGET = Range(16, 1_048_576, "memory budget (MiB)")
# A probe or sweep above this much work (multiply-accumulates: both twins, forward and
# backward, every sample and seed) waits for a click instead of starting by itself. At
# the few GMAC/s of a busy 2-core CPU this is a few seconds of waiting.
HEAVY_PROBE_MACS = 20_000_000_000
