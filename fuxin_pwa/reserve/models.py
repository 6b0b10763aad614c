"""The young-cadre reserve pool (后备库): a young cadre nominated by a leader, assessed,
admitted to the pool on a date, and later appointed to a post; leaders' notes on the way.

Every move of status is its own row (who, when, from what to what, why), so the history is
read rather than rebuilt from notes, and the audit log is not the only place it lives."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

NOMINATED = "nominated"
ASSESSING = "assessing"
ADMITTED = "admitted"
APPOINTED = "appointed"
WITHDRAWN = "withdrawn"
# In the order of the flow: the pool page lists people by status in this order.
STATUSES = {NOMINATED: _l("提名"), ASSESSING: _l("考察"), ADMITTED: _l("入库"), APPOINTED: _l("已任用"),
            WITHDRAWN: _l("退出")}
# Forward one step at a time; a leader may withdraw anyone not yet appointed.
TRANSITIONS = {
    NOMINATED: (ASSESSING, WITHDRAWN),
    ASSESSING: (ADMITTED, WITHDRAWN),
    ADMITTED: (APPOINTED, WITHDRAWN),
    APPOINTED: (),
    WITHDRAWN: (),
}
TEXT_MAX = 1000
POST_MAX = 100


class ReserveCandidate(db.Model):
    __tablename__ = "reserve_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=NOMINATED, index=True)
    nominated_on: Mapped[date] = mapped_column()
    nominated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    admitted_on: Mapped[date | None] = mapped_column()
    appointed_on: Mapped[date | None] = mapped_column()
    appointed_as: Mapped[str | None] = mapped_column(sa.String(POST_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    nominated_by = relationship("User", foreign_keys=[nominated_by_id])

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)


class ReserveNote(db.Model):
    """A leader's note on a candidate (the nomination's reason is the first one)."""

    __tablename__ = "reserve_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("reserve_candidates.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(sa.String(TEXT_MAX))

    author = relationship("User")


class ReserveStatusChange(db.Model):
    __tablename__ = "reserve_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("reserve_candidates.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(16))  # None: the nomination
    to_status: Mapped[str] = mapped_column(sa.String(16))
    changed_on: Mapped[date] = mapped_column()  # the date it took effect (admission's date)
    changed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(TEXT_MAX))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    changed_by = relationship("User")

    @property
    def from_label(self) -> str:
        return STATUSES.get(self.from_status, self.from_status) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return STATUSES.get(self.to_status, self.to_status)
