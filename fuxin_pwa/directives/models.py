"""Directives relayed (传达部署): what a leader must have relayed to every village or
community by a date. Relaying one is a task log at a target place naming the directive
(TaskLog.directive_id), so the visit is recorded once and ticks the directive off."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

TITLE_MAX = 200
BODY_MAX = 5000


class Directive(db.Model):
    __tablename__ = "directives"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    body: Mapped[str] = mapped_column(sa.Text)
    due_on: Mapped[date] = mapped_column(index=True)
    # All villages and communities: the targets are still written out one by one at publishing,
    # so a place added later is not suddenly overdue on something published before it existed.
    all_places: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by = relationship("User")
    targets = relationship("DirectiveTarget", back_populates="directive", cascade="all, delete-orphan")


class DirectiveTarget(db.Model):
    __tablename__ = "directive_targets"
    __table_args__ = (sa.UniqueConstraint("directive_id", "place_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(sa.ForeignKey("directives.id"), index=True)
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("places.id"), index=True)

    directive = relationship("Directive", back_populates="targets")
    place = relationship("Place")
