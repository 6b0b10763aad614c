"""Residents' personal data: phone and ID numbers shown masked, revealed one at a time with a
reason; every reveal and every export written to the access log; old numbers erased.

One blueprint for both doors, with no common prefix: the reveal form posts to /privacy/…,
the admin reads the log at /admin/access-log/."""
from flask import Blueprint

bp = Blueprint("privacy", __name__)

from . import routes  # noqa: E402,F401
