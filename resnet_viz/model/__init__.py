"""Torch modules from a spec: the builder, the plain twin, hook points, traces."""
