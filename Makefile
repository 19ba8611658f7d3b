# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
# Both install exactly the versions in uv.lock (`make lock` after changing pyproject.toml's dependencies).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.9

.PHONY: demo test test-slow test-all test-fontless lint fmt docs golden samples corpus scans bench bench-ocr screenshot lock upgrade clean

$(STAMP): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	@# --compile-bytecode: every command starts from .pyc even where PYTHONDONTWRITEBYTECODE is set (GX alone
	@# compiles for ~10 s otherwise)
	$(BIN)/uv sync --quiet --frozen --inexact --extra dev --compile-bytecode --python $(BIN)/python
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/nianbao demo

# the tests a developer runs all day (~4 min); the slow integration tests (real Prefect servers, the demo,
# many documents) run in CI too: `make test-slow`, or both with `make test-all`
test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

# (the slowest twenty listed at the end: CI's run has a 90-minute limit, and this suite is most of it)
test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow --durations=20

test-all: $(STAMP)
	$(BIN)/python -m pytest -q

# the reading tests again with every system font hidden, as on a machine that has none (issue 11)
test-fontless: $(STAMP)
	tools/without-system-fonts $(BIN)/python -m pytest -q tests/test_extract_pdf.py tests/test_samples.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# the generated parts of docs/: the data dictionary's reference from the warehouse schema, the checks
# document from the check declarations
docs: $(STAMP)
	$(BIN)/python -m nianbao.warehouse.dictionary docs/data-dictionary.md
	$(BIN)/python -m nianbao.expectations.quality docs/checks.md

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python benchmarks/extract.py
	$(BIN)/python benchmarks/expectations.py
	$(BIN)/python benchmarks/warehouse.py --reports 10000 --chunk 2500
	$(BIN)/python benchmarks/orchestration.py --documents 16
	$(BIN)/python benchmarks/site.py --reports 10000

# the README's picture of the analysts' site (docs/site-overview.png): the site of `make demo`'s warehouse,
# its overview shot by Debian's headless chromium (apt-get install chromium)
screenshot: $(STAMP)
	test -f data/nianbao.snapshot.duckdb || $(BIN)/nianbao demo
	$(BIN)/nianbao site --out data/site
	tools/screenshot data/site/index.html docs/site-overview.png

# the demo city from its generator (a development tool under tests/; the product only serves its output)
samples: $(STAMP)
	cd tests && ../$(BIN)/python -m samplegen.generate --out ../nianbao/demo/city

# the format fixtures (tests/files/{pdf,html,docx,text}) and tests/golden from the same generator, to review as a
# diff; LibreOffice/Chromium/qpdf fixtures are skipped (naming the packages to install) where those are missing
golden: $(STAMP)
	cd tests && ../$(BIN)/python -m samplegen.fixtures

# the development corpus (tests/files/corpus + its manifest, tests/golden/corpus; issue 12) from the same generator:
# documents of ten producers with the quirks of published reports; those whose program is missing are skipped,
# naming the Debian packages to install. `python benchmarks/accuracy.py` reads it.
corpus: $(STAMP)
	cd tests && ../$(BIN)/python -m samplegen.corpus

# the scans of our own fixtures (issue 13: tests/files/scans + manifest) from the same generator; `make bench-ocr`
# reads them (and `--all --out DIR` makes a scan of every kind for every source, for the benchmark)
scans: $(STAMP)
	cd tests && ../$(BIN)/python -m samplegen.scans

# OCR: accuracy and trust over the committed scans, seconds per page and report, a 30-page scan, memory
bench-ocr: $(STAMP)
	$(BIN)/python benchmarks/ocr.py
	$(BIN)/python benchmarks/ocr.py --pages 30

# uv.lock from pyproject.toml's ranges (keeps locked versions that still fit); `make upgrade` takes the newest
lock: $(STAMP)
	$(BIN)/uv lock

upgrade: $(STAMP)
	$(BIN)/uv lock --upgrade

clean:
	rm -rf $(VENV) data .pytest_cache
