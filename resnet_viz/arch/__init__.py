"""The architecture as data: spec, presets, plan, limits, names, paper facts (no torch)."""
