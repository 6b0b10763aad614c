"""Pages a worker keeps between requests and answers again until the data under them changes.

The field home is drawn per person from six or seven queries and a dozen templates, and is
opened far more often than what it shows changes. A page drawn once is kept in the worker
with the data versions it was drawn under (versions.py), the local day, and the moment its
own content would change with no write at all (a "5 分钟前" turning into 6). It is answered
again while all three hold, for the same person, language and URL.

What must differ between two answers of one kept page is left as a hole when it is drawn
and filled per answer: the CSRF token (this session's), and the fresh record id each
no-JS form carries (an id used twice would make the second record a duplicate of the first).
A page that carries a flash message is never kept: the message is for this answer only.

Kept pages live in the worker's memory, at most KEPT_PAGES of them, least recently used
going first: a worker that restarts just draws again.
"""
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from datetime import datetime
from typing import Callable

from flask import current_app, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from . import versions
from .timeutil import local_today, utcnow
from .web import page_response

KEPT_PAGES = 2000
_MARK = secrets.token_hex(8)  # per process: nothing a person types can name a hole
CSRF_HOLE = f"csrf-{_MARK}"
RECORD_ID_HOLE = f"rid-{_MARK}"


def hole_context() -> dict:
    """What a page to be kept is drawn with: the helpers that would fill a hole draw it."""
    return {"csrf_token": lambda: CSRF_HOLE, "new_record_id": lambda: RECORD_ID_HOLE}


def _filled(html: str) -> str:
    if CSRF_HOLE in html:
        html = html.replace(CSRF_HOLE, generate_csrf())
    if RECORD_ID_HOLE in html:
        parts = html.split(RECORD_ID_HOLE)
        html = "".join(part + (str(uuid.uuid4()) if i < len(parts) - 1 else "") for i, part in enumerate(parts))
    return html


class _Kept:
    __slots__ = ("versions", "day", "until", "value")  # value: a page's html, or kept_for_person's

    def __init__(self, versions_, day, until, value):
        self.versions, self.day, self.until, self.value = versions_, day, until, value


class KeptPages:
    def __init__(self, size: int = KEPT_PAGES):
        self.size = size
        self.pages: OrderedDict[tuple, _Kept] = OrderedDict()
        self.lock = threading.Lock()  # `flask run` serves in threads

    def get(self, key):
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key, page: _Kept) -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


def _pages() -> KeptPages:
    return current_app.extensions.setdefault("fuxin_kept_pages", KeptPages())


def kept_page(user, draw: Callable[[], tuple[str, datetime | None]]):
    """This person's page at this URL: the kept one while it still holds, else draw() ->
    (html drawn with hole_context(), the UTC moment it would change by itself or None)."""
    if session.get("_flashes"):  # drawn for this answer only: it carries a message
        html, _changes_at = draw()
        return page_response(_filled(html))
    return page_response(_filled(_kept(("page", request.full_path), user, draw)))


def kept_for_person(name: str, user, compute: Callable[[], object]):
    """What compute() gives for this person in this language, kept as a page is (a value
    that must never hold ORM objects: it outlives the request's session)."""
    return _kept(("value", name), user, lambda: (compute(), None))


def _kept(what: tuple, user, draw):
    key = (*what, user.id, str(get_locale()), session.get("lang"))
    seen = versions.current(user.id)  # read before the rows: a write after this bumps past it
    day, now = local_today(), time.time()
    page = _pages().get(key)
    if page is None or page.versions != seen or page.day != day or now >= page.until:
        value, changes_at = draw()
        until = now + current_app.config["KEEP_SECONDS"]
        if changes_at is not None:
            until = min(until, now + max((changes_at - utcnow()).total_seconds(), 0))
        page = _Kept(seen, day, until, value)
        _pages().put(key, page)
    return page.value
