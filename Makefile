# Two commands do all set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: demo test bench notebooks figures lint clean

# One stamp per set of extras, so that adding an extra re-installs only what changed.
$(VENV)/.core: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	touch $@

$(VENV)/.notebooks: $(VENV)/.core
	$(PIP) -e ".[notebooks]"
	touch $@

$(VENV)/.dev: $(VENV)/.notebooks
	$(PIP) -e ".[dev,notebooks]"
	# Notebooks are committed without outputs: git strips them on `git add` (a test checks too).
	-$(VENV)/bin/nbstripout --install
	touch $@

$(VENV)/.bench: $(VENV)/.notebooks
	$(PIP) -e ".[bench]"
	touch $@

demo: $(VENV)/.notebooks
	$(PY) -m demo

test: $(VENV)/.dev
	$(PY) -m pytest -q -p no:cacheprovider

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

# PyTorch is compared with numpy's fastest kernels: the OPENBLAS_* safety settings are lifted
# for the benchmark command alone (never in tests or CI).
bench: $(VENV)/.bench
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY) -m benchmarks

notebooks: $(VENV)/.dev
	mkdir -p build/notebooks
	$(VENV)/bin/jupyter nbconvert --to html --execute --output-dir build/notebooks notebooks/*.ipynb

figures: $(VENV)/.notebooks
	$(PY) -m docs.figures

clean:
	rm -rf $(VENV) build out
