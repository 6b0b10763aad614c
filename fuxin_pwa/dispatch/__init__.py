from flask import Blueprint

bp = Blueprint("dispatch", __name__, url_prefix="/dispatch")

from . import field_routes, routes  # noqa: E402,F401
