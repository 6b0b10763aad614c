from flask import Blueprint

bp = Blueprint("directives", __name__, url_prefix="/directives")

from . import routes  # noqa: E402,F401
