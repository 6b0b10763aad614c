"""Directives relayed (传达部署): what a leader must have relayed to every village or
community by a date. Relaying one is a task log at a target place naming the directive
(TaskLog.directive_id), so the visit is recorded once and ticks the directive off."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

TITLE_MAX = 200
BODY_MAX = 5000
# Attachments (the notice as a PDF, a scan, a photo of the meeting's slide): a phone on 4G in
# a village must still be able to fetch one, and five cover what one directive carries.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
FILENAME_MAX = 200


class Directive(db.Model):
    __tablename__ = "directives"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    body: Mapped[str] = mapped_column(sa.Text)
    due_on: Mapped[date] = mapped_column(index=True)
    # All villages and communities: the targets are still written out one by one at publishing,
    # so a place added later is not suddenly overdue on something published before it existed.
    all_places: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Withdrawn (撤回): off everyone's list of what to relay, kept with its relays for the record.
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    created_by = relationship("User", foreign_keys=[created_by_id])
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])
    targets = relationship("DirectiveTarget", back_populates="directive", cascade="all, delete-orphan")
    attachments = relationship("DirectiveAttachment", back_populates="directive", cascade="all, delete-orphan",
                               order_by="DirectiveAttachment.id")

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class DirectiveTarget(db.Model):
    __tablename__ = "directive_targets"
    __table_args__ = (sa.UniqueConstraint("directive_id", "place_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(sa.ForeignKey("directives.id"), index=True)
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("places.id"), index=True)

    directive = relationship("Directive", back_populates="targets")
    place = relationship("Place")


class DirectiveAttachment(db.Model):
    """A file sent with a directive, stored like a photo (photos/storage.py): under PHOTO_DIR,
    so the backup takes it with the photos, named on disk by its UUID, never by the name the
    leader's computer gave it (kept here for the download)."""

    __tablename__ = "directive_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    directive_id: Mapped[int] = mapped_column(sa.ForeignKey("directives.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(FILENAME_MAX))
    content_type: Mapped[str] = mapped_column(sa.String(32))  # from the bytes, never from the name
    size_bytes: Mapped[int] = mapped_column()
    storage_path: Mapped[str] = mapped_column(sa.String(255))  # relative to PHOTO_DIR
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    directive = relationship("Directive", back_populates="attachments")

    @property
    def size_text(self) -> str:
        """350 KB, 2.4 MB: beside the link, so a phone on a weak signal knows what it costs."""
        if self.size_bytes < 1024 * 1024:
            return f"{max(1, round(self.size_bytes / 1024))} KB"
        return f"{self.size_bytes / 1024 / 1024:.1f} MB"
