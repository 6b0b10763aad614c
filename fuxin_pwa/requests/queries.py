"""Reading resident requests: the board, the overdue count, my open requests, one request's
timeline. Every list is bounded and loads its rows with a fixed number of queries."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..extensions import db
from ..field.models import TaskLog
from ..photos.services import photos_for_records
from ..places.models import Assignment, Household, Place
from ..places.services import MAX_DEPTH, place_in_scope, scope_place_ids, with_descendants
from ..timeutil import utcnow
from .access import restrict_to_visible
from .forms import OPEN, OVERDUE
from .models import CLOSED_STATUSES, OPEN_STATUSES, RequestCategory, RequestEvent, ResidentRequest

TIMELINE_LIMIT = 200  # the leaking roof took ten trips; hundreds would be a data problem
HOME_LIMIT = 10
HOUSEHOLD_CHOICES = 200


def active_categories() -> list[RequestCategory]:
    return db.session.scalars(sa.select(RequestCategory).where(RequestCategory.active)
                              .order_by(RequestCategory.sort, RequestCategory.id)).all()


def all_categories() -> list[RequestCategory]:
    return db.session.scalars(sa.select(RequestCategory).order_by(RequestCategory.sort, RequestCategory.id)).all()


def _is_overdue(now: datetime):
    return sa.and_(ResidentRequest.status.in_(OPEN_STATUSES), ResidentRequest.due_at < now)


def _mine(user):
    """Assigned to me, or to my team in the places I cover (access.is_assigned_to as SQL)."""
    clauses = [ResidentRequest.assignee_id == user.id]
    if user.team:
        team = ResidentRequest.assignee_team == user.team
        ids = scope_place_ids(user)
        clauses.append(team if ids is None else sa.and_(team, ResidentRequest.place_id.in_(ids or {-1})))
    return sa.or_(*clauses)


def _board_order():
    """Open before closed; open ones by due time (so the overdue come first), closed ones newest first."""
    closed = ResidentRequest.status.in_(CLOSED_STATUSES)
    return (closed, sa.case((closed, None), else_=ResidentRequest.due_at).asc(),
            ResidentRequest.occurred_at.desc(), ResidentRequest.id.desc())


def _with_facts(stmt):
    return stmt.options(joinedload(ResidentRequest.category), joinedload(ResidentRequest.place).joinedload(Place.parent),
                        joinedload(ResidentRequest.assignee), joinedload(ResidentRequest.user))


def list_requests(user, status: str = "", category: str = "", place_id: int | None = None, q: str = "",
                  mine: bool = False, page: int = 1, per_page: int = 30, now: datetime | None = None):
    """Requests the person may see, filtered, as ([request], total)."""
    now = now or utcnow()
    stmt = restrict_to_visible(sa.select(ResidentRequest), user)
    if status == OPEN:
        stmt = stmt.where(ResidentRequest.status.in_(OPEN_STATUSES))
    elif status == OVERDUE:
        stmt = stmt.where(_is_overdue(now))
    elif status:
        stmt = stmt.where(ResidentRequest.status == status)
    if category:
        stmt = stmt.join(RequestCategory, RequestCategory.id == ResidentRequest.category_id) \
            .where(RequestCategory.code == category)
    if place_id:
        stmt = stmt.where(ResidentRequest.place_id.in_(with_descendants({place_id})))
    if mine:
        stmt = stmt.where(_mine(user))
    q = (q or "").strip()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(sa.or_(ResidentRequest.resident_name.ilike(like), ResidentRequest.description.ilike(like)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    items = db.session.scalars(_with_facts(stmt).order_by(*_board_order())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return items, total


def overdue_count(user, now: datetime | None = None) -> int:
    stmt = restrict_to_visible(sa.select(sa.func.count(ResidentRequest.id)).where(_is_overdue(now or utcnow())), user)
    return db.session.scalar(stmt) or 0


def my_open_requests(user, limit: int = HOME_LIMIT):
    """Not closed, assigned to me or my team, overdue first: ([request], total)."""
    # The total rides along as a window count: one query, not a count and then the rows.
    stmt = (sa.select(ResidentRequest, sa.func.count().over().label("total"))
            .where(ResidentRequest.status.in_(OPEN_STATUSES), _mine(user)))
    rows = db.session.execute(_with_facts(stmt).order_by(ResidentRequest.due_at, ResidentRequest.id)
                              .limit(limit)).unique().all()
    return [row[0] for row in rows], (rows[0].total if rows else 0)


# --- One request --------------------------------------------------------------------------------

@dataclass
class Entry:
    """One line of a request's timeline: raised, an event, or a follow-up visit."""

    kind: str  # "raised" | "event" | "visit"
    at: datetime
    item: object
    order: int = 0  # raised, events, visits: the last tie-break


def timeline(request: ResidentRequest, limit: int = TIMELINE_LIMIT):
    """(entries oldest first, visit total, photos by record id, shown-all flag).

    The latest `limit` events and visits, merged with the raising in time order, in four
    queries whatever their number: events, visits, the visit count, the photos."""
    events = db.session.scalars(
        sa.select(RequestEvent).options(joinedload(RequestEvent.user), joinedload(RequestEvent.assignee))
        .where(RequestEvent.request_id == request.id)
        .order_by(RequestEvent.occurred_at.desc(), RequestEvent.id.desc()).limit(limit)).all()
    visits = db.session.scalars(
        sa.select(TaskLog).options(joinedload(TaskLog.user), joinedload(TaskLog.kind))
        .where(TaskLog.request_id == request.id)
        .order_by(TaskLog.occurred_at.desc(), TaskLog.id.desc()).limit(limit)).all()
    visit_total = db.session.scalar(sa.select(sa.func.count(TaskLog.id)).where(TaskLog.request_id == request.id)) or 0
    entries = [Entry("raised", request.occurred_at, request, 0)]
    entries += [Entry("event", e.occurred_at, e, 1) for e in events]
    entries += [Entry("visit", v.occurred_at, v, 2) for v in visits]
    # Devices give whole seconds: within one, what the server received first came first.
    entries.sort(key=lambda e: (e.at.replace(microsecond=0), e.item.received_at, e.order, e.item.id))
    photos = photos_for_records([request, *visits])
    complete = len(events) < limit and len(visits) < limit
    return entries, visit_total, photos, complete


def assignee_candidates(request: ResidentRequest) -> list[User]:
    """Who may take a request: the people covering its place, a place above it or below it;
    the current assignee stays in the list even if they no longer cover it."""
    place_ids, place = set(), request.place
    for _depth in range(MAX_DEPTH + 1):
        if place is None:
            break
        place_ids.add(place.id)
        place = place.parent
    place_ids |= with_descendants({request.place_id})
    people = db.session.scalars(
        sa.select(User).join(Assignment, Assignment.user_id == User.id)
        .where(Assignment.place_id.in_(place_ids), User.active).distinct()
        .order_by(User.name, User.id)).all()
    if request.assignee is not None and request.assignee_id not in {p.id for p in people}:
        people = [request.assignee] + list(people)
    return people


def household_choices(user, place_id: int | None, limit: int = HOUSEHOLD_CHOICES) -> list[Household]:
    """Households at a place (and below it) the person covers, for the raise form's select."""
    if not place_id or not place_in_scope(user, place_id):
        return []
    ids = with_descendants({place_id})
    scope = scope_place_ids(user)
    if scope is not None:
        ids &= scope
    return db.session.scalars(sa.select(Household).where(Household.place_id.in_(ids or {-1}))
                              .order_by(Household.address, Household.id).limit(limit)).all()
