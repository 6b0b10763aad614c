"""What the installable shell is made of: the manifest, the files the service worker
precaches, and the version that names its caches.

The version is a hash of everything the offline shell is built from (the static files,
the worker's source, the templates of the offline page) plus ASSET_VERSION_SALT, so each
release gets a new worker and a new cache without anyone bumping a number by hand; the
salt lets an operator (or a test) force one."""
import hashlib
import json
import os

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from ..assets import ContentHashes, static_hashes
from ..i18n import DEFAULT, LANGUAGES
from ..web import static_url

APP_NAME = "福新外勤"
THEME_COLOR = "#b22222"
BACKGROUND_COLOR = "#f6f7f9"
ICONS = (  # (file, sizes, purpose)
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
)
# Everything under static/ with these endings is shell: css, htmx, field.js and every
# other script in static/js (the outbox's too), the icons.
SHELL_SUFFIXES = (".css", ".js", ".png", ".svg", ".webp", ".woff2")
# The offline page is built from these, so a change to them is a new shell too.
SHELL_TEMPLATES = ("base.html", "pwa/offline.html", "pwa/_head.html", "pwa/_scripts.html",
                   "pwa/_badge.html", "pwa/_update_banner.html", "pwa/_persist_note.html")
# Opened with no signal even when not visited yet: the worker fetches them once logged in
# (the outbox page too, where the outbox has one).
OFFLINE_PAGES = (("field.home", _l("首页")), ("field.checkin", _l("签到")), ("field.task_log", _l("记一笔")),
                 ("field.record", _l("我的记录")), ("requests.new", _l("登记诉求")), ("pwa.outbox", _l("待同步")),
                 ("service_days.tally", _l("登记服务人次")))
# Links to those pages with arguments (the home's 签到 for a place, its 待传达 card for a relay):
# offline, such a URL the worker has no copy of is answered with the page kept without them,
# and the page's scripts read the arguments from the address (outbox-forms.js the place,
# relay.js the directive, rounds.js a household of the plan). Only these arguments: a page opened with any other (a household,
# a search) would not show what was asked, so that one gets the offline page.
OFFLINE_ARGS = {"field.checkin": ("place_id", "household_id"),
                "field.task_log": ("directive_id", "place_id", "household_id"), "requests.new": ("service_day_id",)}
# The pages the worker and the browser may keep: those, and the shell's own (everything else
# is no-store, pwa/__init__.py).
STORABLE_PAGES = frozenset(endpoint for endpoint, _label in OFFLINE_PAGES) | {"pwa.offline", "pwa.install"}
API_PREFIX = "/api/"  # the JSON API (sync, photos): never cached, never answered offline
WORKER_SOURCE = os.path.join(os.path.dirname(__file__), "sw.js")
WORKER_CONFIG_MARK = "__SHELL_CONFIG__"
# The scripts' English texts, the outbox store and sync client, in this order: the worker
# imports them for Background Sync (all written without the DOM), at this release's versioned URLs.
WORKER_IMPORTS = ("js/fuxin-en.js", "js/outbox-store.js", "js/outbox-sync.js")


def manifest() -> dict:
    return {
        "id": "/",
        "name": APP_NAME,
        "short_name": APP_NAME,
        "description": "街道外勤签到、工作记录与一户一策，无网络时也能记录",
        "lang": "zh-CN",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [{"src": static_url(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
                  for path, sizes, purpose in ICONS],
    }


def _hashes(key: str, root: str) -> ContentHashes:
    """One ContentHashes per folder, kept on the app."""
    store = current_app.extensions.setdefault("fuxin_shell_hashes", {})
    if key not in store:
        store[key] = ContentHashes(root)
    return store[key]


def shell_files() -> list[str]:
    return static_hashes().files(SHELL_SUFFIXES)


def shell_version() -> str:
    statics = static_hashes()
    templates = _hashes("templates", os.path.join(current_app.root_path, current_app.template_folder))
    worker = _hashes("worker", os.path.dirname(WORKER_SOURCE))
    parts = [f"static/{name}={statics.of(name)}" for name in shell_files()]
    parts += [f"templates/{name}={templates.of(name)}" for name in SHELL_TEMPLATES]
    parts.append(f"sw.js={worker.of(os.path.basename(WORKER_SOURCE))}")
    parts.append(f"salt={current_app.config.get('ASSET_VERSION_SALT', '')}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def offline_pages() -> list[tuple[str, str]]:
    """(URL, label) of the pages that open offline."""
    return [(url_for(endpoint), label) for endpoint, label in OFFLINE_PAGES
            if endpoint in current_app.view_functions]


def worker_script() -> str:
    """The worker's source with this release's shell filled in (a config line, so the
    browser's byte-for-byte update check sees every release)."""
    config = {
        "version": shell_version(),
        "precache": [static_url(name) for name in shell_files()],
        # One offline page per language, fetched without cookies: the language is the URL's.
        "offlineUrls": {code: url_for("pwa.offline", lang=None if code == DEFAULT else code) for code in LANGUAGES},
        "offlinePages": [url for url, _label in offline_pages()],
        "offlineArgs": {url_for(endpoint): list(args) for endpoint, args in OFFLINE_ARGS.items()
                        if endpoint in current_app.view_functions},
        # A login or logout starts a new person's pages: the previous one's are dropped.
        "sessionUrls": [url_for("auth.login"), url_for("auth.logout")],
        "staticPrefix": url_for("static", filename=""),
        "apiPrefix": API_PREFIX,
        "imports": [static_url(name) for name in WORKER_IMPORTS],
    }
    with open(WORKER_SOURCE, encoding="utf-8") as handle:
        source = handle.read()
    return source.replace(WORKER_CONFIG_MARK, json.dumps(config, ensure_ascii=False), 1)
