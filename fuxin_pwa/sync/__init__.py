"""The JSON API of the sync protocol: /api/v1/me and /api/v1/sync."""
from flask import Blueprint

bp = Blueprint("sync", __name__, url_prefix="/api/v1")

from . import routes  # noqa: E402,F401
