# Each target makes its own virtual environment, so a fresh clone needs only python3.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO ?= demo/worktop.json

.PHONY: demo test lint bench clean

$(BIN)/worktop: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/worktop

# Opens worktop on a freshly made demo workspace (demo/worktop.json).
demo: $(BIN)/worktop
	mkdir -p $(dir $(DEMO))
	rm -f $(DEMO) $(DEMO).bak
	$(BIN)/worktop demo --items 400 $(DEMO)
	$(BIN)/worktop -w $(DEMO)

# The whole test suite: lint, unit, concurrency and functional (Pilot + snapshot) tests.
test: $(BIN)/worktop
	$(BIN)/ruff check data tui widgets tests bench
	$(BIN)/python -m pytest -n 2 -q

bench: $(BIN)/worktop
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) demo
