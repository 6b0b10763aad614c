"""What the work record holds on each candidate: the report's "200+ person-times on major
hard tasks" (重大任务人次), made of incidents answered, demolition talks, holdout-household
visits, cases resolved and site-guard shifts.

Evidence for leaders to read, with its period, never a score: nothing here orders people,
and the pool is listed by status and name. Counts come for the whole list at once, a fixed
number of queries however many candidates (incidents and cases from the evaluations'
evidence panel, so both pages say the same)."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..duty.models import Roster, Shift, ShiftPerson
from ..evaluations.evidence import cases_resolved, incidents_answered
from ..extensions import db
from ..field.models import TaskKind, TaskLog
from ..timeutil import local_day_bounds_utc, local_today, utcnow

YEARS = 3  # the period shown: the last three years, which covers the pool chosen since 2023
DEMOLITION_TALK = "demolition_talk"
# Households have no holdout flag: visits to holdouts are logged under the resettlement-visit
# kind (the holdout case's visits open on it, cases/services.py).
HOLDOUT_VISIT = "resettlement_visit"
SITE_GUARD = "site_guard"


@dataclass(frozen=True)
class Period:
    start: date
    end: date


@dataclass(frozen=True)
class Evidence:
    incidents: int
    demolition_talks: int
    holdout_visits: int
    cases: int
    guard_shifts: int

    @property
    def total(self) -> int:
        """重大任务人次: each piece of hard work one person-time."""
        return self.incidents + self.demolition_talks + self.holdout_visits + self.cases + self.guard_shifts


def period(today: date | None = None) -> Period:
    today = today or local_today()
    try:
        start = today.replace(year=today.year - YEARS)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - YEARS, day=28)
    return Period(start, today)


def _task_counts(ids, start, end) -> dict[tuple[int, str], int]:
    rows = db.session.execute(
        sa.select(TaskLog.user_id, TaskKind.code, sa.func.count(TaskLog.id))
        .join(TaskKind, TaskKind.id == TaskLog.kind_id)
        .where(TaskLog.user_id.in_(ids), TaskKind.code.in_((DEMOLITION_TALK, HOLDOUT_VISIT)),
               TaskLog.occurred_at >= start, TaskLog.occurred_at < end)
        .group_by(TaskLog.user_id, TaskKind.code)).all()
    return {(uid, code): n for uid, code, n in rows}


def _guard_shifts(ids, start, end) -> dict[int, int]:
    """Shifts of site-guard rosters the person was on, begun in the period and already over
    (a shift ahead is a plan, not work done)."""
    end = min(end, utcnow())
    rows = db.session.execute(
        sa.select(ShiftPerson.user_id, sa.func.count(ShiftPerson.id))
        .join(Shift, Shift.id == ShiftPerson.shift_id).join(Roster, Roster.id == Shift.roster_id)
        .where(ShiftPerson.user_id.in_(ids), Roster.kind == SITE_GUARD, Shift.starts_at >= start,
               Shift.ends_at <= end)
        .group_by(ShiftPerson.user_id)).all()
    return dict(rows)


def evidence_for(user_ids, within: Period) -> dict[int, Evidence]:
    """{user id: Evidence} in `within`, every id asked for present. Four queries."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    start, end = local_day_bounds_utc(within.start, within.end)
    incidents = incidents_answered(ids, start, end)
    cases = cases_resolved(ids, start, end)
    tasks = _task_counts(ids, start, end)
    shifts = _guard_shifts(ids, start, end)
    return {uid: Evidence(incidents[uid], tasks.get((uid, DEMOLITION_TALK), 0), tasks.get((uid, HOLDOUT_VISIT), 0),
                          cases[uid], shifts.get(uid, 0)) for uid in ids}
