"""A person's profile photo: checked by its bytes (JPEG, PNG or WebP Pillow can read whole,
at most 10 MiB), stored re-encoded as a 240 px square JPEG under PHOTO_DIR/people/ with the
training credentials' storage helpers. Replacing a photo removes the old file."""
import os
import uuid

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..photos import images, storage
from ..timeutil import utcnow
from .models import PersonPhoto

MAX_BYTES = 10 * 1024 * 1024
SIDE = 240
QUALITY = 80
FOLDER = "people"


class PhotoRefused(ValueError):
    """The upload is no photo we keep; `message` is the Chinese sentence for the field."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_portrait(file) -> bytes:
    """The small square JPEG made from the uploaded file; PhotoRefused otherwise."""
    data = file.stream.read(MAX_BYTES + 1) if file is not None and getattr(file, "filename", "") else b""
    if not data:
        raise PhotoRefused(_("请选择一张照片"))
    if len(data) > MAX_BYTES:
        raise PhotoRefused(_("照片超过 10 MB，请压缩后再上传"))
    try:
        return images.square_jpeg(data, SIDE, QUALITY, current_app.config["PHOTO_MAX_PIXELS"],
                                  current_app.config["PHOTO_MAX_SIDE"])
    except images.TooLarge:
        raise PhotoRefused(_("照片尺寸过大，请缩小后再上传")) from None
    except images.NotAnImage:
        raise PhotoRefused(_("请上传 JPEG、PNG 或 WebP 格式的照片")) from None


def photo_of(person_id: int) -> PersonPhoto | None:
    return db.session.scalar(sa.select(PersonPhoto).where(PersonPhoto.user_id == person_id))


def photos_of(person_ids) -> dict[int, PersonPhoto]:
    """One query for a page of people (the vote page lists a community's workers)."""
    ids = list(person_ids)
    if not ids:
        return {}
    return {p.user_id: p for p in db.session.scalars(sa.select(PersonPhoto).where(PersonPhoto.user_id.in_(ids)))}


def set_photo(uploader, person, portrait: bytes) -> PersonPhoto:
    """The new file is written under a new name first and the row committed, then the old
    file removed: a crash leaves at worst an orphan file, never a row pointing at nothing."""
    relative = f"{FOLDER}/{uuid.uuid4()}.jpg"
    storage.write_atomic(relative, portrait)
    photo = photo_of(person.id) or PersonPhoto(user_id=person.id)
    old = photo.storage_path
    photo.storage_path, photo.uploaded_by_id, photo.uploaded_at = relative, uploader.id, utcnow()
    db.session.add(photo)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        storage.remove(relative)
        raise
    if old:
        storage.remove(old)
    return photo


def photo_file(photo: PersonPhoto | None) -> str | None:
    if photo is None:
        return None
    path = storage.absolute(photo.storage_path)
    return path if os.path.isfile(path) else None
