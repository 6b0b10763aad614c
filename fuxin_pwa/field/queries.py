"""Read-side queries for the field home and my record; bounded, no N+1."""
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..places.models import Place
from ..places.services import assigned_places
from ..timeutil import local_day_bounds_utc, utcnow, week_start
from .models import CheckIn, TaskKind, TaskLog


def descendant_map(root_ids: set[int]) -> dict[int, int]:
    """Maps every place under (and including) the roots to its root; one query per level."""
    owner = {pid: pid for pid in root_ids}
    frontier = set(root_ids)
    while frontier:
        rows = db.session.execute(
            sa.select(Place.id, Place.parent_id).where(Place.parent_id.in_(frontier))).all()
        frontier = set()
        for child, parent in rows:
            if child not in owner:
                owner[child] = owner[parent]
                frontier.add(child)
    return owner


def my_places_this_week(user) -> list[dict]:
    """Each assigned place with how often I checked in there (or below it) this week."""
    places = assigned_places(user)
    owner = descendant_map({p.id for p in places})
    start, end = local_day_bounds_utc(week_start(), week_start() + timedelta(days=6))
    counts: dict[int, int] = {}
    if owner:
        rows = db.session.execute(
            sa.select(CheckIn.place_id, sa.func.count())
            .where(CheckIn.user_id == user.id, CheckIn.occurred_at >= start, CheckIn.occurred_at < end,
                   CheckIn.place_id.in_(owner.keys()))
            .group_by(CheckIn.place_id)).all()
        for place_id, n in rows:
            counts[owner[place_id]] = counts.get(owner[place_id], 0) + n
    return [{"place": p, "visits": counts.get(p.id, 0)} for p in places]


RECORD_DAYS = 30


def my_record(user, q: str, page: int, per_page: int):
    """My check-ins and task logs of the last 30 days, newest first, one page.

    A UNION of (type, id, time) pages both tables together; the rows of a page are then
    loaded with two queries, whatever the page size."""
    since = utcnow() - timedelta(days=RECORD_DAYS)
    checkins = (sa.select(sa.literal("checkin").label("type"), CheckIn.id, CheckIn.occurred_at)
                .join(Place, Place.id == CheckIn.place_id)
                .where(CheckIn.user_id == user.id, CheckIn.occurred_at >= since))
    logs = (sa.select(sa.literal("task_log").label("type"), TaskLog.id, TaskLog.occurred_at)
            .join(Place, Place.id == TaskLog.place_id).join(TaskKind, TaskKind.id == TaskLog.kind_id)
            .where(TaskLog.user_id == user.id, TaskLog.occurred_at >= since))
    q = (q or "").strip()
    if q:
        like = f"%{q}%"
        checkins = checkins.where(sa.or_(CheckIn.note.ilike(like), Place.name.ilike(like)))
        logs = logs.where(sa.or_(TaskLog.summary.ilike(like), TaskLog.outcome.ilike(like),
                                 Place.name.ilike(like), TaskKind.label.ilike(like)))
    both = sa.union_all(checkins, logs).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(both)) or 0
    rows = db.session.execute(
        sa.select(both.c.type, both.c.id).order_by(both.c.occurred_at.desc(), both.c.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    ids = {"checkin": [r.id for r in rows if r.type == "checkin"],
           "task_log": [r.id for r in rows if r.type == "task_log"]}
    loaded = {}
    if ids["checkin"]:
        for c in db.session.scalars(sa.select(CheckIn).options(joinedload(CheckIn.place))
                                    .where(CheckIn.id.in_(ids["checkin"]))):
            loaded[("checkin", c.id)] = c
    if ids["task_log"]:
        for t in db.session.scalars(sa.select(TaskLog).options(
                joinedload(TaskLog.place), joinedload(TaskLog.kind), joinedload(TaskLog.household))
                .where(TaskLog.id.in_(ids["task_log"]))):
            loaded[("task_log", t.id)] = t
    return [(r.type, loaded[(r.type, r.id)]) for r in rows], total


