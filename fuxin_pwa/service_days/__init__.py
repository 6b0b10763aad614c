from flask import Blueprint

bp = Blueprint("service_days", __name__, url_prefix="/service-days")

from . import routes  # noqa: E402,F401
