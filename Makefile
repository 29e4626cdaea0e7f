# The two commands of the README: `make run` and `make test`.
# uv installs the locked environment; if uv is not on the PATH we bootstrap it into var/.
UV := $(shell command -v uv 2>/dev/null || echo var/uv/bin/uv)
MANAGE := $(UV) run --locked python manage.py

.PHONY: run test test-calendar lint env demo

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

## The tests whose outcome depends on the date (marked calendar), again at each date that has
## broken a calendar product: windows opening and closing, May 15, the year's end. The date is
## given to the tests' clock (SCHOOLPLAN_TODAY, tests/clock.py); the system clock is not faked.
CALENDAR_DATES := 2026-08-01 2026-11-30 2026-12-01 2027-03-31 2027-05-15 2027-05-16 2027-06-30 2027-07-15
test-calendar: env
	@set -e; for day in $(CALENDAR_DATES); do \
	  echo "== calendar tests on $$day"; \
	  SCHOOLPLAN_TODAY=$$day $(UV) run --locked pytest -m calendar -q $(PYTEST_ARGS); \
	done

## Style and migrations checks, as CI runs them
lint: env
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
