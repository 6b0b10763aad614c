"""Storing a device's photo exactly once, finding the record it belongs to, and deciding who
may see it. The sync API (sync/photo_routes.py) and the outbox import both call these."""
import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..domain import NotFound
from ..extensions import db
from ..places.services import place_in_scope
from ..records import find_record_by_uuid
from ..timeutil import utcnow
from . import images, quota, storage
from .models import MAX_PER_RECORD, Photo

CREATED = "created"
DUPLICATE = "duplicate"


class PhotoError(Exception):
    """A photo refused: the HTTP status and JSON code of the sync API, and a message for
    people in their language (the outbox import shows it)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _not_found():
    return PhotoError(404, "not_found", _("记录不存在或尚未同步，照片未保存"))


def _too_large():
    return PhotoError(413, "too_large", _("照片太大（最大 %(mb)s MB）", mb=max_bytes() // 1024 // 1024))


def _not_an_image():
    return PhotoError(415, "unsupported_media_type", _("不是可识别的 JPEG、PNG 或 WebP 图片"))


def _too_many_pixels():
    # 413 like a file too large: the protocol's status for a photo the server will not take,
    # which the device shows the person instead of retrying. The phone never sends more
    # than 1600 px a side, so this is a broken or hostile upload, not a photo to shrink.
    config = current_app.config
    return PhotoError(413, "too_large", _("照片尺寸过大（长边最多 %(side)s 像素，共最多 %(mp)s 百万像素）",
                                          side=config["PHOTO_MAX_SIDE"],
                                          mp=round(config["PHOTO_MAX_PIXELS"] / 1_000_000, 1)))


def _storage_full(used: int):
    # 413 as well: the protocol has no other status the device shows the person without
    # retrying it forever; the code (and the message) tell it from a photo too large.
    return PhotoError(413, "quota_exceeded", quota.full_message(used))


@dataclass
class PhotoResult:
    status: str  # CREATED or DUPLICATE
    photo: Photo


def max_bytes() -> int:
    return current_app.config["PHOTO_MAX_BYTES"]


def parse_uuid(value) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except (TypeError, ValueError):
        return None


def record_by_uuid(record_uuid: str):
    """The check-in, task log (or later record type) with this id, whoever made it."""
    return find_record_by_uuid(record_uuid)


def find_own_record(user, record_id):
    """The person's own record with this id. Another person's record is 404 like a missing
    one (not 403), so a guessed id confirms nothing; the device retries after syncing."""
    record = record_by_uuid(parse_uuid(record_id) or "")
    if record is None or record.user_id != user.id:
        raise _not_found()
    return record


def record_type_of(record) -> str:
    """The record's type as the sync protocol names it ("checkin", "task_log")."""
    from ..sync.registry import RECORD_TYPES  # sync imports this module; look up lazily

    for name, kind in RECORD_TYPES.items():
        if isinstance(record, kind.model):
            return name
    return type(record).__tablename__


def strips_location(record) -> bool:
    """The EXIF rule: a photo never tells more about where it was taken than its record does.

    GPS tags are kept only when the record itself holds the position the person shared: a
    check-in with lat/lon. A check-in saved without a fix or with location declined, and a
    task log (its form has no position at all), get the GPS block (and any XMP packet, which
    may repeat it) removed before the file is stored."""
    return not getattr(record, "has_location", False)


def save_photo(user, record, photo_id, content_type: str | None, data: bytes) -> PhotoResult:
    """Store `data` as photo `photo_id` of the person's `record`, once.

    The same id with the same bytes again is DUPLICATE (a retry after a lost answer);
    the same id with other bytes, or on another record, is refused (409)."""
    photo_uuid = parse_uuid(photo_id)
    if photo_uuid is None:
        raise PhotoError(400, "bad_request", _("照片编号必须是 UUID"))
    if len(data) > max_bytes():
        raise _too_large()
    digest = hashlib.sha256(data).hexdigest()
    existing = _stored(photo_uuid)
    if existing is not None:
        return _judge(existing, user, record, digest)
    if (content_type or "").split(";")[0].strip().lower() not in storage.EXTENSIONS:
        raise _not_an_image()
    config = current_app.config
    try:
        prepared = images.prepare(data, strips_location(record), max_pixels=config["PHOTO_MAX_PIXELS"],
                                  max_side=config["PHOTO_MAX_SIDE"])
    except images.TooLarge:
        raise _too_many_pixels() from None
    except images.NotAnImage:
        raise _not_an_image() from None

    received_at = utcnow()
    relative = storage.relative_path(photo_uuid, prepared.content_type, received_at)
    photo = Photo(uuid=photo_uuid, record_type=record_type_of(record), record_uuid=record.uuid,
                  user_id=user.id, content_type=prepared.content_type, size_bytes=len(prepared.data),
                  width=prepared.width, height=prepared.height, sha256=digest, storage_path=relative,
                  location_stripped=prepared.location_stripped, received_at=received_at)
    _lock(record)
    db.session.add(photo)
    try:
        # The row claims the id before any file is written: a racing upload of the same id
        # waits on the unique key and then fails it, so it never overwrites this file.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = _stored(photo_uuid)
        if existing is None:
            raise
        return _judge(existing, user, record, digest)
    # Counted after our own insert, inside its transaction: a racing upload for the last
    # place waits for this one (the record's row lock, or SQLite's single writer) and then
    # counts it, so a record never ends up with a fourth photo.
    count = db.session.scalar(sa.select(sa.func.count(Photo.id)).where(Photo.record_uuid == record.uuid))
    if count > MAX_PER_RECORD:
        db.session.rollback()
        raise PhotoError(409, "too_many_photos", _("每条记录最多 %(n)s 张照片", n=MAX_PER_RECORD))
    # The quota the same way, one SUM over the person's photos with this one in it. SQLite's
    # single writer orders a person's racing uploads; on PostgreSQL uploads to two different
    # records at once may each pass by the other's photo (the device sends one at a time).
    used_before = quota.used_before_if_over(user.id, photo.size_bytes)
    if used_before is not None:
        db.session.rollback()
        raise _storage_full(used_before)
    try:
        storage.write_atomic(relative, prepared.data)
        if prepared.thumbnail:
            storage.write_atomic(storage.thumb_path(relative), prepared.thumbnail)
        db.session.commit()
    except BaseException:
        storage.remove(relative)  # before the rollback frees the id for another upload
        db.session.rollback()
        raise
    return PhotoResult(CREATED, photo)


def save_photo_for(user, record_id, photo_id, content_type: str | None, data: bytes) -> PhotoResult:
    """save_photo for a record named by its id (the outbox import)."""
    return save_photo(user, find_own_record(user, record_id), photo_id, content_type, data)


def _stored(photo_uuid: str) -> Photo | None:
    return db.session.scalar(sa.select(Photo).where(Photo.uuid == photo_uuid))


def _judge(existing: Photo, user, record, digest: str) -> PhotoResult:
    if existing.user_id == user.id and existing.record_uuid == record.uuid and existing.sha256 == digest:
        return PhotoResult(DUPLICATE, existing)
    raise PhotoError(409, "conflict", _("该照片编号已被另一张不同的照片使用"))


def _lock(record) -> None:
    """PostgreSQL: one photo insert at a time per record, so the limit holds under races.
    SQLite has no row locks (SQLAlchemy leaves FOR UPDATE out); its single writer does it."""
    model = type(record)
    db.session.execute(sa.select(model.id).where(model.id == record.id).with_for_update())


# --- Reading ------------------------------------------------------------------------------

def photos_for_records(records) -> dict[str, list[Photo]]:
    """Photos of a page of records in one query, by record id, oldest first."""
    uuids = {r.uuid for r in records}
    found: dict[str, list[Photo]] = defaultdict(list)
    if uuids:
        for photo in db.session.scalars(sa.select(Photo).where(Photo.record_uuid.in_(uuids))
                                        .order_by(Photo.received_at, Photo.id)):
            found[photo.record_uuid].append(photo)
    return found


def viewable_photo(user, photo_id) -> Photo:
    """The photo if `user` may see it: its owner, leaders and admins, and anyone whose place
    scope covers its record's place. NotFound otherwise, whether it is missing or not theirs."""
    photo = _visible_or_none(user, photo_id)
    if photo is None:
        raise NotFound()
    return photo


def _visible_or_none(user, photo_id) -> Photo | None:
    photo_uuid = parse_uuid(photo_id)
    photo = _stored(photo_uuid) if photo_uuid else None
    if photo is None or photo.user_id == user.id:
        return photo
    record = record_by_uuid(photo.record_uuid)
    place_id = getattr(record, "place_id", None)
    if place_id is not None and place_in_scope(user, place_id):
        return photo
    # A request (and a visit on it) is also seen by whoever it was assigned to, wherever
    # they work: the photo of the leaking roof goes with the request.
    from ..requests.access import may_see_request  # requests imports photos; look up lazily
    from ..requests.models import ResidentRequest

    request = record if isinstance(record, ResidentRequest) else getattr(record, "request", None)
    return photo if request is not None and may_see_request(user, request) else None
