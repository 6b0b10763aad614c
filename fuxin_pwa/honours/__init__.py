from flask import Blueprint

bp = Blueprint("honours", __name__, url_prefix="/honours")

from . import routes  # noqa: E402,F401
