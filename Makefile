# MOVE Events: the README's two commands, and a few more for developers.
#   make run    set up, migrate, seed the demo if the database is empty, serve on http://127.0.0.1:5000
#   make test   set up and run the whole test suite (PostgreSQL too when MOVE_EVENTS_TEST_POSTGRES_URL is set)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app move_events
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test lint format setup clean-demo translations compile-translations

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $@

setup: $(VENV)/.installed

# A per-installation secret, made once; the demo runs on plain http, so cookies may not be "secure".
instance/config.py:
	@mkdir -p instance
	@$(BIN)/python -c 'import secrets; print("# Made by make run for the local demo. See instance/config.example.py.\nSECRET_KEY = %r\nSESSION_COOKIE_SECURE = False\nREMEMBER_COOKIE_SECURE = False" % secrets.token_hex(32))' > $@
	@echo "Wrote $@ with a new SECRET_KEY."

# With another HOST or PORT, the links seed-demo prints (and e-mails carry) point at that server.
RUN_ENV := $(if $(filter-out 127.0.0.1:5000,$(HOST):$(PORT)),MOVE_EVENTS_BASE_URL=http://$(HOST):$(PORT),)

run: setup instance/config.py compile-translations
	$(FLASK) db upgrade
	$(RUN_ENV) $(FLASK) seed-demo --if-empty
	$(RUN_ENV) $(FLASK) run --host $(HOST) --port $(PORT)

# One worker per CPU core (pytest-xdist); each worker gets its own SQLite file and PostgreSQL database.
test: setup compile-translations
	$(BIN)/pytest -n auto

lint: setup
	$(BIN)/ruff check move_events tests benchmarks
	$(BIN)/ruff format --check move_events tests benchmarks

format: setup
	$(BIN)/ruff format move_events tests benchmarks
	$(BIN)/ruff check --fix move_events tests benchmarks

clean-demo:
	rm -f instance/move_events.sqlite

# Languages (docs/translations.md): `make translations` extracts every wrapped string into
# translations/messages.pot and merges it into each catalogue; translate the new entries of
# translations/<lang>/LC_MESSAGES/messages.po, then `make compile-translations` (run and test do it).
translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k "_nl:1,2" -k "lazy_ngettext:1,2" -k "lazy_pgettext:1c,2" \
		--ignore-dirs ".* __pycache__" --add-location=file --sort-output --project "MOVE Events" \
		-o translations/messages.pot move_events templates
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

compile-translations: setup
	$(BIN)/pybabel compile -d translations --statistics
