# Two commands do everything on a fresh Debian machine: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# softhsm2: a PKCS#11 token for the signing tests; libnss3-tools: certutil, a trust store for pdfsig
# firefox-esr, webkit2gtk-driver, xvfb: the review loop in Firefox and WebKitGTK (tests/web/test_engines.py)
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd ghostscript qpdf \
	poppler-utils fonts-liberation2 redis-server python3-venv chromium \
	softhsm2 libnss3-tools firefox-esr webkit2gtk-driver xvfb
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: eval setup system-packages run test bench lint clean

setup: system-packages $(VENV)/.installed

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

run: setup
	@$(BIN)/intake check
	@echo "Intake service: http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/docs)"
	@echo "Redis started if needed, migrations applied, API + workers (+ INTAKE_WATCH_DIR) running"
	$(BIN)/python -m intake.cli.serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check intake models documents infra worker synth bench tests
	$(BIN)/python -m mypy intake models documents infra worker synth bench
	$(BIN)/lint-imports --no-logo

test: setup lint
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

bench: setup
	$(BIN)/python -m bench.pipeline --out bench/results
	$(BIN)/python -m bench.delivery
	$(BIN)/python -m bench.signing --out bench/results

# Metadata extraction (issue 3): generated documents, and the labelled real ones when the corpus
# is there (docs/EXTRACTION.md); then what the page stage's second look costs; then handwritten
# numbers and days and key presses per document, before/after the second recogniser, per folder
# and for the held-apart sets (bench.handwriting); whether confident summaries are whole
# (bench.subject_blocks); urgency stamps (bench.urgency); signers known from an agency's earlier
# confirmed documents (bench.known_signers).
CORPUS ?= ../shared/corpus
eval: setup
	$(BIN)/python -m bench.extraction --generated 80 $(if $(wildcard $(CORPUS)),--corpus $(CORPUS) --labels bench/labels/corpus.json)
	$(if $(wildcard $(CORPUS)),$(BIN)/python -m bench.second_look --corpus $(CORPUS) --labels bench/labels/corpus.json)
	$(if $(wildcard $(CORPUS)),$(BIN)/python -m bench.handwriting --corpus $(CORPUS) --labels bench/labels/corpus.json bench/labels/more_agencies.json bench/labels/heldout.json bench/labels/heldout2.json)
	$(if $(wildcard $(CORPUS)),$(BIN)/python -m bench.subject_blocks --corpus $(CORPUS) bench/labels/corpus.json bench/labels/more_agencies.json bench/labels/heldout.json bench/labels/heldout2.json)
	$(BIN)/python -m bench.urgency $(if $(wildcard $(CORPUS)),--corpus $(CORPUS))
	$(if $(wildcard $(CORPUS)),$(BIN)/python -m bench.known_signers --corpus $(CORPUS) --labels bench/labels/corpus.json bench/labels/more_agencies.json bench/labels/heldout.json bench/labels/heldout2.json)

clean:
	rm -rf $(VENV) var bench/results tests/artifacts
