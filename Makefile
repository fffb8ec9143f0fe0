# Each target makes its own .venv and installs what it needs, so a fresh clone works.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := ladle

.PHONY: test demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# One stamp per set of extras; reinstall when pyproject.toml changes.
$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[$(subst +,$(comma),$*)]'
	@touch $@

comma := ,

test: $(VENV)/.installed-test+scale+spark+serve
	$(BIN)/ruff check .
	$(BIN)/mypy $(PACKAGES)
	$(BIN)/pytest

# Ends with the command that opens the layout playground on a copy of the demo layout.
demo: $(VENV)/.installed-scale+serve
	$(BIN)/ladle demo -o out
	@cp examples/layouts/mistakes.json out/layout-mistakes.json
	@echo "Edit the demo layout and watch both players change as you type (Ctrl-C stops it):"
	@echo "  $(BIN)/ladle layout serve out/layout-mistakes.json --open"

bench: $(VENV)/.installed-bench+scale+spark
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .hypothesis .benchmarks .bench-data
