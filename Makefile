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

# Executed HTML copies that need no network and no kernel, and can be moved as one folder: MathJax
# (from the jupyter-server-mathjax package) is copied beside the pages, and nbconvert's require.js
# tag and widget-manager script are left out (no widget state is stored). Override NB_OUT= and NB=
# to build elsewhere or a single notebook (tests/test_browser.py does).
notebooks: NB_OUT ?= build/notebooks
notebooks: NB ?= notebooks/*.ipynb
notebooks: $(VENV)/.dev
	mkdir -p $(NB_OUT)
	@MATHJAX=$$($(PY) -c 'import jupyter_server_mathjax as m, pathlib; print(pathlib.Path(m.__file__).parent / "static")') \
		|| { echo "make notebooks: needs the package jupyter-server-mathjax (pip install jupyter-server-mathjax)"; exit 1; }; \
		rm -rf $(NB_OUT)/mathjax && cp -R "$$MATHJAX" $(NB_OUT)/mathjax
	# Then the emptied require.js tag goes, and MathJax uses the STIX web fonts (the only ones that
	# package ships), also in the pages written before a notebook that fails (make still fails).
	$(VENV)/bin/jupyter nbconvert --to html --execute --output-dir $(NB_OUT) \
		--ExecutePreprocessor.store_widget_state=False --HTMLExporter.require_js_url= \
		'--HTMLExporter.mathjax_url=mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe' $(NB); \
	status=$$?; \
	sed -i.bak -e 's#<script src=""></script>##' \
		-e 's#MathJax.Hub.Config({#MathJax.Hub.Config({"HTML-CSS": {availableFonts: [], webFont: "STIX-Web", imageFont: null},#' \
		$(NB_OUT)/*.html; rm -f $(NB_OUT)/*.html.bak; exit $$status

figures: $(VENV)/.notebooks
	$(PY) -m docs.figures

clean:
	rm -rf $(VENV) build out
