"""Household cases (一户一策): a matter followed over many visits."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..i18n import zh
from ..timeutil import utcnow

OPEN = "open"
IN_PROGRESS = "in_progress"
RESOLVED = "resolved"
CLOSED = "closed"
CASE_STATUSES = {OPEN: _l("待办"), IN_PROGRESS: _l("推进中"), RESOLVED: _l("已化解"), CLOSED: _l("已关闭")}
CLOSED_STATUSES = (RESOLVED, CLOSED)
# Allowed moves; a closed case can be reopened.
CASE_TRANSITIONS = {
    OPEN: (IN_PROGRESS, RESOLVED, CLOSED),
    IN_PROGRESS: (RESOLVED, CLOSED),
    RESOLVED: (IN_PROGRESS,),
    CLOSED: (IN_PROGRESS,),
}

# The note on the move a first visit makes: stored in Chinese, shown in the page's language.
AUTO_VISIT_NOTE = _l("记录走访后自动转为推进中")

CASE_KINDS = {
    "illegal_structure": _l("违建整治"),
    "resettlement_holdout": _l("安置区尾留户"),
    "expropriation": _l("征迁协调"),
    "repair": _l("房屋维修"),
    "hardship": _l("困难帮扶"),
    "dispute": _l("矛盾调解"),
    "other": _l("其他"),
}


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(sa.ForeignKey("households.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(200))
    plan: Mapped[str | None] = mapped_column(sa.String(2000))
    status: Mapped[str] = mapped_column(sa.String(16), default=OPEN, index=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()
    # Bumped by SQLAlchemy on every change of the row, and checked: an UPDATE names the version
    # it read, so of two changes made at once from the same state one wins and the other is
    # refused (StaleDataError), never both written one over the other.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    household = relationship("Household")
    owner = relationship("User", foreign_keys=[owner_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    task_logs = relationship("TaskLog", back_populates="case", order_by="TaskLog.occurred_at")

    @property
    def status_label(self) -> str:
        return CASE_STATUSES.get(self.status, self.status)

    @property
    def kind_label(self) -> str:
        return CASE_KINDS.get(self.kind, self.kind)

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def days_open(self, now: datetime | None = None) -> int:
        end = self.closed_at or now or utcnow()
        return max((end - self.opened_at).days, 0)


class CaseEvent(db.Model):
    """A status change of a case: who moved it, from what to what, when, and why.

    Opening a case is an event too (from_status None), so the history starts at the start."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(sa.String(500))

    user = relationship("User")

    @property
    def from_label(self) -> str:
        return CASE_STATUSES.get(self.from_status, self.from_status or "")

    @property
    def to_label(self) -> str:
        return CASE_STATUSES.get(self.to_status, self.to_status)

    @property
    def display_note(self):
        """The note as written; the app's own automatic note in the page's language."""
        return AUTO_VISIT_NOTE if self.note and self.note == zh(AUTO_VISIT_NOTE) else self.note
