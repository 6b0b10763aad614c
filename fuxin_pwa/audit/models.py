"""One row per change to a registered object: who, when, which object, each changed field's
before and after. Written by the session events in capture.py, never by a route."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

CREATE = "create"
UPDATE = "update"
DELETE = "delete"
# What the log holds instead of a secret's value (a password hash, a session token): only
# that it changed.
SECRET = "[changed]"


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_object", "object_type", "object_id"),
        sa.Index("ix_audit_entries_parent", "parent_type", "parent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # UTC
    # None: the command line, a migration, a script; no one logged in.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[int] = mapped_column()
    # The object a part belongs to (an assignment's person, a post's incident), so the
    # owner's history shows its parts' changes too.
    parent_type: Mapped[str | None] = mapped_column(sa.String(32))
    parent_id: Mapped[int | None] = mapped_column()
    action: Mapped[str] = mapped_column(sa.String(8))
    changes: Mapped[dict] = mapped_column(sa.JSON)  # {field: [before, after]}, personal values masked
    path: Mapped[str | None] = mapped_column(sa.String(200))  # the request's path; None outside one

    actor = relationship("User")
