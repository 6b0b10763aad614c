"""Each person's share of the photo disk: PHOTO_QUOTA_BYTES of stored photo files.

Counted from the photos table (one SUM over the person's rows, on the user_id index), never
by walking the disk. The size is the stored file's: a photo whose location was stripped
counts as stored, not as sent. Thumbnails (a few KB each) are not counted."""
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from .models import Photo

MIB = 1024 * 1024


def quota_bytes() -> int | None:
    """The per-person limit; None (or 0) means none."""
    return current_app.config.get("PHOTO_QUOTA_BYTES") or None


def used_bytes(user_id: int) -> int:
    """What the person's photos take on disk now, as this transaction sees it."""
    total = db.session.scalar(sa.select(sa.func.sum(Photo.size_bytes)).where(Photo.user_id == user_id))
    return int(total or 0)


def used_before_if_over(user_id: int, new_bytes: int) -> int | None:
    """Called with the new photo's row already flushed (so it is counted): None if the
    person's photos still fit, otherwise what they used before it, for the message."""
    limit = quota_bytes()
    if limit is None:
        return None
    used = used_bytes(user_id)
    return used - new_bytes if used > limit else None


def full_message(used: int) -> str:
    """For the person, who cannot free space themselves: an administrator raises the limit
    or removes old photos."""
    return _("照片存储已满（已用 %(used)s / 上限 %(limit)s），请联系管理员",
             used=_megabytes(used), limit=_megabytes(quota_bytes() or 0))


def _megabytes(size: int) -> str:
    text = f"{size / MIB:.1f}".removesuffix(".0")
    return f"{text} MB"
