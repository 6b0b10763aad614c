"""Service days: who reaches which, arranging and calling one off, and storing a tally.

A person reaches a day when it is at one of their places, at a place above one of them (a
grid worker's community centre), or when they are on its staff; leaders and admins reach
every day. The phone is told of the days it reaches from a week ago to a week ahead
(/api/v1/me `service_days`), so a tablet can tally offline on the day and send a late tally
afterwards; a tally is accepted for any day the person reaches that has begun, however late
it arrives (a field record is never refused for its lateness)."""
from dataclasses import dataclass
from datetime import date, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..domain import NotFound
from ..extensions import db
from ..places.models import Assignment
from ..places.services import scope_place_ids
from ..places.tree import ascend
from ..records import RecordMeta, StoreResult, store_once
from ..timeutil import local_today, utcnow
from ..versions import kept_value
from .models import ServiceDay, ServiceKind, ServiceTally

WINDOW_DAYS = 7  # sync-protocol.md: from a week ago to a week ahead

DEFAULT_KINDS = (("haircut", "理发", "Haircuts"), ("clinic", "义诊", "Free clinic"),
                 ("legal", "法律咨询", "Legal advice"), ("policy", "政策咨询", "Policy questions"),
                 ("errands", "代办", "Errands done for residents"))


def reach_place_ids(user) -> set[int] | None:
    """The places whose service days this person reaches: their scope and the places above
    their assignments. None: every place (leaders, admins)."""
    scope = scope_place_ids(user)
    if scope is None:
        return None

    def above():
        assigned = db.session.scalars(sa.select(Assignment.place_id).where(Assignment.user_id == user.id))
        return frozenset(ascend(assigned))

    return set(scope) | set(kept_value(("places-above", user.id), above))


def _reached(user):
    """The SQL condition: days this person reaches."""
    places = reach_place_ids(user)
    if places is None:
        return sa.true()
    on_staff = ServiceDay.staff.any(User.id == user.id)
    return sa.or_(ServiceDay.place_id.in_(places or {-1}), on_staff)


def days_for(user, start: date | None = None, end: date | None = None, cancelled: bool = False):
    """The days this person reaches in start..end (inclusive), soonest first, with their
    services and place loaded."""
    stmt = (sa.select(ServiceDay).options(selectinload(ServiceDay.services), selectinload(ServiceDay.place))
            .where(_reached(user)))
    if start is not None:
        stmt = stmt.where(ServiceDay.held_on >= start)
    if end is not None:
        stmt = stmt.where(ServiceDay.held_on <= end)
    if not cancelled:
        stmt = stmt.where(ServiceDay.cancelled_at.is_(None))
    return list(db.session.scalars(stmt.order_by(ServiceDay.held_on, ServiceDay.starts_at, ServiceDay.id)))


def days_in_window(user) -> list[ServiceDay]:
    """What /api/v1/me carries and the tablet's tally page shows: a week back, a week ahead."""
    today = local_today()
    return days_for(user, today - timedelta(days=WINDOW_DAYS), today + timedelta(days=WINDOW_DAYS))


def reaches(user, day: ServiceDay) -> bool:
    places = reach_place_ids(user)
    return places is None or day.place_id in places or any(p.id == user.id for p in day.staff)


def get_day(day_id: int, user) -> ServiceDay:
    """A day this person reaches (cancelled ones too: they stay readable); NotFound otherwise."""
    day = db.session.get(ServiceDay, day_id)
    if day is None or not reaches(user, day):
        raise NotFound()
    return day


@dataclass
class DayInput:
    title: str
    place_id: int
    held_on: date
    starts_at: time
    ends_at: time
    kind_ids: list[int]
    staff_ids: list[int]
    volunteers: str | None
    note: str | None


def save_day(user, values: DayInput, day: ServiceDay | None = None) -> ServiceDay:
    """Arrange a day, or change one; commits."""
    if day is None:
        day = ServiceDay(created_by_id=user.id, created_at=utcnow())
        db.session.add(day)
    day.title = values.title.strip()
    day.place_id = values.place_id
    day.held_on = values.held_on
    day.starts_at, day.ends_at = values.starts_at, values.ends_at
    day.volunteers = (values.volunteers or "").strip() or None
    day.note = (values.note or "").strip() or None
    kinds = db.session.scalars(sa.select(ServiceKind).where(ServiceKind.id.in_(values.kind_ids or [-1]))).all()
    # A service already tallied stays on the day even if unticked: its tallies need it.
    tallied = set(db.session.scalars(sa.select(ServiceTally.kind_id).where(ServiceTally.day_id == day.id)).all()) \
        if day.id else set()
    kept = [k for k in day.services if k.id in tallied and k.id not in values.kind_ids]
    day.services = list(kinds) + kept
    day.staff = list(db.session.scalars(sa.select(User).where(User.id.in_(values.staff_ids or [-1]))).all())
    db.session.commit()
    return day


def cancel_day(day: ServiceDay) -> None:
    if day.cancelled_at is None:
        day.cancelled_at = utcnow()
        db.session.commit()


def save_tally(user, form, meta: RecordMeta) -> StoreResult:
    """Store a `service_tally` once (the tablet's tap, the paper count, or a sync). It moves
    nothing else, so a sync batch inserts it with the batch's other such records (bulk): a
    morning's hundred taps synced together are one INSERT and one commit, not a hundred."""
    day_id, kind_id = form.day.id, form.kind.id

    def build():
        return ServiceTally(user_id=user.id, day_id=day_id, kind_id=kind_id, count=form.count.data,
                            household_id=form.household_id.data, note=(form.note.data or "").strip() or None,
                            **meta.columns())

    return store_once(ServiceTally, user, meta, build, bulk=True)


def ensure_service_kinds() -> int:
    """Add the default services that are missing (the migration seeds them; a test database
    made with create_all has none); flushes, the caller commits. Returns how many were added."""
    have = set(db.session.scalars(sa.select(ServiceKind.code)).all())
    missing = [ServiceKind(code=code, label=label, label_en=label_en, sort=i)
               for i, (code, label, label_en) in enumerate(DEFAULT_KINDS) if code not in have]
    db.session.add_all(missing)
    db.session.flush()
    return len(missing)


def active_kinds() -> list[ServiceKind]:
    return list(db.session.scalars(sa.select(ServiceKind).where(ServiceKind.active)
                                   .order_by(ServiceKind.sort, ServiceKind.id)))


def staff_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(sa.select(User.id, User.name).where(User.active).order_by(User.name, User.id)).all()
    return [(uid, name) for uid, name in rows]
