"""Admin: places, households, people, assignments, task kinds, imports (rosters and device outboxes)."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import import_routes, outbox_import, people_routes, routes  # noqa: E402,F401
