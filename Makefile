# Each target makes its own virtual environment, so a fresh clone needs only python3.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO ?= demo/worktop.json

.PHONY: demo test test-tools lint bench clean

# editable_mode=compat puts the repo on sys.path with a .pth line instead of an import
# hook, which costs ~14 ms at every start (the CLI has an 80 ms budget). compileall
# keeps bytecode fresh even where PYTHONDONTWRITEBYTECODE is set.
$(BIN)/worktop: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]' --config-settings editable_mode=compat
	$(BIN)/python -m compileall -q data tui widgets
	touch $(BIN)/worktop

# Opens worktop on a freshly made demo workspace (demo/worktop.json).
demo: $(BIN)/worktop
	mkdir -p $(dir $(DEMO))
	rm -f $(DEMO) $(DEMO).bak
	$(BIN)/worktop demo --items 400 $(DEMO)
	$(BIN)/worktop -w $(DEMO)

# The whole test suite: lint, types, layer contracts, unit, concurrency, functional (Pilot + snapshot) and
# browser tests. The import/export tests run the real Taskwarrior, the browser test Debian's chromium read
# by tesseract, the PostgreSQL tests a server they start themselves (tests/support/postgres.py):
# WORKTOP_REQUIRE_TASK, WORKTOP_REQUIRE_BROWSER and CI=true make a missing one a failure, not a skip.
# mypy keeps its cache in the venv: ~8 s on a clean clone, well under a second once warm.
test: $(BIN)/worktop test-tools
	$(BIN)/python -m compileall -q data tui widgets
	$(BIN)/ruff check data tui widgets tests bench
	$(BIN)/mypy --cache-dir $(VENV)/mypy-cache
	$(BIN)/lint-imports --no-cache --no-logo
	CI=true WORKTOP_REQUIRE_TASK=1 WORKTOP_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -n 2 -q

# Tools the tests drive as real processes, installed where missing (CI runs as root on a clean machine):
# Debian's taskwarrior (import/export), chromium, its chromedriver and tesseract-ocr (the browser test:
# no browser is ever downloaded), and PostgreSQL's server (initdb, pg_ctl, postgres; the tests start and
# stop it themselves).
TEST_PACKAGES := taskwarrior chromium chromium-driver tesseract-ocr tesseract-ocr-eng postgresql
test-tools:
	@{ command -v task && command -v chromium && command -v chromedriver && command -v tesseract \
	   && { command -v initdb || ls /usr/lib/postgresql/*/bin/initdb; }; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing what the tests drive: $(TEST_PACKAGES)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_PACKAGES) >/dev/null 2>&1 || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_PACKAGES) >/dev/null; }; \
	  else echo "make test: the tests need $(TEST_PACKAGES): sudo apt-get install them" >&2; exit 1; fi; }

bench: $(BIN)/worktop
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) demo
