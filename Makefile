# Two commands do all set-up on a fresh Debian machine: `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8501

.PHONY: setup sysdeps run test lint bench clean

setup: $(STAMP) sysdeps

# Re-installs only when requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

sysdeps:
	@bash scripts/sysdeps.sh

run: setup
	$(PY) -m streamlit run app.py --server.headless true --server.port $(PORT) \
		--browser.gatherUsageStats false

lint: setup
	$(VENV)/bin/ruff check resnet_viz app.py views tests bench
	$(VENV)/bin/mypy resnet_viz

test: lint
	$(PY) -m pytest -q

bench: setup
	$(PY) bench/analysis_vs_peers.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
