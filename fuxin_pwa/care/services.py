"""三必访: recording a trigger (which owes a visit within CARE_VISIT_DAYS, 7 by default) and
the visit that settles it. The visit is a device record stored once (records.store_once),
the same function for the HTML form and the sync endpoint."""
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from ..auth.models import LEADER, User
from ..extensions import db
from ..records import RecordMeta, StoreResult, store_once
from ..timeutil import local_today, utcnow
from .models import CareTrigger, CareVisit

DEFAULT_DAYS = 7


def visit_days() -> int:
    """Days within which a care visit is owed: the locality's setting, 7 unless it says."""
    return int(current_app.config.get("CARE_VISIT_DAYS", DEFAULT_DAYS))


def record_trigger(recorder, person_id: int, reason: str, happened_on: date, note: str | None,
                   responsible_id: int) -> CareTrigger:
    """A trigger for `person_id`, owing a visit by `responsible_id` within visit_days() of
    the day it is recorded (a late report still gives the leader the days to go)."""
    start = max(happened_on, local_today())
    trigger = CareTrigger(person_id=person_id, reason=reason, happened_on=happened_on,
                          note=(note or "").strip() or None, due_on=start + timedelta(days=visit_days()),
                          responsible_id=responsible_id, recorded_by_id=recorder.id, recorded_at=utcnow())
    db.session.add(trigger)
    db.session.commit()
    return trigger


def save_care_visit(user, form, meta: RecordMeta) -> StoreResult:
    """Store a `care_visit` once (online form or sync)."""
    trigger_id = form.trigger.id

    def build():
        return CareVisit(user_id=user.id, trigger_id=trigger_id, visited_on=form.visited_on.data,
                         visitors=form.visitors.data.strip(), brought=form.brought.data.strip(),
                         follow_up=(form.follow_up.data or "").strip() or None, **meta.columns())

    return store_once(CareVisit, user, meta, build)


def leaders() -> list[User]:
    """Who may be made responsible for a visit: the subdistrict's leaders."""
    return list(db.session.scalars(sa.select(User).where(User.role == LEADER, User.active)
                                   .order_by(User.name, User.id)).all())
