# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install -c requirements/constraints.txt
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run runtime-deps test lint format venv system-deps bench-embedder bench-pipeline bench-feed bench-hostile bench-tone-mapping bench-notify bench-notify-groups bench-studio bench-sounds bench-discover bench-hashtags bench-itemknn bench-links bench-search bench-trending

$(STAMP): requirements/*.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) -r requirements/dev.txt
	touch $(STAMP)

venv: $(STAMP)

# Debian packages the tests need (speech clips, browser tests); skipped when present or not Debian.
system-deps:
	@bash scripts/system_deps.sh

# What the running product needs from the system (Chromaprint's fpcalc), skipped when present.
runtime-deps:
	@bash scripts/system_deps.sh --runtime

run: venv runtime-deps
	$(BIN)/python -m tiktok.dev.stack

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/import_cycles.py

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The suite runs in TEST_WORKERS pytest-xdist processes: a file's tests stay together on one,
# and so do all of tests/web (tests/conftest.py gives xdist's scheduler the groups); each worker
# has its own test database and Redis db index (tests/bootstrap.py). 0: one process.
TEST_WORKERS ?= 2

test: venv system-deps lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

bench-embedder: venv
	DEBUG=1 $(BIN)/python -m embedder_service.bench

bench-pipeline: venv system-deps
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py bench_pipeline

bench-feed: venv
	DEBUG=1 $(BIN)/python manage.py bench_feed

bench-itemknn: venv
	DEBUG=1 $(BIN)/python manage.py bench_itemknn

bench-trending: venv
	DEBUG=1 $(BIN)/python manage.py bench_trending

bench-hashtags: venv
	DEBUG=1 $(BIN)/python manage.py bench_hashtags

bench-tone-mapping: venv
	DEBUG=1 $(BIN)/python manage.py bench_tone_mapping

bench-hostile: venv
	DEBUG=1 $(BIN)/python manage.py bench_hostile_media

bench-links: venv
	DEBUG=1 $(BIN)/python manage.py bench_links

bench-notify: venv
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py bench_notifications

bench-notify-groups: venv
	DEBUG=1 $(BIN)/python manage.py bench_notification_groups

bench-studio: venv
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py bench_studio

bench-sounds: venv system-deps
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py bench_sounds

# One BLAS thread, as the web server runs (tiktok/asgi.py).
bench-discover: venv
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 DEBUG=1 $(BIN)/python manage.py bench_discover

bench-search: venv
	DEBUG=1 $(BIN)/python manage.py bench_search
