"""三必访 care visits: a trigger in a team member's life (hospitalised, a major hardship, an
immediate relative's death) owes them a visit by a responsible leader within a few days; the
visit itself is a record made on a device (offline too), so it carries its own UUID."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..records import FieldRecordMixin
from ..timeutil import utcnow

CARE_REASONS = {
    "hospitalised": _l("患病住院"),
    "hardship": _l("遭遇重大困难"),
    "bereavement": _l("直系亲属去世"),
}
NOTE_MAX = 500
VISITORS_MAX = 200


class CareTrigger(db.Model):
    """What happened to whom, and the visit it owes: by `due_on`, arranged by `responsible`."""

    __tablename__ = "care_triggers"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(16))
    happened_on: Mapped[date] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))
    due_on: Mapped[date] = mapped_column(index=True)
    responsible_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    person = relationship("User", foreign_keys=[person_id])
    responsible = relationship("User", foreign_keys=[responsible_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    visits = relationship("CareVisit", back_populates="trigger", order_by="CareVisit.visited_on")

    @property
    def reason_label(self) -> str:
        return CARE_REASONS.get(self.reason, self.reason)


class CareVisit(FieldRecordMixin, db.Model):
    """The visit as the leader recorded it (user_id): who went, when, what was brought or
    arranged, what must follow. The first one settles what the trigger owed."""

    __tablename__ = "care_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger_id: Mapped[int] = mapped_column(sa.ForeignKey("care_triggers.id"), index=True)
    visited_on: Mapped[date] = mapped_column()
    visitors: Mapped[str] = mapped_column(sa.String(VISITORS_MAX))
    brought: Mapped[str] = mapped_column(sa.String(NOTE_MAX))
    follow_up: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))

    trigger = relationship("CareTrigger", back_populates="visits")
    user = relationship("User")
