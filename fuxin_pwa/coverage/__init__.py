from flask import Blueprint

bp = Blueprint("coverage", __name__, url_prefix="/coverage")

from . import routes  # noqa: E402,F401
