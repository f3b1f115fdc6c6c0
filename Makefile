# Two commands set everything up: `make demo` and `make test`. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := tesseract-ocr tesseract-ocr-chi-sim fonts-noto-cjk
# chromium: the browser test drives Debian's /usr/bin/chromium through Playwright; the fonts: the blind corpus
# (fixtures/blind/) draws its layouts with faces of its own.
TEST_APT_PACKAGES := chromium fonts-wqy-zenhei fonts-wqy-microhei fonts-arphic-ukai fonts-arphic-uming fonts-liberation2 fonts-dejavu-core
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
DEMO_DIR := fixtures/out/demo
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: setup apt apt-test demo test test-fast bench screenshot clean

setup: apt $(STAMP)

# Installs apt packages only when one is missing, so a second run is instant.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing apt packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

apt:
	$(call apt_install,$(APT_PACKAGES))

apt-test:
	$(call apt_install,$(TEST_APT_PACKAGES))

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

$(DEMO_DIR)/.done: $(STAMP) $(wildcard fixtures/*.py)
	rm -rf $(DEMO_DIR)
	$(BIN)/python -m fixtures.generate --demo $(DEMO_DIR)
	@touch $@

# The main job on the embedded default (Prefect's ephemeral API on SQLite): the demo applications verified as one
# batch, as of the day their documents were made for, with a store and OCR cache of their own.
DEMO_AS_OF := 2026-11-28
demo: setup $(DEMO_DIR)/.done
	rm -rf reports
	EVIDENCE_HOME=$(abspath $(DEMO_DIR))/home $(BIN)/evidence batch $(DEMO_DIR)/bundles --as-of $(DEMO_AS_OF) --out reports
	@echo "reports written under reports/"

# The README's picture of a report, made by the project's own command from the demo's store.
screenshot: demo apt-test
	EVIDENCE_HOME=$(abspath $(DEMO_DIR))/home $(BIN)/evidence report $(DEMO_DIR)/bundles/market_service_cert_problems \
		--out reports/market_service_cert_problems --screenshot docs/report.png

test: setup apt-test
	$(BIN)/python -m pytest

# While iterating: everything except the slow OCR accuracy runs.
test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

bench: setup apt-test
	$(BIN)/python -m bench.run --out bench/results.json

clean:
	rm -rf reports fixtures/out .pytest_cache
