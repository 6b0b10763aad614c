from flask import Blueprint

bp = Blueprint("grades", __name__, url_prefix="/grades")

from . import routes  # noqa: E402,F401
