# Every target sets up what it needs: a virtualenv in .venv with the pinned dependencies.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-12)
SERVE_STAMP := $(VENV)/.serve-$(HASH)
DEV_STAMP := $(VENV)/.dev-$(HASH)
HOST ?= 127.0.0.1
PORT ?= 8000
# Python may write its bytecode caches, pytest's rewritten test modules among them: with
# PYTHONDONTWRITEBYTECODE set, every run compiled the tests and the service again (seconds).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup setup-dev run test test-fast lint typecheck spec export check-data container-test deploy-test bench abuse soak pod-memory cache-memory lock screenshot clean

# Two stamps: serving needs only the package's dependencies; the development tools (pytest,
# linters, type checker, client generators...) are the `dev` extra, added on top.
$(SERVE_STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	rm -f $(VENV)/.serve-* $(VENV)/.installed-* && touch $(SERVE_STAMP)

$(DEV_STAMP): $(SERVE_STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.dev-* && touch $(DEV_STAMP)

setup: $(SERVE_STAMP)  ## what serving needs, nothing more

setup-dev: $(DEV_STAMP)  ## what serving needs, and the development tools

run: setup  ## set up, then serve the API with Granian on $(HOST):$(PORT)
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m service

COVERAGE := --cov=service --cov-branch --cov-report=term-missing:skip-covered --cov-fail-under=95
# Test processes for make test: most slow tests wait on a server, a browser or a tool, so
# more processes than cores still help. Tests marked with one xdist_group share a process.
# The 15 slowest tests are listed at the end, to show where the time goes.
TEST_WORKERS ?= 4

test: setup-dev lint typecheck  ## set up with the development tools, then run linters, type checks and every test, in random order and in parallel, with the coverage gate
	$(BIN)/python -m pytest -p randomly -n $(TEST_WORKERS) --dist loadgroup --durations=15 $(COVERAGE)

# The fast tier leaves out schemathesis's plugin and the hypothesis and anyio plugins it brings
# (importing them took half a second): only the fuzz, a slow test, uses them. Two processes,
# one per core: 1,069 tests took 30 s in one and 17 s in two on the 2-core machine.
FAST_TEST_WORKERS ?= 2

test-fast: setup-dev  ## the in-process tests only (not marked slow), no coverage gate, in parallel: about 20 s, for after every change
	$(BIN)/python -m pytest -p randomly -p no:schemathesis -p no:hypothesispytest -p no:anyio -m "not slow" -q -n $(FAST_TEST_WORKERS) --dist loadgroup

lint: setup-dev
	$(BIN)/ruff check service tests bench scripts
	$(BIN)/ruff format --check service tests bench scripts
	$(BIN)/codespell
	$(BIN)/hadolint Dockerfile deploy/nginx/Dockerfile deploy/redis/Dockerfile

typecheck: setup-dev
	$(BIN)/mypy

spec: setup  ## regenerate openapi/openapi.json from the code
	$(BIN)/flask --app 'service:create_app' openapi write --format json openapi/openapi.json

export: setup  ## write the service as static files into DIR (make export DIR=public): JSON by id in every language, pages, widget.js, spec, .gz and .br
	$(if $(DIR),,$(error Say where: make export DIR=<folder>))
	$(BIN)/python -m service.static_site $(DIR)

check-data: setup  ## validate data/ and print its summary
	$(BIN)/python -m service.dataset

container-test: setup-dev  ## build the API and nginx images with buildah, run the API behind nginx, check /healthz, a reading and nginx's own refusal (root)
	$(BIN)/hadolint Dockerfile deploy/nginx/Dockerfile
	bash scripts/container-test.sh

deploy-test: setup-dev  ## build the API and Redis images, run deploy/kubernetes with podman kube play, print figures (root)
	$(BIN)/hadolint Dockerfile deploy/nginx/Dockerfile deploy/redis/Dockerfile
	bash scripts/deploy-test.sh

bench: setup-dev  ## server designs (gevent, Granian; answer cache, precompression) against a bare Flask hello on gunicorn's defaults, with wrk (prints figures)
	$(BIN)/python bench/bench.py

abuse: setup-dev  ## hostile clients against a live server at length: slow clients, floods, Redis faults (prints figures)
	$(BIN)/python bench/abuse.py

soak: setup-dev  ## 2 workers at ~80 % of capacity for 10 minutes: errors and memory (not in make test)
	$(BIN)/python bench/soak.py

screenshot: setup-dev  ## screenshots of /demo in headless Chromium into docs/ (desktop and 360 px)
	$(BIN)/python -m tests.demo_screenshot docs

pod-memory: setup-dev  ## memory (RSS, PSS) and CPU of 2 gevent workers whose caches fill, for deploy/kubernetes' resources
	$(BIN)/python bench/pod_memory.py

cache-memory: setup-dev  ## one app's memory as its caches fill with never-seen queries: does it level off?
	$(BIN)/python bench/cache_memory.py

lock: setup-dev  ## re-pin constraints.txt from pyproject.toml with pip-compile (annotated; keeps pins that still fit)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --extra dev --strip-extras --allow-unsafe \
		--annotation-style line --no-emit-index-url --no-emit-find-links \
		--output-file constraints.txt pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage .hypothesis .schemathesis
