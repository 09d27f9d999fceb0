# Each target makes its own virtual environment, so a fresh clone needs only python3.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO ?= demo/worktop.json

.PHONY: demo test lint bench clean browser-tools

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

# The browser test (tests/functional/test_serve_browser.py) drives Debian's chromium through its
# chromedriver and reads the page with tesseract. CI runs as root on a clean machine: install them
# there when missing (elsewhere the test is skipped, saying what to install).
browser-tools:
	@if ! { command -v chromium && command -v chromedriver && command -v tesseract; } >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing chromium, chromium-driver and tesseract-ocr for the browser test"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				chromium chromium-driver tesseract-ocr tesseract-ocr-eng >/dev/null; \
		else \
			echo "the browser test needs chromium, chromium-driver and tesseract-ocr (apt-get install them)"; \
		fi; \
	fi

# The whole test suite: lint, unit, concurrency, functional (Pilot + snapshot) and browser tests.
test: $(BIN)/worktop browser-tools
	$(BIN)/python -m compileall -q data tui widgets
	$(BIN)/ruff check data tui widgets tests bench
	$(BIN)/python -m pytest -n 2 -q

bench: $(BIN)/worktop
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) demo
