"""Read-side queries for the field home, my record and the leader's record list; bounded, no N+1."""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..extensions import db
from ..places.models import Place
from ..places.services import assigned_places, descendant_map
from ..timeutil import local_day_bounds_utc, utcnow, week_start
from .models import CheckIn, TaskKind, TaskLog


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
CHECKIN = "checkin"
TASK_LOG = "task_log"
RECORD_TYPES = {CHECKIN: _l("签到"), TASK_LOG: _l("工作记录")}


@dataclass
class RecordFilter:
    """Which check-ins and task logs a list shows; every part is optional."""

    user_id: int | None = None
    team: str | None = None
    place_ids: set[int] | None = None  # already widened to the places below, if wanted
    kind: str | None = None  # a task kind code, or CHECKIN for check-ins only
    type: str | None = None  # CHECKIN or TASK_LOG
    since: datetime | None = None  # naive UTC, inclusive
    until: datetime | None = None  # naive UTC, exclusive
    q: str = ""


def _filtered(stmt, model, f: RecordFilter):
    if f.user_id is not None:
        stmt = stmt.where(model.user_id == f.user_id)
    if f.team:
        stmt = stmt.join(User, User.id == model.user_id).where(User.team == f.team)
    if f.place_ids is not None:
        stmt = stmt.where(model.place_id.in_(f.place_ids or {-1}))
    if f.since is not None:
        stmt = stmt.where(model.occurred_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(model.occurred_at < f.until)
    return stmt


def record_page(f: RecordFilter, page: int, per_page: int):
    """Check-ins and task logs matching `f`, newest first, one page: ([(type, record)], total).

    A UNION of (type, id, time) pages both tables together; the rows of a page are then
    loaded with two queries, whatever the page size."""
    parts = []
    q = (f.q or "").strip()
    like = f"%{q}%"
    if f.type in (None, CHECKIN) and f.kind in (None, CHECKIN):
        checkins = _filtered(
            sa.select(sa.literal(CHECKIN).label("type"), CheckIn.id, CheckIn.occurred_at)
            .join(Place, Place.id == CheckIn.place_id), CheckIn, f)
        if q:
            checkins = checkins.where(sa.or_(CheckIn.note.ilike(like), Place.name.ilike(like)))
        parts.append(checkins)
    if f.type in (None, TASK_LOG) and f.kind != CHECKIN:
        logs = _filtered(
            sa.select(sa.literal(TASK_LOG).label("type"), TaskLog.id, TaskLog.occurred_at)
            .join(Place, Place.id == TaskLog.place_id).join(TaskKind, TaskKind.id == TaskLog.kind_id),
            TaskLog, f)
        if f.kind:
            logs = logs.where(TaskKind.code == f.kind)
        if q:
            logs = logs.where(sa.or_(TaskLog.summary.ilike(like), TaskLog.outcome.ilike(like),
                                     Place.name.ilike(like), TaskKind.label.ilike(like),
                                     TaskKind.label_en.ilike(like)))
        parts.append(logs)
    if not parts:
        return [], 0
    both = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(both)) or 0
    rows = db.session.execute(
        sa.select(both.c.type, both.c.id).order_by(both.c.occurred_at.desc(), both.c.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    ids = {CHECKIN: [r.id for r in rows if r.type == CHECKIN],
           TASK_LOG: [r.id for r in rows if r.type == TASK_LOG]}
    loaded = {}
    if ids[CHECKIN]:
        for c in db.session.scalars(sa.select(CheckIn).options(
                joinedload(CheckIn.place), joinedload(CheckIn.user))
                .where(CheckIn.id.in_(ids[CHECKIN]))):
            loaded[(CHECKIN, c.id)] = c
    if ids[TASK_LOG]:
        for t in db.session.scalars(sa.select(TaskLog).options(
                joinedload(TaskLog.place), joinedload(TaskLog.kind), joinedload(TaskLog.household),
                joinedload(TaskLog.user)).where(TaskLog.id.in_(ids[TASK_LOG]))):
            loaded[(TASK_LOG, t.id)] = t
    return [(r.type, loaded[(r.type, r.id)]) for r in rows], total


def my_record(user, q: str, page: int, per_page: int):
    """My check-ins and task logs of the last 30 days, newest first, one page."""
    since = utcnow() - timedelta(days=RECORD_DAYS)
    return record_page(RecordFilter(user_id=user.id, since=since, q=q), page, per_page)
