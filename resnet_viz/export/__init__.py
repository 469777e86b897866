"""Bytes in each file format (Graphviz layouts; later TikZ, tables and teaching packs)."""
