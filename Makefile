# Two commands on a fresh machine: `make run` and `make test`.
# Both create .venv when it is missing and install the project into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.qualbst-installed

.PHONY: run test lint format bench notebooks clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,notebooks,dask]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/qualbst run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# Execute every notebook from notebooks/ on the shipped corpus into out/notebooks/*.html.
notebooks: $(STAMP)
	$(BIN)/jupyter nbconvert --to html --execute --ExecutePreprocessor.kernel_name=python3 \
		--ExecutePreprocessor.timeout=300 --output-dir out/notebooks notebooks/*.ipynb


clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
