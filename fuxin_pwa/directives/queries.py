"""Directives, the read side: the list with how far each has got, and per target place who
relayed it, when and to how many."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..extensions import db
from ..places.models import Place
from ..places.services import restrict_to_scope
from ..timeutil import local_today
from ..web import Page
from .models import Directive, DirectiveTarget
from .services import relayed_pairs


@dataclass
class Progress:
    directive: Directive
    targets: int
    relayed: int

    @property
    def overdue(self) -> bool:
        """Past its date with places still waiting; a withdrawn one is owed by nobody."""
        return (not self.directive.withdrawn and self.relayed < self.targets
                and self.directive.due_on < local_today())


def list_directives(user, page: int, per_page: int) -> Page:
    """One page of the directives with how many of their places are relayed: every one for
    leaders (withdrawn ones after the others), for field staff those with a target in their
    places, counted over their places, withdrawn ones left out. Newest due first. Three queries (the
    attachments, for their count, in one)."""
    relayed = relayed_pairs()
    stmt = (sa.select(Directive, sa.func.count(DirectiveTarget.id), sa.func.count(relayed.c.place_id))
            .join(DirectiveTarget, DirectiveTarget.directive_id == Directive.id)
            .outerjoin(relayed, sa.and_(relayed.c.directive_id == Directive.id,
                                        relayed.c.place_id == DirectiveTarget.place_id))
            .group_by(Directive.id).options(selectinload(Directive.attachments)))
    ids = sa.select(Directive.id).join(DirectiveTarget, DirectiveTarget.directive_id == Directive.id).distinct()
    if not user.sees_all:
        stmt, ids = (s.where(Directive.withdrawn_at.is_(None)) for s in (stmt, ids))
    stmt = restrict_to_scope(stmt, user, DirectiveTarget.place_id)
    ids = restrict_to_scope(ids, user, DirectiveTarget.place_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery())) or 0
    rows = db.session.execute(
        stmt.order_by(Directive.withdrawn_at.is_not(None), Directive.due_on.desc(), Directive.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return Page([Progress(d, targets, done) for d, targets, done in rows], page, per_page, total)


@dataclass
class Relay:
    by: str
    at: datetime
    people_reached: int | None


@dataclass
class TargetState:
    place: Place
    relays: list[Relay]
    overdue: bool

    @property
    def people_reached(self) -> int | None:
        """Everyone reached at the place over its relays; None when no relay said."""
        counts = [r.people_reached for r in self.relays if r.people_reached is not None]
        return sum(counts) if counts else None


def target_states(directive: Directive, user) -> list[TargetState]:
    """Per target place (those in the person's places), its relays, first first. Two queries."""
    from ..field.models import TaskLog  # field/ builds on nothing of this area's

    stmt = (sa.select(Place).join(DirectiveTarget, DirectiveTarget.place_id == Place.id)
            .where(DirectiveTarget.directive_id == directive.id).order_by(Place.kind, Place.name))
    places = db.session.scalars(restrict_to_scope(stmt, user, Place.id)).all()
    relays: dict[int, list[Relay]] = {p.id: [] for p in places}
    rows = db.session.execute(
        sa.select(TaskLog.place_id, User.name, TaskLog.occurred_at, TaskLog.people_reached)
        .join(User, User.id == TaskLog.user_id)
        .where(TaskLog.directive_id == directive.id).order_by(TaskLog.occurred_at, TaskLog.id)).all()
    for pid, name, at, reached in rows:
        if pid in relays:
            relays[pid].append(Relay(name, at, reached))
    late = directive.due_on < local_today() and not directive.withdrawn
    return [TargetState(p, relays[p.id], late and not relays[p.id]) for p in places]
