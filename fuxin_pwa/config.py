"""Defaults; `instance/config.py` and the environment override them."""
import os
from datetime import timedelta


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")  # None → a random key kept in instance/
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None → SQLite in instance/
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Field staff must not retype passwords in the rain.
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None  # a form opened offline may be submitted hours later
    WTF_CSRF_HEADERS = ["X-CSRFToken", "X-CSRF-Token"]
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ["zh_CN", "en"]
    # fuxin_pwa/translations (relative to the package); the Chinese text is the msgid, so only
    # English has a catalog there.
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    # Where rate-limit counts live: this process's memory on one server; with several app
    # servers, one store they share (redis://host:6379/0), or each counts alone.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "fuxin")  # one Redis, several apps
    # Failed logins (auth/throttle.py): an account, or an address, that failed this often is
    # held until the oldest failure is out of the window.
    LOGIN_FAILS_PER_ACCOUNT = "10 per 15 minutes"
    LOGIN_FAILS_PER_ADDRESS = "50 per 15 minutes"
    RATELIMIT_HEADERS_ENABLED = True
    # Where the data versions live (versions.py): what tells every worker a kept page or
    # person is stale. A folder (None → instance/versions) for one server; with several, the
    # Redis they share (it defaults to RATELIMIT_STORAGE_URI's when that is a Redis).
    VERSIONS_URI = os.environ.get("VERSIONS_URI")
    # How long a kept page or person may be used without a fresh look, whatever the versions
    # say: the bound on staleness after a write made outside the app.
    KEEP_SECONDS = 60
    # The sync contract: at most 200 records and 1 MiB a request.
    SYNC_MAX_RECORDS = 200
    SYNC_MAX_BYTES = 1024 * 1024
    # Sync requests per person (each up to 200 records); bench/throughput.py raises it.
    SYNC_RATE_LIMIT = os.environ.get("SYNC_RATE_LIMIT", "120 per minute")
    # Clock error beyond which a device's time is corrected and flagged.
    CLOCK_SKEW_TOLERANCE = timedelta(minutes=2)
    # A record still dated this far ahead after the correction is refused (the person's to fix).
    FUTURE_TOLERANCE = timedelta(minutes=5)
    PAGE_SIZE = 30
    # The grade ladder (grades/ladder.py): None is 三岗十八级, 3 years a step. A locality lays
    # its own over it, e.g. {"years_per_step": 2} or, for 四岗二十四级, {"ranges": {"chief":
    # (13, 24), "deputy": (9, 20), "other": (4, 15), "assistant": (1, 12)}, "post_labels":
    # {"assistant": "社区专职网格员"}}; education_years and certificate_grades by level code.
    GRADE_RULE = None
    # How often the incident board and the home banner of a dispatched person refresh.
    DISPATCH_POLL_SECONDS = 15
    # After an incident ends, how long a report from it may still be made at its places
    # outside the person's own (by the report's time).
    INCIDENT_REPORT_GRACE = timedelta(hours=2)
    # Photos: at most 5 MiB each (the device scales them down first), kept under
    # PHOTO_DIR/<yyyy>/<mm>/ (None → instance/photos).
    PHOTO_DIR = os.environ.get("PHOTO_DIR")
    PHOTO_MAX_BYTES = 5 * 1024 * 1024
    # Decoding costs width × height × 4 bytes however small the file: a phone sends at most
    # 1600 px a side, so more than this is refused from the header, before decoding (and
    # Pillow refuses to decode twice this anywhere in the process: photos/images.py).
    PHOTO_MAX_PIXELS = 4096 * 4096
    PHOTO_MAX_SIDE = 4096
    # Stored photo bytes per person (photos/quota.py); None: no limit.
    PHOTO_QUOTA_BYTES = 500 * 1024 * 1024
    # Backups (flask backup): archives under BACKUP_DIR (None → instance/backups), the newest
    # BACKUP_KEEP of them kept. pg_dump, pg_restore and psql come from PATH, or from PG_BIN_DIR
    # when the server's major version is not the one on PATH.
    BACKUP_DIR = os.environ.get("BACKUP_DIR")
    BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))
    PG_BIN_DIR = os.environ.get("PG_BIN_DIR")
    # Uploads waiting for an admin to confirm an import (None → instance/imports); a restore
    # tried on the live machine points it elsewhere.
    IMPORT_DIR = os.environ.get("IMPORT_DIR")
    # No request body is read past this; larger ones get 413 (JSON under /api/). The
    # biggest legitimate body is an exported outbox with its photos, uploaded by an admin.
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    # An exported outbox dated more than this before its import (or after it) came from a
    # wrong clock: its records' times are corrected (see sync/outbox_file.py).
    OUTBOX_MAX_AGE = timedelta(days=30)
    # Behind a TLS-terminating reverse proxy: how many proxies to trust for the client's
    # address and scheme (rate limits per client, secure cookies, https URLs).
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    # Residents' phone numbers on requests closed this long ago are erased by `flask retention`
    # (run daily by cron): kept while a callback or a complaint may still come, not for ever.
    RETENTION_REQUEST_PHONE_DAYS = int(os.environ.get("RETENTION_REQUEST_PHONE_DAYS", "1095"))
    # 三必访: the days within which a care visit is owed once its trigger is recorded; each
    # locality sets its own (7 unless it says).
    CARE_VISIT_DAYS = int(os.environ.get("CARE_VISIT_DAYS", "7"))
