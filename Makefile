# Every target installs what it needs from uv.lock first, so a fresh clone needs only `make demo` / `make test`.
# Without uv on PATH, uv is installed once into a private venv (.tools/): a bare `pip install uv`
# is refused by Debian 12 / Ubuntu 24.04's system Python (PEP 668, externally managed).
TOOLS ?= .tools
UV_VERSION ?= 0.13.9
UV ?= $(shell command -v uv 2>/dev/null || echo "$(TOOLS)/bin/uv")
export LANGSMITH_TEST_TRACKING ?= false
export LANGGRAPH_CLI_NO_ANALYTICS ?= 1
export LANGGRAPH_NO_VERSION_CHECK ?= true
# Strict checkpoint loading for `langgraph dev` (langgraph.json's env names .env); the image sets it in its Dockerfile.
export LANGGRAPH_STRICT_MSGPACK ?= true

.PHONY: setup demo test lint format dev bench

setup:
	@[ -x "$(UV)" ] || { \
	  echo "uv not found: installing uv $(UV_VERSION) into $(TOOLS)/ (a private venv)"; \
	  python3 -m venv "$(TOOLS)" && "$(TOOLS)/bin/pip" install --quiet "uv==$(UV_VERSION)"; \
	} || { echo "cannot install uv: install python3-venv, or uv itself (https://docs.astral.sh/uv/)" >&2; exit 1; }
	@$(UV) sync --frozen --all-extras --quiet

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
