"""Directives: publishing one, who still has to relay it where, and how far it has got.

A directive's targets are villages and communities. A person covers a target when it lies
in their places (places/services.py: assigned to it or to a place above it). A target is
relayed once any task log names the directive at that place; more relays are kept."""
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ..auth.models import User
from ..domain import DomainError, NotFound
from ..extensions import db
from ..memo import remembered
from ..places.models import COMMUNITY, VILLAGE, Assignment, Place
from ..places.services import restrict_to_scope, scope_place_ids, with_descendants
from ..timeutil import local_today, utcnow
from .models import Directive, DirectiveTarget


class NotATarget(DomainError):
    """A relay named a place the directive was not sent to."""


class NoSuchDirective(NotATarget):
    """A relay named a directive that does not exist."""


def target_choices() -> list[tuple[int, str]]:
    """The villages and communities a directive may be sent to, by kind then name."""
    rows = db.session.execute(sa.select(Place.id, Place.name).where(
        Place.active, Place.kind.in_((VILLAGE, COMMUNITY))).order_by(Place.kind, Place.name)).all()
    return [(pid, name) for pid, name in rows]


def publish_directive(user, title: str, body: str, due_on: date, place_ids, all_places: bool) -> Directive:
    """Store the directive and its targets; commits."""
    if all_places:
        place_ids = [pid for pid, _name in target_choices()]
    directive = Directive(title=title.strip(), body=body.strip(), due_on=due_on, all_places=all_places,
                          created_by_id=user.id, created_at=utcnow())
    directive.targets = [DirectiveTarget(place_id=pid) for pid in sorted(set(place_ids))]
    db.session.add(directive)
    db.session.commit()
    return directive


def uncovered_places(place_ids) -> list[Place]:
    """Of these places, those no active person covers: published to, nobody would see it."""
    assigned = set(db.session.scalars(sa.select(Assignment.place_id).join(User, User.id == Assignment.user_id)
                                      .where(User.active)).all())
    missing = set(place_ids) - with_descendants(assigned)
    if not missing:
        return []
    return db.session.scalars(sa.select(Place).where(Place.id.in_(missing)).order_by(Place.name)).all()


def target_place_ids(directive_id: int) -> frozenset[int] | None:
    """The directive's target places, or None when there is no such directive; read once a
    request (a synced batch may carry many relays of one directive)."""
    def compute():
        if db.session.get(Directive, directive_id) is None:
            return None
        return frozenset(db.session.scalars(sa.select(DirectiveTarget.place_id)
                                            .where(DirectiveTarget.directive_id == directive_id)).all())
    return remembered(("directive_targets", directive_id), compute)


def check_relay(directive_id: int, place_id: int | None) -> None:
    """A relay is made at one of the directive's target places; NotATarget otherwise."""
    targets = target_place_ids(directive_id)
    if targets is None:
        raise NoSuchDirective()
    if place_id is not None and place_id not in targets:
        raise NotATarget()


def _relayed():
    """(directive, place) pairs with at least one relay."""
    from ..field.models import TaskLog  # field/ builds on nothing of this area's
    return (sa.select(TaskLog.directive_id, TaskLog.place_id).where(TaskLog.directive_id.is_not(None))
            .distinct().subquery())


@dataclass
class Outstanding:
    id: int
    title: str
    due_on: date
    place_ids: list[int]
    place_names: list[str]


def outstanding_for(user) -> list[Outstanding]:
    """The directives this person still has to relay: target places they cover with no relay
    yet, soonest due first. Leaders and admins publish, they do not relay: nothing. One query
    (beyond the person's scope, which the home reads anyway)."""
    scope = scope_place_ids(user)
    if not scope:
        return []
    relayed = _relayed()
    rows = db.session.execute(
        sa.select(Directive.id, Directive.title, Directive.due_on, Place.id, Place.name)
        .join(DirectiveTarget, DirectiveTarget.directive_id == Directive.id)
        .join(Place, Place.id == DirectiveTarget.place_id)
        .outerjoin(relayed, sa.and_(relayed.c.directive_id == Directive.id, relayed.c.place_id == Place.id))
        .where(DirectiveTarget.place_id.in_(scope), relayed.c.place_id.is_(None))
        .order_by(Directive.due_on, Directive.id, Place.name)).all()
    found: dict[int, Outstanding] = {}
    for did, title, due_on, pid, name in rows:
        item = found.setdefault(did, Outstanding(did, title, due_on, [], []))
        item.place_ids.append(pid)
        item.place_names.append(name)
    return list(found.values())


@dataclass
class Progress:
    directive: Directive
    targets: int
    relayed: int

    @property
    def overdue(self) -> bool:
        return self.relayed < self.targets and self.directive.due_on < local_today()


def list_directives(user) -> list[Progress]:
    """Every directive with how many of its places are relayed (leaders), or those with a
    target in this person's places, counted over their places; newest due last. One query."""
    relayed = _relayed()
    stmt = (sa.select(Directive, sa.func.count(DirectiveTarget.id), sa.func.count(relayed.c.place_id))
            .join(DirectiveTarget, DirectiveTarget.directive_id == Directive.id)
            .outerjoin(relayed, sa.and_(relayed.c.directive_id == Directive.id,
                                        relayed.c.place_id == DirectiveTarget.place_id))
            .group_by(Directive.id).order_by(Directive.due_on.desc(), Directive.id.desc()).limit(200))
    stmt = restrict_to_scope(stmt, user, DirectiveTarget.place_id)
    return [Progress(d, total, done) for d, total, done in db.session.execute(stmt).all()]


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


def get_directive(directive_id: int, user) -> Directive:
    """A directive with a target in the person's places (any, for leaders); NotFound otherwise."""
    directive = db.session.get(Directive, directive_id)
    scope = scope_place_ids(user)
    if directive is None or (scope is not None and not (target_place_ids(directive_id) or set()) & scope):
        raise NotFound()
    return directive


def target_states(directive: Directive, user) -> list[TargetState]:
    """Per target place (those in the person's places), its relays, first first. Two queries."""
    from ..field.models import TaskLog

    stmt = (sa.select(Place).join(DirectiveTarget, DirectiveTarget.place_id == Place.id)
            .where(DirectiveTarget.directive_id == directive.id).order_by(Place.kind, Place.name))
    places = db.session.scalars(restrict_to_scope(stmt, user, Place.id)).all()
    relays: dict[int, list[Relay]] = {p.id: [] for p in places}
    rows = db.session.execute(
        sa.select(TaskLog.place_id, User.name, TaskLog.occurred_at, TaskLog.people_reached)
        .join(User, User.id == TaskLog.user_id)
        .where(TaskLog.directive_id == directive.id).order_by(TaskLog.occurred_at)).all()
    for pid, name, at, reached in rows:
        if pid in relays:
            relays[pid].append(Relay(name, at, reached))
    late = directive.due_on < local_today()
    return [TargetState(p, relays[p.id], late and not relays[p.id]) for p in places]
