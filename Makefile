# The two commands of the README: `make run` and `make test`.
# uv installs the locked environment; if uv is not on the PATH we bootstrap it into var/.
UV := $(shell command -v uv 2>/dev/null || echo var/uv/bin/uv)
MANAGE := $(UV) run --locked python manage.py

.PHONY: run test lint env demo

var/uv/bin/uv:
	python3 -m venv var/uv
	var/uv/bin/pip install --quiet uv

env: $(if $(filter var/uv/bin/uv,$(UV)),var/uv/bin/uv)
	$(UV) sync --locked --extra test --quiet
	@# axe-core (package-lock.json), which the accessibility browser test injects into pages.
	@if [ ! -f node_modules/axe-core/axe.min.js ]; then \
	  if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund; \
	  else echo "npm not found: the accessibility test will skip (apt install nodejs npm)"; fi; \
	fi

## Set everything up on the embedded default (SQLite, tasks in-process, console e-mail),
## load the demo district, print its logins, and serve http://127.0.0.1:8000
run: env
	$(MANAGE) migrate --noinput
	$(MANAGE) demo_data --two-factor-codes
	@printf "\nSchoolPlan is at http://127.0.0.1:8000 (Ctrl-C stops it)\n\n"
	DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

## Run the whole test suite (on PostgreSQL + Redis when DATABASE_URL / REDIS_URL are set)
test: env
	$(UV) run --locked pytest $(PYTEST_ARGS)

## Style and migrations checks, as CI runs them
lint: env
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
