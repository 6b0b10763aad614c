"""The evidence panel beside a person's marks: what the work record already holds for the
round's period, so nobody types a figure the app has. Counts for the panel to read and judge,
never turned into points here: scoring.py never sees them."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..cases.models import CLOSED_STATUSES as CASE_CLOSED
from ..cases.models import Case
from ..dispatch.models import IncidentAck
from ..extensions import db
from ..field.models import TaskLog
from ..honours.queries import honours_between
from ..requests.models import CLOSED_STATUSES as REQUEST_CLOSED
from ..requests.models import ResidentRequest
from ..timeutil import local_day_bounds_utc

try:  # training hours are the training area's; without it the panel shows "—"
    from ..training.queries import hours_for
except ImportError:  # pragma: no cover
    hours_for = None


@dataclass
class Evidence:
    work_entries: int  # task-log entries: visits, talks, guard shifts, services
    cases_resolved: int
    requests_closed: int
    request_days: float | None  # mean days from raised to closed, of those closed
    incidents_answered: int
    training_hours: float | None
    honours: list


def _per_person(ids, stmt) -> dict[int, int]:
    """{id: count} for every id asked for (0 when none), from (user id, count) rows."""
    found = {uid: 0 for uid in ids}
    if ids:
        found.update({uid: n for uid, n in db.session.execute(stmt).all()})
    return found


def incidents_answered(user_ids, start: datetime, end: datetime) -> dict[int, int]:
    """Incidents each person acknowledged (on their way, on site, done) between the UTC
    instants start..end, each incident once. One query for the whole list (the reserve pool
    reads it too)."""
    ids = list(user_ids)
    return _per_person(ids, sa.select(IncidentAck.user_id, sa.func.count(sa.distinct(IncidentAck.incident_id)))
                       .where(IncidentAck.user_id.in_(ids), IncidentAck.occurred_at >= start,
                              IncidentAck.occurred_at < end).group_by(IncidentAck.user_id))


def cases_resolved(user_ids, start: datetime, end: datetime) -> dict[int, int]:
    """Cases (一户一策) each person owns that were resolved or closed between start..end. One query."""
    ids = list(user_ids)
    return _per_person(ids, sa.select(Case.owner_id, sa.func.count(Case.id))
                       .where(Case.owner_id.in_(ids), Case.status.in_(CASE_CLOSED), Case.closed_at >= start,
                              Case.closed_at < end).group_by(Case.owner_id))


def evidence_for(person_id: int, rnd) -> Evidence:
    start, end = local_day_bounds_utc(rnd.starts_on, rnd.ends_on)
    count = lambda stmt: db.session.scalar(stmt) or 0  # noqa: E731
    entries = count(sa.select(sa.func.count(TaskLog.id)).where(
        TaskLog.user_id == person_id, TaskLog.occurred_at >= start, TaskLog.occurred_at < end))
    cases = cases_resolved([person_id], start, end)[person_id]
    closed = db.session.execute(sa.select(ResidentRequest.occurred_at, ResidentRequest.closed_at).where(
        ResidentRequest.assignee_id == person_id, ResidentRequest.status.in_(REQUEST_CLOSED),
        ResidentRequest.closed_at >= start, ResidentRequest.closed_at < end)).all()
    days = [(c - o).total_seconds() / 86400 for o, c in closed if o and c]
    incidents = incidents_answered([person_id], start, end)[person_id]
    hours = hours_for([person_id], rnd.starts_on, rnd.ends_on)[person_id] if hours_for else None
    honours = honours_between([person_id], rnd.starts_on, rnd.ends_on)[person_id]
    return Evidence(entries, cases, len(closed), round(sum(days) / len(days), 1) if days else None, incidents,
                    hours, honours)
