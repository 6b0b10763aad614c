"""Photos attached to field records: stored on disk, described in the photos table.

The device uploads them through the sync API (sync/photo_routes.py); people see them
through the HTML routes here, under the same access rules as the record they belong to."""
from flask import Blueprint

bp = Blueprint("photos", __name__)

from . import routes  # noqa: E402,F401
