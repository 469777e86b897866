"""Measurements on live models (gradients; later attributions and feature maps)."""
