# Every target installs what it needs from uv.lock first, so a fresh clone needs only `make demo` / `make test`.
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
export LANGSMITH_TEST_TRACKING ?= false
export LANGGRAPH_CLI_NO_ANALYTICS ?= 1
export LANGGRAPH_NO_VERSION_CHECK ?= true

.PHONY: setup demo test lint format dev bench

setup:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==0.13.9"
	@$(UV) sync --frozen --quiet

demo: setup
	$(UV) run --frozen stagecraft demo

test: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen mypy
	$(UV) run --frozen pytest

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy

format: setup
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

dev: setup
	$(UV) run --frozen langgraph dev --no-browser

bench: setup
	$(UV) run --frozen python -m bench.run
