"""Values out: DOT diagrams, tables, charts and text/JSON/CSV reports (no files, no streamlit)."""
