# Two commands for a fresh machine: `make demo` and `make test`.
# Each creates .venv when it is missing and installs the project with its test extras.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install demo test test-fast lint format clean model

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

install: $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/thaidigest demo

test: $(INSTALLED)
	$(BIN)/python -m pytest

test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -m "not slow"

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data public demo .pytest_cache .ruff_cache

# The packaged relevance model, trained on the committed labels (train split) and the seeds.
model: $(INSTALLED)
	$(BIN)/thaidigest train-relevance tests/data/relevance/labels.jsonl \
	  tests/data/relevance/articles.jsonl.xz --relevant seeds -o thaidigest/relevance_model.npz
