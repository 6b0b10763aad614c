"""The JSON API of the sync protocol: /api/v1/me, /api/v1/sync and photo uploads."""
from flask import Blueprint

bp = Blueprint("sync", __name__, url_prefix="/api/v1")

from . import photo_routes, routes  # noqa: E402,F401
