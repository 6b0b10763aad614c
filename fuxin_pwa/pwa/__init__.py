"""The installable offline app: manifest, service worker, offline page, the outbox page."""
from flask import Blueprint, request

bp = Blueprint("pwa", __name__)

from . import outbox, routes  # noqa: E402,F401
from .shell import STORABLE_PAGES  # noqa: E402


@bp.after_app_request
def pages_kept_only_where_meant(response):
    """Only the pages meant to open offline may be kept, by the browser or the service
    worker (which honours no-store): every other page may show a resident's phone or ID
    number, a household's address or a colleague's record, and a shared phone must not keep
    them for whoever holds it next. The ones kept are dropped when the session ends (sw.js)."""
    if (response.mimetype == "text/html" and request.endpoint not in STORABLE_PAGES
            and "Cache-Control" not in response.headers):
        response.headers["Cache-Control"] = "private, no-store"
    return response
