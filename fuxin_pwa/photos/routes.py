"""Showing a stored photo to people who may see its record: thin — check access, send."""
import os

from flask import abort, send_file
from flask_login import current_user, login_required

from . import bp, storage
from .services import viewable_photo

# Private: a shared cache must never hand one person's photo to another. A photo id never
# changes its bytes, so the browser may keep it for a day without asking again.
CACHE_CONTROL = "private, max-age=86400"


def _send(relative: str, mimetype: str):
    path = storage.absolute(relative)
    if not os.path.isfile(path):
        abort(404)
    response = send_file(path, mimetype=mimetype, conditional=True, etag=True)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/photos/<photo_uuid>")
@login_required
def show(photo_uuid: str):
    """The photo itself; 404 for anyone who may not see its record (not 403: no hint)."""
    photo = viewable_photo(current_user, photo_uuid)
    return _send(photo.storage_path, photo.content_type)


@bp.get("/photos/<photo_uuid>/thumb")
@login_required
def thumb(photo_uuid: str):
    """The small JPEG made on upload for lists; the photo itself where there is none."""
    photo = viewable_photo(current_user, photo_uuid)
    small = storage.thumb_path(photo.storage_path)
    if os.path.isfile(storage.absolute(small)):
        return _send(small, "image/jpeg")
    return _send(photo.storage_path, photo.content_type)
