# VoelgoedEvents — `make run` serves the demo, `make test` passes the suite. Both install what is missing.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
BUN_VERSION := 1.4.5
BUN := .tools/bun/node_modules/.bin/bun
REQ_STAMP := $(VENV)/.requirements-$(shell sha1sum requirements.txt | cut -c1-12)

.PHONY: run test bench setup deps bun chromium migration lint clean

run: deps bun
	@bash scripts/run.sh

test: deps bun chromium
	@bash scripts/test.sh $(ARGS)

bench: deps bun
	@bash scripts/bench.sh

setup: deps bun chromium

deps: $(REQ_STAMP)

$(REQ_STAMP): requirements.txt
	@test -x $(VPY) || $(PY) -m venv $(VENV)
	@$(VPY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.requirements-* && touch $@

bun: $(BUN)

$(BUN):
	@mkdir -p .tools/bun
	@npm install --silent --no-audit --no-fund --prefix .tools/bun bun@$(BUN_VERSION) >/dev/null
	@$(BUN) --version >/dev/null

chromium:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "could not install chromium (needs root and Debian's packages)"; exit 1; }; }

# Regenerate the initial migration from the models (pre-release only: no deployed databases yet).
migration: deps
	@bash scripts/refresh_migration.sh

lint: deps
	@$(VENV)/bin/ruff check voelgoed tests bench

clean:
	rm -rf .web var/e2e
