"""Streamlit-facing code: the only package that imports streamlit."""
