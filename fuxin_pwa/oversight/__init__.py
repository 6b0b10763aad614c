"""The leader's view: all places and people, every record filterable."""
from flask import Blueprint

bp = Blueprint("oversight", __name__, url_prefix="/oversight")

from . import routes  # noqa: E402,F401
