"""The field home on the phone: my places, check-in, task log, my record."""
from flask import Blueprint

bp = Blueprint("field", __name__)

from . import routes  # noqa: E402,F401
