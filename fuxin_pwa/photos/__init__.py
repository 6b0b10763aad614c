"""Photos attached to field records: stored on disk, described in the photos table.

The device uploads them through the sync API (sync/photo_routes.py); people see them
through the HTML routes here, under the same access rules as the record they belong to."""
from flask import Blueprint

bp = Blueprint("photos", __name__)


@bp.record_once
def _limit_decoding(state):
    """Pillow's decompression-bomb limit is one for the whole process: the app's photo bound."""
    from .images import limit_decoding

    limit_decoding(state.app.config["PHOTO_MAX_PIXELS"])


from . import routes  # noqa: E402,F401
