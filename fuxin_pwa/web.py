"""Rendering helpers shared by every HTML area.

One URL answers a whole page to a browser and only the changing part to htmx; the
`Vary: HX-Request` header keeps caches (and later the service worker) from mixing them."""
import math
import uuid
from urllib.parse import urlencode

from flask import Flask, current_app, make_response, render_template, request, url_for

from .assets import init_assets, static_hashes
from .timeutil import to_local


def is_htmx() -> bool:
    """Only a targeted htmx request wants a fragment. A boosted link wants the whole page, and
    so does htmx restoring history after a cache miss (it swaps the answer into <body>)."""
    headers = request.headers
    return (headers.get("HX-Request") == "true" and headers.get("HX-Boosted") != "true"
            and headers.get("HX-History-Restore-Request") != "true")


def render(template: str, partial: str | None = None, status: int = 200, **context):
    """Full page, or `partial` when htmx asked for a fragment."""
    name = partial if (partial and is_htmx()) else template
    return page_response(render_template(name, **context), status)


def page_response(html: str, status: int = 200):
    """An HTML answer as every page is sent: whole or fragment, told apart by HX-Request."""
    response = make_response(html, status)
    response.headers["Vary"] = "HX-Request"
    return response


class Page:
    """One page of a list: items plus what the pager needs. Bounded by LIMIT/OFFSET."""

    def __init__(self, items, page: int, per_page: int, total: int):
        self.items, self.page, self.per_page, self.total = items, page, per_page, total
        self.pages = max(math.ceil(total / per_page), 1)
        self.has_prev = page > 1
        self.has_next = page < self.pages

    def url_for_page(self, page: int) -> str:
        args = request.args.to_dict()
        args["page"] = page
        return request.path + "?" + urlencode(args)


def paginate(session, stmt, count_stmt, page: int, per_page: int) -> Page:
    """Page `page` (from 1) of a query: the items by LIMIT/OFFSET and the total. The caller
    says which page (page_args() reads it from the request): queries know nothing of HTTP."""
    total = session.scalar(count_stmt) or 0
    items = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items, page, per_page, total)


def mask_phone(value: str | None) -> str:
    """138****5678: enough to recognise, not enough to misuse."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "****" + digits[-4:]


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    local = to_local(value)
    return local.strftime(fmt) if local else ""


def static_url(filename: str) -> str:
    """`/static/<filename>?v=<content hash>`: cached for a year, renamed by each release."""
    version = static_hashes().of(filename)
    if version is None:  # a missing file still gets its (404) URL, as url_for would
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=version)


def register_template_helpers(app: Flask) -> None:
    init_assets(app)  # what static_url relies on: the hashes, the cache and gzip headers
    app.jinja_env.globals["static_url"] = static_url
    # A record id for a form drawn without a form object (a button per service, say).
    app.jinja_env.globals["new_uuid"] = lambda: str(uuid.uuid4())
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["mask_id"] = mask_id_number


def form_status(*forms) -> int:
    """422 for a form that came back with its errors, to a browser and to htmx alike (htmx
    swaps a 422 in because field.js tells it to, on every page); 200 otherwise."""
    return 422 if any(f is not None and f.errors for f in forms) else 200


MAX_PAGE = 100_000  # far past any list's end; a larger ?page= would overflow the OFFSET a database holds


def page_args() -> tuple[int, int]:
    """The ?page= asked for (1 at least, MAX_PAGE at most) and the page size."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE), current_app.config["PAGE_SIZE"]

