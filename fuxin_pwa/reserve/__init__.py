from flask import Blueprint

bp = Blueprint("reserve", __name__, url_prefix="/reserve")

from . import routes  # noqa: E402,F401
