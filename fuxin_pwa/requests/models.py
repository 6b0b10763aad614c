"""Resident requests (群众诉求 · 订单式服务): raised at the centre or in the field, assigned,
followed up over visits, closed, called back.

A request is itself a device record (a field worker may raise one offline), and so is every
change to it: a status change made on a phone names the version it saw, and a stale one is
kept as a conflict beside the current state, never applied over it and never lost."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import TEAM_LABELS
from ..coded import CodedEntryMixin
from ..extensions import db
from ..records import FieldRecordMixin
from ..timeutil import utcnow

RECEIVED = "received"
ASSIGNED = "assigned"
IN_PROGRESS = "in_progress"
RESOLVED = "resolved"
PARTLY_RESOLVED = "partly_resolved"
CANNOT_RESOLVE = "cannot_resolve"
REFERRED = "referred"

REQUEST_STATUSES = {
    RECEIVED: _l("已受理"),
    ASSIGNED: _l("已派单"),
    IN_PROGRESS: _l("办理中"),
    RESOLVED: _l("已办结"),
    PARTLY_RESOLVED: _l("部分解决"),
    CANNOT_RESOLVE: _l("无法办理"),
    REFERRED: _l("转办"),
}
OPEN_STATUSES = (RECEIVED, ASSIGNED, IN_PROGRESS)
CLOSED_STATUSES = (RESOLVED, PARTLY_RESOLVED, CANNOT_RESOLVE, REFERRED)

# What a person does to a request; each is one RequestEvent. "callback" (回访) records the
# resident's satisfaction and leaves the status as it is.
ASSIGN = "assign"
START = "start"
CLOSE = "close"      # to one of CLOSED_STATUSES (reason required for cannot, whom for referred)
REOPEN = "reopen"
CALLBACK = "callback"
REQUEST_ACTIONS = {
    ASSIGN: _l("派单"),
    START: _l("开始办理"),
    CLOSE: _l("办结"),
    REOPEN: _l("重新打开"),
    CALLBACK: _l("回访"),
}

SATISFACTION = {
    "satisfied": _l("满意"),
    "basically": _l("基本满意"),
    "unsatisfied": _l("不满意"),
    "unreachable": _l("未联系上"),
}

# Seeded by the migration and by ensure_request_categories(); admins edit them afterwards.
DEFAULT_REQUEST_CATEGORIES = [
    ("facility_repair", "设施维修", "Facility repair", 7),
    ("neighbour_dispute", "邻里纠纷", "Neighbour dispute", 15),
    ("sanitation", "环境卫生", "Sanitation", 3),
    ("policy_question", "政策咨询", "Policy question", 3),
    ("assistance", "帮扶救助", "Assistance", 10),
    ("other", "其他", "Other", 15),
]


class RequestCategory(CodedEntryMixin, db.Model):
    __tablename__ = "request_categories"

    deadline_days: Mapped[int] = mapped_column(default=7)


class ResidentRequest(FieldRecordMixin, db.Model):
    """user_id is who raised it, occurred_at when; due_at is fixed when it is raised, from the
    category's deadline, so a later change of the deadline does not move old requests."""

    __tablename__ = "resident_requests"
    __table_args__ = (
        sa.Index("ix_resident_requests_status_due", "status", "due_at"),
        sa.Index("ix_resident_requests_place_occurred", "place_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("places.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(sa.ForeignKey("households.id"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("request_categories.id"), index=True)
    resident_name: Mapped[str] = mapped_column(sa.String(64))
    resident_phone: Mapped[str | None] = mapped_column(sa.String(32))
    description: Mapped[str] = mapped_column(sa.String(2000))
    status: Mapped[str] = mapped_column(sa.String(16), default=RECEIVED, index=True)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    assignee_team: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    referred_to: Mapped[str | None] = mapped_column(sa.String(200))
    close_note: Mapped[str | None] = mapped_column(sa.String(500))
    due_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    satisfaction: Mapped[str | None] = mapped_column(sa.String(16))  # the latest 回访
    # Raised at a service day's tablet, from a conversation there (service_days/).
    service_day_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_days.id"), index=True)
    # Bumped on every applied change; a change made offline names the version it saw.
    version: Mapped[int] = mapped_column(default=1)

    user = relationship("User", foreign_keys="ResidentRequest.user_id")
    assignee = relationship("User", foreign_keys=[assignee_id])
    place = relationship("Place")
    household = relationship("Household")
    category = relationship("RequestCategory")

    @property
    def status_label(self) -> str:
        return REQUEST_STATUSES.get(self.status, self.status)

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def is_overdue(self, now: datetime | None = None) -> bool:
        return not self.is_closed and self.due_at < (now or utcnow())

    def due_shown_changes_at(self, now: datetime) -> datetime | None:
        """When what a list says of its deadline changes by itself (requests/_macros.html
        `due`): at the deadline, then at each whole hour late, then each whole day late."""
        if self.is_closed:
            return None
        if self.due_at >= now:
            return self.due_at
        late = now - self.due_at
        if late.days >= 1:
            return self.due_at + timedelta(days=late.days + 1)
        return self.due_at + timedelta(hours=late.seconds // 3600 + 1)

    @property
    def satisfaction_label(self) -> str:
        return SATISFACTION.get(self.satisfaction or "", "")

    @property
    def assignee_team_label(self) -> str:
        return TEAM_LABELS.get(self.assignee_team or "", self.assignee_team or "")


class RequestEvent(FieldRecordMixin, db.Model):
    """One change to a request: who (user_id), when (occurred_at), what. A change made against
    a stale version is stored with conflict=True and not applied: the request shows both."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("resident_requests.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(16))
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str | None] = mapped_column(sa.String(16))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    assignee_team: Mapped[str | None] = mapped_column(sa.String(32))
    referred_to: Mapped[str | None] = mapped_column(sa.String(200))
    satisfaction: Mapped[str | None] = mapped_column(sa.String(16))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    base_version: Mapped[int | None] = mapped_column()
    conflict: Mapped[bool] = mapped_column(default=False)

    user = relationship("User", foreign_keys="RequestEvent.user_id")
    assignee = relationship("User", foreign_keys=[assignee_id])
    request = relationship("ResidentRequest")

    @property
    def action_label(self) -> str:
        return REQUEST_ACTIONS.get(self.action, self.action)

    @property
    def from_label(self) -> str:
        return REQUEST_STATUSES.get(self.from_status or "", self.from_status or "")

    @property
    def to_label(self) -> str:
        return REQUEST_STATUSES.get(self.to_status or "", self.to_status or "")

    @property
    def satisfaction_label(self) -> str:
        return SATISFACTION.get(self.satisfaction or "", "")

    @property
    def assignee_team_label(self) -> str:
        return TEAM_LABELS.get(self.assignee_team or "", self.assignee_team or "")
