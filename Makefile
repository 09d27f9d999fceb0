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

# The whole test suite: lint, unit, concurrency and functional (Pilot + snapshot) tests.
# The import/export tests run the real Taskwarrior: WORKTOP_REQUIRE_TASK makes a missing `task` a failure.
# The PostgreSQL tests start their own server (tests/support/postgres.py): CI=true makes one that does not
# start a failure rather than a skip.
test: $(BIN)/worktop test-tools
	$(BIN)/python -m compileall -q data tui widgets
	$(BIN)/ruff check data tui widgets tests bench
	CI=true WORKTOP_REQUIRE_TASK=1 $(BIN)/python -m pytest -n 2 -q

# Tools the tests drive as real processes: Debian's taskwarrior and PostgreSQL server (initdb, pg_ctl,
# postgres), installed where missing (CI runs as root); the tests start and stop the server themselves.
test-tools:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing PostgreSQL for the PostgreSQL store's tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }; \
	  else echo "make test: the tests need PostgreSQL's server: sudo apt-get install postgresql" >&2; exit 1; fi; }
	@command -v task >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing taskwarrior for the import/export tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq taskwarrior >/dev/null 2>&1 || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq taskwarrior >/dev/null; }; \
	  else echo "make test: the tests need taskwarrior's task: sudo apt-get install taskwarrior" >&2; exit 1; fi; }

bench: $(BIN)/worktop
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) demo
