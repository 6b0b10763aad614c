"""Directives: publishing, editing and withdrawing one, and who still has to relay it where.

A directive's targets are villages and communities. A person covers a target when it lies
in their places (places/services.py: assigned to it or to a place above it). A target is
relayed once any task log names the directive at that place; more relays are kept.

A withdrawn directive (撤回) is no longer anyone's to relay: it leaves the home and the phone's
list, and only leaders still see it, for the record. A relay of it that was recorded before
the phone heard of the withdrawal is stored all the same: a field record is never dropped."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..auth.models import User
from ..domain import DomainError, NotFound
from ..extensions import db
from ..memo import remembered
from ..places.models import COMMUNITY, VILLAGE, Assignment, Place
from ..places.services import scope_place_ids, with_descendants
from ..timeutil import utcnow
from . import attachments
from .models import Directive, DirectiveTarget


class NotATarget(DomainError):
    """A relay named a place the directive was not sent to."""


class NoSuchDirective(NotATarget):
    """A relay named a directive that does not exist."""


class AlreadyWithdrawn(DomainError):
    """A withdrawn directive is kept as it was: no more edits."""


class TargetsRelayed(DomainError):
    """An edit would take places off the directive where it has already been relayed: their
    relays would lose the directive they answer."""

    def __init__(self, places: list[str]):
        super().__init__(", ".join(places))
        self.places = places


def target_choices(keep=()) -> list[tuple[int, str]]:
    """The villages and communities a directive may be sent to, by kind then name; with
    `keep`, a directive's own targets too, even one closed since (so an edit shows it)."""
    offered = sa.and_(Place.active, Place.kind.in_((VILLAGE, COMMUNITY)))
    keep = list(keep)
    where = sa.or_(offered, Place.id.in_(keep)) if keep else offered
    rows = db.session.execute(sa.select(Place.id, Place.name).where(where).order_by(Place.kind, Place.name)).all()
    return [(pid, name) for pid, name in rows]


def _attach(directive: Directive, user, uploads, at) -> list:
    """The uploads' files written and their rows on the directive (the caller commits)."""
    rows = attachments.write_files(uploads, user.id, at)
    directive.attachments.extend(rows)
    return rows


def _commit_or_remove(written) -> None:
    """Commit; should it fail, the files just written go too, so none is left without its row."""
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        attachments.remove_files(written)
        raise


def publish_directive(user, title: str, body: str, due_on: date, place_ids, all_places: bool,
                      uploads=()) -> Directive:
    """Store the directive, its targets and its files; commits."""
    if all_places:
        place_ids = [pid for pid, _name in target_choices()]
    attachments.check_count(0, len(uploads))
    now = utcnow()
    directive = Directive(title=title.strip(), body=body.strip(), due_on=due_on, all_places=all_places,
                          created_by_id=user.id, created_at=now)
    directive.targets = [DirectiveTarget(place_id=pid) for pid in sorted(set(place_ids))]
    db.session.add(directive)
    _commit_or_remove(_attach(directive, user, uploads, now))
    return directive


def relayed_place_ids(directive_id: int) -> set[int]:
    from ..field.models import TaskLog  # field/ builds on nothing of this area's

    return set(db.session.scalars(sa.select(TaskLog.place_id).where(TaskLog.directive_id == directive_id)
                                  .distinct()).all())


@dataclass
class Edit:
    title: str
    body: str
    due_on: date
    place_ids: list
    all_places: bool
    uploads: list
    remove_attachment_ids: set


def edit_directive(directive: Directive, user, edit: Edit) -> list[Place]:
    """Change what a directive says, its date, its places and its files; commits. Places may
    be added; one where it was relayed cannot be taken off (TargetsRelayed). 全部村居 only adds:
    a place closed since keeps what it was sent. Gives the places added."""
    if directive.withdrawn_at is not None:
        raise AlreadyWithdrawn()
    current = {t.place_id: t for t in directive.targets}
    wanted = set(edit.place_ids)
    if edit.all_places:
        wanted = {pid for pid, _name in target_choices()} | set(current)
    dropped = set(current) - wanted
    relayed = dropped & relayed_place_ids(directive.id)
    if relayed:
        names = db.session.scalars(sa.select(Place.name).where(Place.id.in_(relayed)).order_by(Place.name)).all()
        raise TargetsRelayed(list(names))
    going = [a for a in directive.attachments if a.id in edit.remove_attachment_ids]
    attachments.check_count(len(directive.attachments) - len(going), len(edit.uploads))

    directive.title, directive.body, directive.due_on = edit.title.strip(), edit.body.strip(), edit.due_on
    directive.all_places = edit.all_places
    for pid in dropped:
        directive.targets.remove(current[pid])
    added = sorted(wanted - set(current))
    directive.targets.extend(DirectiveTarget(place_id=pid) for pid in added)
    for attachment in going:
        directive.attachments.remove(attachment)
    _commit_or_remove(_attach(directive, user, edit.uploads, utcnow()))
    attachments.remove_files(going)  # only once their rows are gone for good
    return db.session.scalars(sa.select(Place).where(Place.id.in_(added)).order_by(Place.name)).all() if added else []


def withdraw_directive(directive: Directive, user) -> bool:
    """Withdraw it (撤回); commits. False when it already was: the first withdrawal stands."""
    if directive.withdrawn_at is not None:
        return False
    directive.withdrawn_at, directive.withdrawn_by_id = utcnow(), user.id
    db.session.commit()
    return True


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
    """A relay is made at one of the directive's target places; NotATarget otherwise. A
    withdrawn directive still takes relays: one made offline before the phone heard of the
    withdrawal is a visit that happened."""
    targets = target_place_ids(directive_id)
    if targets is None:
        raise NoSuchDirective()
    if place_id is not None and place_id not in targets:
        raise NotATarget()


def relayed_pairs():
    """(directive, place) pairs with at least one relay."""
    from ..field.models import TaskLog

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
    yet, soonest due first; never a withdrawn one. Leaders and admins publish, they do not
    relay: nothing. One query (beyond the person's scope, which the home reads anyway)."""
    scope = scope_place_ids(user)
    if not scope:
        return []
    relayed = relayed_pairs()
    rows = db.session.execute(
        sa.select(Directive.id, Directive.title, Directive.due_on, Place.id, Place.name)
        .join(DirectiveTarget, DirectiveTarget.directive_id == Directive.id)
        .join(Place, Place.id == DirectiveTarget.place_id)
        .outerjoin(relayed, sa.and_(relayed.c.directive_id == Directive.id, relayed.c.place_id == Place.id))
        .where(DirectiveTarget.place_id.in_(scope), relayed.c.place_id.is_(None), Directive.withdrawn_at.is_(None))
        .order_by(Directive.due_on, Directive.id, Place.name)).all()
    found: dict[int, Outstanding] = {}
    for did, title, due_on, pid, name in rows:
        item = found.setdefault(did, Outstanding(did, title, due_on, [], []))
        item.place_ids.append(pid)
        item.place_names.append(name)
    return list(found.values())


def get_directive(directive_id: int, user) -> Directive:
    """A directive with a target in the person's places (any, for leaders); a withdrawn one for
    leaders only. NotFound otherwise."""
    directive = db.session.get(Directive, directive_id)
    if directive is None:
        raise NotFound()
    scope = scope_place_ids(user)
    if scope is not None and (directive.withdrawn_at is not None
                              or not (target_place_ids(directive_id) or set()) & scope):
        raise NotFound()
    return directive


def get_attachment(directive: Directive, attachment_id: int):
    """One of this directive's attachments; NotFound otherwise (another directive's too)."""
    for attachment in directive.attachments:
        if attachment.id == attachment_id:
            return attachment
    raise NotFound()
