"""PUT /api/v1/records/<record id>/photos/<photo uuid>, as the sync protocol says.

On the sync blueprint, so its before_request answers 401 to a device without a session and
then checks the CSRF header. Then: the size (413, before reading the body), the record
(404: unknown, or another person's), and the photo service for the rest."""
from flask import current_app, jsonify, request
from flask_login import current_user

from ..extensions import limiter
from ..photos.services import CREATED, PhotoError, find_own_record, max_bytes, save_photo
from . import bp
from .routes import _user_key

READ_CHUNK = 64 * 1024


def _error(error: PhotoError):
    body = {"error": error.code}
    # 413 carries its reason: a full photo store (quota_exceeded) is not a photo too large.
    if error.status in (400, 409, 413) and error.code != "too_many_photos":
        body["detail"] = error.message
    return jsonify(body), error.status


def _read_body(limit: int) -> bytes | None:
    """At most `limit` bytes of the body, or None if it is longer: a body sent without a
    Content-Length (chunked) is read only until it proves too large."""
    chunks, total = [], 0
    while total <= limit:
        chunk = request.stream.read(min(READ_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return None if total > limit else b"".join(chunks)


@bp.put("/records/<record_id>/photos/<photo_id>")
@limiter.limit(lambda: current_app.config.get("PHOTO_RATE_LIMIT", "300 per minute"), key_func=_user_key)
def record_photo(record_id: str, photo_id: str):
    limit = max_bytes()
    if (request.content_length or 0) > limit:
        return jsonify(error="too_large"), 413
    try:
        record = find_own_record(current_user, record_id)
        data = _read_body(limit)
        if data is None:
            return jsonify(error="too_large"), 413
        result = save_photo(current_user, record, photo_id, request.content_type, data)
    except PhotoError as error:
        return _error(error)
    photo = result.photo
    return jsonify(id=photo.uuid, record_id=photo.record_uuid, status=result.status,
                   content_type=photo.content_type, width=photo.width, height=photo.height,
                   location_stripped=photo.location_stripped), 201 if result.status == CREATED else 200
