"""The personal-data access log: who saw a resident's full number, or took a ledger away."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

REVEAL = "reveal"
EXPORT = "export"
ACCESS_KINDS = {REVEAL: _l("查看完整信息"), EXPORT: _l("导出")}

# Why a person opened a full number: a short list, so the log can be read and counted.
REVEAL_REASONS = {
    "callback": _l("回访群众"),
    "home_visit": _l("上门走访"),
    "verify": _l("核实信息"),
    "other": _l("其他"),
}
ADMIN_EDIT = "admin_edit"  # not offered in the list: opening the admin's edit form of a household
REASON_LABELS = {**REVEAL_REASONS, ADMIN_EDIT: _l("管理员编辑")}

# What may be revealed, per kind of record.
REQUEST, HOUSEHOLD = "request", "household"
PHONE, ID_NUMBER = "phone", "id_number"
REVEALABLE = {REQUEST: (PHONE,), HOUSEHOLD: (PHONE, ID_NUMBER)}
FIELD_LABELS = {PHONE: _l("电话"), ID_NUMBER: _l("身份证号")}
SUBJECT_LABELS = {REQUEST: _l("群众诉求"), HOUSEHOLD: _l("户"), "ledger": _l("台账"),
                  "access_log": _l("个人信息访问记录"), "directive": _l("传达部署")}


class AccessLogEntry(db.Model):
    """One reveal (subject and field, with the reason) or one export (the ledger in `field`,
    the query's filters and how many rows went out). Never changed once written, except an
    export's row count, filled in when its stream ends."""

    __tablename__ = "access_log"
    __table_args__ = (sa.Index("ix_access_log_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[int | None] = mapped_column()
    field: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    filters: Mapped[str | None] = mapped_column(sa.Text)  # JSON of the export's query arguments
    rows: Mapped[int | None] = mapped_column()  # None: an export whose download did not finish

    actor = relationship("User")

    @property
    def kind_label(self) -> str:
        return ACCESS_KINDS.get(self.kind, self.kind)

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason or "", self.reason or "")

    @property
    def subject_label(self) -> str:
        return SUBJECT_LABELS.get(self.subject_type, self.subject_type)

    @property
    def field_label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)
