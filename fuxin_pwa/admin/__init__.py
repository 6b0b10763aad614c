"""Admin: places, households, people, assignments, task kinds, imports."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import import_routes, people_routes, routes  # noqa: E402,F401
