# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install clusterlab, run the built-in default scenario into results/
#   make test   create .venv, install clusterlab with its test tools, run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,experiments,dask]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/clusterlab run --out results

test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto

bench: $(STAMP)
	$(BIN)/python benchmarks/scale.py --actors 10000 100000 1000000 --domains 16 --steps 5

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
