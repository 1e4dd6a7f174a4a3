# Every target sets up what it needs: a virtualenv in .venv with the pinned dependencies.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
# Python may write its bytecode caches, pytest's rewritten test modules among them: with
# PYTHONDONTWRITEBYTECODE set, every run compiled the tests and the service again (seconds).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup run test test-fast lint typecheck spec check-data container-test deploy-test bench abuse soak pod-memory cache-memory lock screenshot clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

run: setup  ## set up, then serve the API with gunicorn on $(HOST):$(PORT)
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m service

COVERAGE := --cov=service --cov-branch --cov-report=term-missing:skip-covered --cov-fail-under=95
# Test processes for make test: most slow tests wait on a server, a browser or a tool, so
# more processes than cores still help. Tests marked with one xdist_group share a process.
TEST_WORKERS ?= 4

test: setup lint typecheck  ## set up, then run linters, type checks and every test, in random order and in parallel, with the coverage gate
	$(BIN)/python -m pytest -p randomly -n $(TEST_WORKERS) --dist loadgroup $(COVERAGE)

test-fast: setup  ## the in-process tests only (not marked slow), no coverage gate: seconds, for after every change
	$(BIN)/python -m pytest -p randomly -m "not slow" -q

lint: setup
	$(BIN)/ruff check service tests bench scripts gunicorn.conf.py
	$(BIN)/ruff format --check service tests bench scripts gunicorn.conf.py
	$(BIN)/codespell
	$(BIN)/hadolint Dockerfile deploy/redis/Dockerfile

typecheck: setup
	$(BIN)/mypy

spec: setup  ## regenerate openapi/openapi.json from the code
	$(BIN)/flask --app 'service:create_app' openapi write --format json openapi/openapi.json

check-data: setup  ## validate data/ and print its summary
	$(BIN)/python -m service.dataset

container-test: setup  ## build the image with buildah, run it, check /healthz and a reading (root)
	$(BIN)/hadolint Dockerfile
	bash scripts/container-test.sh

deploy-test: setup  ## build the API and Redis images, run deploy/kubernetes with podman kube play, print figures (root)
	$(BIN)/hadolint Dockerfile deploy/redis/Dockerfile
	bash scripts/deploy-test.sh

bench: setup  ## the service against a bare Flask hello-world under gunicorn, with wrk (prints figures)
	$(BIN)/python bench/bench.py

abuse: setup  ## hostile clients against a live server at length: slow clients, floods, Redis faults (prints figures)
	$(BIN)/python bench/abuse.py

soak: setup  ## 2 workers at ~80 % of capacity for 10 minutes: errors and memory (not in make test)
	$(BIN)/python bench/soak.py

screenshot: setup  ## screenshots of /demo in headless Chromium into docs/ (desktop and 360 px)
	$(BIN)/python -m tests.demo_screenshot docs

pod-memory: setup  ## memory (RSS, PSS) and CPU of 2 gevent workers whose caches fill, for deploy/kubernetes' resources
	$(BIN)/python bench/pod_memory.py

cache-memory: setup  ## one app's memory as its caches fill with never-seen queries: does it level off?
	$(BIN)/python bench/cache_memory.py

lock: setup  ## re-pin constraints.txt from pyproject.toml with pip-compile (annotated; keeps pins that still fit)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --extra dev --strip-extras \
		--annotation-style line --no-emit-index-url --no-emit-find-links \
		--output-file constraints.txt pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage .hypothesis .schemathesis
