"""Four-sided evaluations (考核): a round covers a team and a period; each person is marked from
four sides on the round's items, with notes (日常考核) and extra merit (附加评价); residents
vote through a public page per community. The arithmetic is in scoring.py."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .scoring import (BASIC, COMPETENT, EXCELLENT, INCOMPETENT, PANEL, RESIDENTS, SELF, SUBDISTRICT)

SIDE_LABELS = {RESIDENTS: _l("群众评议"), SELF: _l("社区自评"), SUBDISTRICT: _l("街道通评"), PANEL: _l("考核组综评")}
MARKED_SIDES = (SELF, SUBDISTRICT, PANEL)  # residents vote; these three are marked on items
GRADE_LABELS = {EXCELLENT: _l("优秀"), COMPETENT: _l("称职"), BASIC: _l("基本称职"), INCOMPETENT: _l("不称职")}
RATING_LABELS = {"satisfied": _l("满意"), "fair": _l("基本满意"), "unsatisfied": _l("不满意")}
TITLE_MAX = 120
NOTE_MAX = 2000
COMMENT_MAX = 200


class EvaluationRound(db.Model):
    __tablename__ = "evaluation_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    team: Mapped[str] = mapped_column(sa.String(32))
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()
    items: Mapped[list] = mapped_column(sa.JSON)  # ["德", "能", "勤", "绩", "廉"]
    weights: Mapped[dict] = mapped_column(sa.JSON)  # {"residents": 40, "self": 10, ...}, summing to 100
    vote_minimum: Mapped[int] = mapped_column(default=50)
    excellent_share: Mapped[int] = mapped_column(default=20)  # per cent of the people graded
    bonus_cap: Mapped[int] = mapped_column(default=5)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    links = relationship("VoteLink", back_populates="round", order_by="VoteLink.id", cascade="all, delete-orphan")


class EvaluationMark(db.Model):
    """One side's marks for one person: {item: points on 100}."""

    __tablename__ = "evaluation_marks"
    __table_args__ = (sa.UniqueConstraint("round_id", "person_id", "side", name="uq_evaluation_marks_round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_rounds.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    side: Mapped[str] = mapped_column(sa.String(16))
    scores: Mapped[dict] = mapped_column(sa.JSON)
    marked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EvaluationNote(db.Model):
    """日常考核 (the round's monthly notes) and 附加评价 (honours, contests, major tasks) with the
    extra points the panel gives for them."""

    __tablename__ = "evaluation_notes"
    __table_args__ = (sa.UniqueConstraint("round_id", "person_id", name="uq_evaluation_notes_round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_rounds.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    daily: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))
    extra: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))
    bonus: Mapped[float] = mapped_column(sa.Float, default=0)


class VoteLink(db.Model):
    """The residents' vote of one community in one round, at /vote/<token>."""

    __tablename__ = "evaluation_vote_links"
    __table_args__ = (sa.UniqueConstraint("round_id", "place_id", name="uq_evaluation_vote_links_round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_rounds.id"), index=True)
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("places.id"))
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    closed_at: Mapped[datetime | None] = mapped_column()

    round = relationship("EvaluationRound", back_populates="links")
    place = relationship("Place")


class Ballot(db.Model):
    """One phone's vote in a round: the hash of its cookie, never who the resident is."""

    __tablename__ = "evaluation_ballots"
    __table_args__ = (sa.UniqueConstraint("round_id", "voter_hash", name="uq_evaluation_ballots_round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_rounds.id"), index=True)
    link_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_vote_links.id"), index=True)
    voter_hash: Mapped[str] = mapped_column(sa.String(64))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)

    ratings = relationship("BallotRating", back_populates="ballot", cascade="all, delete-orphan")


class BallotRating(db.Model):
    __tablename__ = "evaluation_ballot_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_ballots.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    rating: Mapped[str] = mapped_column(sa.String(16))
    comment: Mapped[str | None] = mapped_column(sa.String(COMMENT_MAX))

    ballot = relationship("Ballot", back_populates="ratings")
