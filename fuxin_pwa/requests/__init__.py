from flask import Blueprint

bp = Blueprint("requests", __name__, url_prefix="/requests")

from . import category_routes, routes  # noqa: E402,F401
