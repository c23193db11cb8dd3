# Klartext: `make run` to try it, `make test` to test it. Both install what is missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: install app assets atproto messages run test test-fast lint bench clean

# Python packages: reinstalled only when pyproject.toml changes. uv (from PyPI, into the venv)
# installs them from its cache in about 10 s where pip took 35 s; pip does it if uv cannot.
$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed (set PYTHON=... to use another)"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv>=0.9,<1" \
	  && $(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -e ".[dev]" \
	  || $(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# Front-end libraries from npm, copied into static/vendor (never a CDN).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.built: node_modules/.installed scripts/vendor.mjs
	npm run --silent build
	touch $@

# What the app itself needs (`make run`); `make install` adds what only the tests need.
app: $(VENV)/.installed static/vendor/.built messages

install: app atproto

# The local AT Protocol network the Bluesky tests start (npm's @atproto/dev-env, with Node 22 from
# npm): installed once per machine into ~/.cache/klartext/atproto-<hash of its lock files>, outside
# the clone, so another clone reuses it. See tests/atproto/install.sh.
atproto:
	@tests/atproto/install.sh

assets: static/vendor/.built

# Compiled translations (.mo) are build output, compiled from locale/*/LC_MESSAGES/*.po with polib:
# no gettext and no settings needed, so it works on a newcomer's machine and in production builds.
messages: $(VENV)/.installed
	$(BIN)/python scripts/compile_messages.py

# Links in emails follow the port (SITE_URL=http://localhost:$(PORT) unless set).
run: app
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input -v 0
	DEBUG=$${DEBUG:-1} SITE_URL=$${SITE_URL:-http://localhost:$(PORT)} $(BIN)/python manage.py seed_demo
	@echo
	@echo "Klartext is starting on http://localhost:$(PORT)/  (admin: http://localhost:$(PORT)/admin/)"
	@echo "Web, Celery worker, beat and the inbound SMTP server (replies to emails, port $${KLARTEXT_INBOUND_SMTP_PORT:-2525})"
	@echo "run together; Ctrl-C stops them all."
	@echo
# A tick a minute (not every five) locally: the demo's first nudge reaches var/outbox/ at once.
	DEBUG=$${DEBUG:-1} PORT=$(PORT) SITE_URL=$${SITE_URL:-http://localhost:$(PORT)} KLARTEXT_TICK_SECONDS=$${KLARTEXT_TICK_SECONDS:-60} $(BIN)/honcho start -f Procfile.dev

# Three workers for two cores: much of the suite waits on Chromium, `make run`, Celery workers and
# servers, and a third worker fills those waits (a fresh clone's `make test`: 380 s against 448 s
# with two, back to back). Each has its own test database, Redis databases and ports
# (tests/conftest.py). Tests marked with one xdist_group run on one worker (--dist loadgroup): the
# Bluesky tests share one local AT Protocol network. PYTEST_ARGS="-n 0" runs in one process, e.g. to
# use --pdb.
# Python keeps its bytecode cache even where the environment says PYTHONDONTWRITEBYTECODE: the
# workers and the dozens of processes the tests start (make run, Celery workers, manage.py) would
# otherwise each compile the project again.
PYTEST_ARGS ?= -n 3 --dist loadgroup
test: install
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf var static/vendor node_modules .pytest_cache
