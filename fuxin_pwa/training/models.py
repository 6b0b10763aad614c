"""Training sessions with the people expected and who came, and each person's credentials:
a social-work certificate (社工证) or a degree (学历), with the date obtained and an optional
photo of the certificate."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

SESSION_KINDS = {"party_school": _l("街道党校"), "drill": _l("岗位练兵"), "other": _l("其他培训")}
QUALIFICATION = "qualification"
EDUCATION = "education"
# Lowest first: the order is the level (the grade ladder asks for the highest held).
LEVELS = {
    QUALIFICATION: {"assistant_social_worker": _l("助理社会工作师"), "social_worker": _l("社会工作师"),
                    "senior_social_worker": _l("高级社会工作师")},
    EDUCATION: {"junior_college": _l("专科"), "bachelor": _l("本科"), "master": _l("硕士"), "doctor": _l("博士")},
}
CREDENTIAL_KINDS = {QUALIFICATION: _l("社工证"), EDUCATION: _l("学历")}
TITLE_MAX = 120
PLACE_MAX = 120
TRAINER_MAX = 64
MAX_HOURS = 24  # one session's hours: more is a typo


def rank(kind: str, level: str) -> int:
    """1 for the lowest level of its kind; 0 for one unknown."""
    levels = list(LEVELS.get(kind, {}))
    return levels.index(level) + 1 if level in levels else 0


class TrainingSession(db.Model):
    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    held_on: Mapped[date] = mapped_column(index=True)
    hours: Mapped[float] = mapped_column(sa.Float)
    place: Mapped[str | None] = mapped_column(sa.String(PLACE_MAX))
    trainer: Mapped[str | None] = mapped_column(sa.String(TRAINER_MAX))
    organiser_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organiser = relationship("User")
    expected = relationship("TrainingAttendance", back_populates="session", cascade="all, delete-orphan")

    @property
    def kind_label(self) -> str:
        return SESSION_KINDS.get(self.kind, self.kind)


class TrainingAttendance(db.Model):
    """One person expected at a session, and whether they came (marked by the organiser)."""

    __tablename__ = "training_attendance"
    __table_args__ = (sa.UniqueConstraint("session_id", "user_id", name="uq_training_attendance_session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    attended: Mapped[bool] = mapped_column(default=False)
    marked_at: Mapped[datetime | None] = mapped_column()

    session = relationship("TrainingSession", back_populates="expected")
    user = relationship("User")


class Credential(db.Model):
    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    level: Mapped[str] = mapped_column(sa.String(32))
    obtained_on: Mapped[date] = mapped_column(index=True)
    photo_path: Mapped[str | None] = mapped_column(sa.String(200))
    photo_type: Mapped[str | None] = mapped_column(sa.String(32))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", foreign_keys=[user_id])

    @property
    def kind_label(self) -> str:
        return CREDENTIAL_KINDS.get(self.kind, self.kind)

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.kind, {}).get(self.level, self.level)
