"""A photo belongs to one field record (a check-in or a task log), named by the record's
UUID: the device uploads photos after their record, and may upload them again."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

MAX_PER_RECORD = 3


class Photo(db.Model):
    __tablename__ = "photos"
    __table_args__ = (sa.Index("ix_photos_record", "record_uuid", "record_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)  # the device's photo id
    # The record's type as the sync protocol names it ("checkin", "task_log") and its UUID:
    # a record id is unique across every record table, so the UUID alone finds it.
    record_type: Mapped[str] = mapped_column(sa.String(32))
    record_uuid: Mapped[str] = mapped_column(sa.String(36))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    content_type: Mapped[str] = mapped_column(sa.String(32))
    size_bytes: Mapped[int] = mapped_column()  # of the stored file
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    # Of the body as the device sent it: a replay is told from different bytes by this,
    # even where the stored file differs because its location was stripped.
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_path: Mapped[str] = mapped_column(sa.String(255))  # relative to PHOTO_DIR
    location_stripped: Mapped[bool] = mapped_column(default=False)  # GPS removed from the file
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Photo {self.uuid} of {self.record_type} {self.record_uuid}>"
