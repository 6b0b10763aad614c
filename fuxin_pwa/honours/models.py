"""Contests people chose to enter, the honours they won, and the interest teams (合唱团,
舞蹈队 …) with their members and events.

A contest's results are the only placings in the app: they are what a jury decided at an
event people entered, never an order drawn from the work record (DOMAIN.md). An entrant is a
person or an interest team; a result may carry an honour, which then shows on the person's
profile or the team's page."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

CONTEST_KINDS = {"arena": _l("擂台比武"), "grid": _l("网格大比武"), "red_blue": _l("红蓝对抗赛"),
                 "chorus": _l("合唱比赛"), "other": _l("其他比赛")}
TITLE_MAX = 120
NAME_MAX = 64
RESULT_MAX = 40
NOTE_MAX = 500


class InterestTeam(db.Model):
    __tablename__ = "interest_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX), unique=True)
    note: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members = relationship("InterestTeamMember", back_populates="team", cascade="all, delete-orphan")
    events = relationship("TeamEvent", back_populates="team", order_by="TeamEvent.held_on.desc(), TeamEvent.id",
                          cascade="all, delete-orphan")


class InterestTeamMember(db.Model):
    __tablename__ = "interest_team_members"
    __table_args__ = (sa.UniqueConstraint("team_id", "user_id", name="uq_interest_team_members_team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("interest_teams.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)

    team = relationship("InterestTeam", back_populates="members")
    user = relationship("User")


class TeamEvent(db.Model):
    """An interest team's rehearsal, performance or outing, usually at a 网格家园."""

    __tablename__ = "interest_team_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("interest_teams.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    held_on: Mapped[date] = mapped_column(index=True)
    place_id: Mapped[int | None] = mapped_column(sa.ForeignKey("places.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    team = relationship("InterestTeam", back_populates="events")
    place = relationship("Place")


class Contest(db.Model):
    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    held_on: Mapped[date] = mapped_column(index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entries = relationship("ContestEntry", back_populates="contest", order_by="ContestEntry.id",
                           cascade="all, delete-orphan")

    @property
    def kind_label(self) -> str:
        return CONTEST_KINDS.get(self.kind, self.kind)


class ContestEntry(db.Model):
    """One entrant, a person or an interest team, and the result the jury gave (一等奖 …)."""

    __tablename__ = "contest_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("contests.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("interest_teams.id"), index=True)
    result: Mapped[str | None] = mapped_column(sa.String(RESULT_MAX))

    contest = relationship("Contest", back_populates="entries")
    user = relationship("User")
    team = relationship("InterestTeam")

    @property
    def entrant_name(self) -> str:
        return self.user.name if self.user is not None else self.team.name


class Honour(db.Model):
    """荣誉: "福山区首届网格员合唱比赛一等奖", held by a person or an interest team; from a
    contest's result here, or recorded by hand for one won elsewhere."""

    __tablename__ = "honours"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX + RESULT_MAX))
    awarded_on: Mapped[date] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("interest_teams.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contest_entries.id"), unique=True)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    team = relationship("InterestTeam")
