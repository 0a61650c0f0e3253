# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install clusterlab, run the built-in default scenario into results/
#   make test   create .venv, install clusterlab with its test tools and Debian's chromium
#               (for the dashboard's browser tests), run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != 0 ] && echo sudo)

.PHONY: run test bench install clean chromium dashboard

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,experiments,dask,dashboard,browser-tests]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/clusterlab run --out results

# Playwright drives Debian's chromium (its own browser download does not work here)
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Bytecode is cached even where the environment says not to (PYTHONDONTWRITEBYTECODE): without
# it every xdist worker re-rewrote the test modules' asserts and every command-line test and
# pool worker recompiled clusterlab's source (README "The test suite"); __pycache__ is ignored by git
test: $(STAMP) chromium
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -q -n auto

dashboard: $(STAMP)
	$(BIN)/clusterlab dashboard

bench: $(STAMP)
	$(BIN)/python benchmarks/scale.py --actors 10000 100000 1000000 --domains 16 --steps 5

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
