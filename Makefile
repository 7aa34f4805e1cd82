# The two commands: `make run` (set up and serve the demo) and `make test` (set up and run the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench install clean help screenshots

help:  ## List the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Browser libraries from the npm registry, pinned by package-lock.json. Without npm the pages still
# work (every action is a plain form); only drag and drop and live editing are missing.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: skipping browser libraries (drag and drop on the meeting page)"; fi

# The live meeting page (Yjs and our live.js) bundled into one file, since the browser cannot resolve
# npm package names and the Content-Security-Policy allows no inline import map. Git-ignored.
LIVE_BUNDLE := meetings/static/build/live.js
$(LIVE_BUNDLE): meetings/static/src/live.js package-lock.json node_modules/.installed
	@if [ -x node_modules/.bin/esbuild ]; then node_modules/.bin/esbuild meetings/static/src/live.js --bundle \
		--minify --format=iife --target=es2020 --log-level=warning --outfile=$@; \
	else echo "esbuild not installed: skipping the live meeting page (forms still work)"; fi

install: $(STAMP) node_modules/.installed $(LIVE_BUNDLE)  ## Create .venv, install the app with its test dependencies and the browser libraries

run: install  ## Migrate, seed the demo workspace if the database is empty, serve on http://127.0.0.1:8000
	$(BIN)/meetings db upgrade
	$(BIN)/meetings demo --if-empty
	$(BIN)/meetings serve

test: install  ## Run the whole suite (SQLite, PostgreSQL when reachable, Chromium browser tests)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install  ## Run the benchmarks (results and how to read them: docs/benchmarks.md)
	$(BIN)/python bench/export_csv.py --rows 20000
	$(BIN)/python bench/export_csv.py --rows 200000
	$(BIN)/python bench/live_fanout.py --viewers 50 --changes 200

clean:  ## Remove the virtual environment and caches (keeps data/)
	rm -rf $(VENV) .pytest_cache build *.egg-info

screenshots: install  ## Retake docs/screenshots from the app at http://127.0.0.1:8000 (start it with `make run`)
	$(BIN)/python tools/screenshots.py
