# Two commands set everything up: `make demo` and `make test`. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := tesseract-ocr tesseract-ocr-chi-sim fonts-noto-cjk
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
DEMO_DIR := fixtures/out/demo
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: setup apt demo test test-fast bench clean

setup: apt $(STAMP)

# Installs the apt packages only when one is missing, so a second run is instant.
apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing apt packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

$(DEMO_DIR)/.done: $(STAMP) $(wildcard fixtures/*.py)
	$(BIN)/python -m fixtures.generate --demo $(DEMO_DIR)
	@touch $@

# The main job on the embedded default (Prefect's ephemeral API on SQLite): one verdict line per bundle.
demo: setup $(DEMO_DIR)/.done
	@for bundle in $(DEMO_DIR)/bundles/*/; do \
		name=$$(basename $$bundle); \
		$(BIN)/evidence verify $$bundle --out reports/$$name --json reports/$$name/report.json || exit $$?; \
	done
	@echo "reports written under reports/"

test: setup
	$(BIN)/python -m pytest

# While iterating: everything except the slow OCR accuracy runs.
test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

bench: setup
	$(BIN)/python -m bench.run --out bench/results.json

clean:
	rm -rf reports fixtures/out .pytest_cache
