# The README's commands are `make run` (the demo), `make test` and `make serve` (production);
# the rest are the steps behind them.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
PORT   ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run serve test venv test-deps db demo chromium test-sqlite test-postgres clean translations

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed requirements-test.txt
	$(PIP) install -q --disable-pip-version-check -r requirements-test.txt
	touch $@

venv: $(VENV)/.installed

db: venv
	$(VENV)/bin/flask db upgrade

demo: db
	$(VENV)/bin/flask demo load --if-empty

# Languages: the Chinese text is the msgid, so zh_CN has no catalog; English is
# fuxin_pwa/translations/en/LC_MESSAGES/messages.po. The compiled .mo is built here, not
# committed (*.mo stays git-ignored): a binary in git goes stale without anyone noticing when
# the .po changes, while this rule rebuilds it whenever the .po is newer, before `make run`
# and `make test`. `make translations` re-extracts the strings and merges them into the .po
# (then translate the new entries; tests/test_i18n.py fails while any is empty or fuzzy).
TRANSLATIONS := fuxin_pwa/translations
EN_PO := $(TRANSLATIONS)/en/LC_MESSAGES/messages.po
EN_MO := $(TRANSLATIONS)/en/LC_MESSAGES/messages.mo

$(EN_MO): $(EN_PO) $(VENV)/.installed
	$(VENV)/bin/pybabel compile -d $(TRANSLATIONS)

translations: venv
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -o $(TRANSLATIONS)/messages.pot .
	$(VENV)/bin/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

run: demo $(EN_MO)
	$(VENV)/bin/flask serve-info --port $(PORT)
	$(VENV)/bin/flask run --host 0.0.0.0 --port $(PORT)

# Production: migrations first, then gunicorn (gunicorn.conf.py: PORT, default 8000, and
# WEB_CONCURRENCY workers). DATABASE_URL, SECRET_KEY, RATELIMIT_STORAGE_URI, PHOTO_DIR,
# PROXY_FIX_HOPS and SESSION_COOKIE_SECURE come from the environment. The demo is never
# loaded, except with DEMO=1, and then only into an empty database.
serve: venv $(EN_MO)
	$(VENV)/bin/flask db upgrade
	@if [ "$$DEMO" = 1 ]; then $(VENV)/bin/flask demo load --if-empty; fi
	exec $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

# Debian's Chromium for the browser tests (Playwright's own browser download is never used).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

test-deps: $(VENV)/.test-installed chromium

# The server-side tests run on every CPU (pytest-xdist; each worker has its own SQLite files
# and its own PostgreSQL schema); the browser tests run one at a time, since what they prove
# (layout shift on a throttled phone, offline, races between tabs) is not to share the CPU.
# --dist loadgroup keeps a module marked xdist_group on one worker (tests/test_two_servers.py
# starts one pair of `make serve` servers for its tests). They need Redis at REDIS_URL
# (default redis://127.0.0.1:6379/0).
TEST_WORKERS ?= auto

test: test-deps $(EN_MO)
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadgroup tests --ignore=tests/browser
	$(VENV)/bin/pytest -q tests/browser
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL =="; \
	  FUXIN_TEST_DB=postgres $(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadgroup tests --ignore=tests/browser; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache
