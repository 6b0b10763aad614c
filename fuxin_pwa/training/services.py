"""The writes of training: a session with the people expected (its teams' members at the
time, and people named), attendance marked one tap each, a credential with its photo."""
import os
import uuid
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..auth.models import User
from ..directives.attachments import AttachmentRefused, sniff
from ..extensions import db
from ..photos import storage
from ..timeutil import to_local, utcnow
from .models import LEVELS, Credential, TrainingAttendance, TrainingSession

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_ENDINGS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
FOLDER = "credentials"


def create_session(organiser, kind: str, title: str, held_on: date, hours: float, place: str | None,
                   trainer: str | None, teams, person_ids) -> TrainingSession:
    """The session and one attendance row per person expected: every active member of the
    teams named, and the people named, each once."""
    expected = set(person_ids or [])
    if teams:
        expected |= set(db.session.scalars(sa.select(User.id).where(User.team.in_(list(teams)), User.active)))
    session = TrainingSession(kind=kind, title=title.strip(), held_on=held_on, hours=round(float(hours), 1),
                              place=(place or "").strip() or None, trainer=(trainer or "").strip() or None,
                              organiser_id=organiser.id, created_at=utcnow())
    session.expected = [TrainingAttendance(user_id=uid) for uid in sorted(expected)]
    db.session.add(session)
    db.session.commit()
    return session


def set_attended(row: TrainingAttendance, attended: bool) -> TrainingAttendance:
    row.attended = attended
    row.marked_at = utcnow()
    db.session.commit()
    return row


def read_photo(file) -> tuple[bytes, str] | None:
    """The certificate photo's bytes and type, None when none was sent; AttachmentRefused
    for a file that is no JPEG, PNG or WebP image, or too large."""
    if file is None or not getattr(file, "filename", ""):
        return None
    data = file.stream.read(PHOTO_MAX_BYTES + 1)
    if not data:
        return None
    if len(data) > PHOTO_MAX_BYTES:
        raise AttachmentRefused(_("照片超过 5 MB，请压缩后再上传"))
    content_type = sniff(data[:16])
    if content_type not in PHOTO_ENDINGS:
        raise AttachmentRefused(_("请上传 JPEG、PNG 或 WebP 格式的照片"))
    return data, content_type


def add_credential(recorder, person, level: str, obtained_on: date, photo=None) -> Credential:
    """A certificate or a degree; its photo (bytes, type) written first, as photos are, so a
    row is never committed without its file."""
    kind = next(k for k, levels in LEVELS.items() if level in levels)
    now = utcnow()
    credential = Credential(user_id=person.id, kind=kind, level=level, obtained_on=obtained_on,
                            recorded_by_id=recorder.id, created_at=now)
    relative = None
    if photo is not None:
        data, content_type = photo
        local = to_local(now)
        relative = f"{FOLDER}/{local:%Y}/{local:%m}/{uuid.uuid4()}.{PHOTO_ENDINGS[content_type]}"
        storage.write_atomic(relative, data)
        credential.photo_path, credential.photo_type = relative, content_type
    db.session.add(credential)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if relative:
            storage.remove(relative)
        raise
    return credential


def remove_credential(credential: Credential) -> None:
    """A certificate or degree entered by mistake: the row, then its photo (a file left by a
    crash here is an orphan nobody can reach, never a row pointing at nothing)."""
    relative = credential.photo_path
    db.session.delete(credential)
    db.session.commit()
    if relative:
        storage.remove(relative)


def photo_file(credential: Credential) -> str | None:
    if not credential.photo_path:
        return None
    path = storage.absolute(credential.photo_path)
    return path if os.path.isfile(path) else None
