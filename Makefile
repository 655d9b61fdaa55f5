# Two commands for a newcomer: `make report` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: report test bench soak lint lab clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("verkenning needs Python 3.11 or newer, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# errors only: setuptools prints an "editable installation" banner for every -e install
	$(PY) -m pip install --quiet --quiet -e '.[dev]'
	@touch $(STAMP)

report: $(STAMP)
	$(VENV)/bin/verkenning check scenarios/*.yaml
	$(VENV)/bin/verkenning run scenarios/borne.yaml

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) benchmarks/run.py --readme

soak: $(STAMP)
	$(PY) benchmarks/soak.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# JupyterLab (installed with the rest, once); as root (containers, CI) it needs --allow-root.
# LAB_ARGS passes options on, e.g. `make lab LAB_ARGS=--port=9999`.
LAB_ARGS ?=
lab: $(STAMP)
	@echo "JupyterLab starts: open the address with ?token= printed below (Ctrl-C stops)"
	$(VENV)/bin/jupyter lab --no-browser $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ARGS) \
		notebooks/toetreding.ipynb notebooks/verkennen.ipynb

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
