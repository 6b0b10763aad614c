"""三岗十八级: each community worker's post (正职, 副职, 其他社区工作者) and service start, from
which the grade is computed (ladder.py), and the grade changes a leader has confirmed, with
their reason. The grade itself is never stored on the post: it follows from the rule, and only
a confirmed change is a record."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

CHIEF, DEPUTY, OTHER = "chief", "deputy", "other"
POST_LABELS = {CHIEF: _l("正职（书记/主任）"), DEPUTY: _l("副职"), OTHER: _l("其他社区工作者")}
REASON_MAX = 200


class GradePost(db.Model):
    __tablename__ = "grade_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    post: Mapped[str] = mapped_column(sa.String(16))
    service_start: Mapped[date] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user = relationship("User")

    @property
    def post_label(self) -> str:
        return POST_LABELS.get(self.post, self.post)


class GradeChange(db.Model):
    """A grade change a leader confirmed: from (None for the first recorded grade) to, why."""

    __tablename__ = "grade_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    changed_on: Mapped[date] = mapped_column()
    from_grade: Mapped[int | None] = mapped_column()
    to_grade: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.String(REASON_MAX))
    by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    by = relationship("User", foreign_keys=[by_id])
