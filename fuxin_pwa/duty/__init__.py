from flask import Blueprint

bp = Blueprint("duty", __name__, url_prefix="/duty")

from . import routes  # noqa: E402,F401
from . import routes_plan  # noqa: E402,F401
