"""The installable offline app: manifest, service worker, offline page, the outbox page."""
from flask import Blueprint

bp = Blueprint("pwa", __name__)

from . import outbox, routes  # noqa: E402,F401
